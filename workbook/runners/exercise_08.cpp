// Exercise 08: the gradient check at two parameter sets, then training with the learner's backward
// pass and update. The runner reports the parameters at the checkpoints; the checker evaluates them.
#include "problems/exercise_08_train.hpp"
#include "bpdojo/protocol.hpp"
#include "bpdojo/runner.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace bpdojo::runner {
namespace {

// Throws when a gradient does not have its parameter's shape (training would go wrong silently).
void require_shapes(const MlpParams& p, const MlpParamGrads& g) {
  for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
    const Matrix& d = g.*(kMlpParamGrads[k]);
    const Matrix& w = p.*(kMlpParams[k].field);
    if (d.rows() != w.rows() || d.cols() != w.cols())
      throw std::invalid_argument(std::string("mlp_param_backward set d") + kMlpParams[k].name + " to " +
                                  std::to_string(d.rows()) + "x" + std::to_string(d.cols()) + ", the shape of " +
                                  kMlpParams[k].name + " is " + std::to_string(w.rows()) + "x" + std::to_string(w.cols()));
  }
}

}  // namespace

int exercise_number() { return 8; }

void run(Session& s) {
  const TrainInstance in = exercise_08_instance(s.seed(), s.sizes());
  // 1. The gradients at two parameter sets.
  for (const auto& [prefix, params] : {std::pair<const char*, const MlpParams*>{"init.d", &in.init},
                                       std::pair<const char*, const MlpParams*>{"scaled.d", &in.scaled}}) {
    const MlpCache cache = mlp_forward(*params, in.batch);
    MlpParamGrads g;
    std::vector<std::string> names;
    for (const auto& f : kMlpParams) names.push_back(prefix + std::string(f.name));
    if (!guarded(s, names, [&] { mlp_param_backward(cache, g); })) continue;
    for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
      const Matrix& d = g.*(kMlpParamGrads[k]);
      if (d.size() == 0) s.report_stopped(names[k], true, std::string(protocol::kNotSetText));
      else s.report(names[k], d);
    }
  }
  // 2. The update: sgd_step twice in a row on the check's parameters, reported after each call
  //    as update.<call>.<parameter>.
  const UpdateCheck u = exercise_08_update_check(s.seed(), s.sizes());
  std::vector<std::string> update_names;
  for (const char* call : {"update.1.", "update.2."})
    for (const auto& f : kMlpParams) update_names.push_back(call + std::string(f.name));
  MlpParams updated = u.start;
  guarded(s, update_names, [&] {
    for (int call = 1; call <= 2; ++call) {
      sgd_step(updated, call == 1 ? u.g1 : u.g2, call == 1 ? u.lr1 : u.lr2);
      for (const auto& [name, field] : kMlpParams) s.report("update." + std::to_string(call) + "." + name, updated.*field);
    }
  });
  // 3. Training: the workbook's batches, forward pass and schedule; the learner's backward and update.
  const std::int64_t steps = s.size("S"), N = s.size("N");
  const double lr = s.option("lr", kDefaultLearningRate);
  const Split& train = builtin_names().train;
  Rng rng = Rng(s.seed()).fork("training");
  MlpParams p = in.init;
  const std::vector<std::int64_t> marks = checkpoints(steps);
  std::size_t next = 0;
  auto checkpoint = [&](std::int64_t step) {
    for (const auto& [name, field] : kMlpParams) s.report("step." + std::to_string(step) + "." + name, p.*field);
  };
  // The batch loss of every step, as the forward pass computed it (drawn in the plot, never judged).
  std::vector<double> losses;
  losses.reserve(static_cast<std::size_t>(std::min<std::int64_t>(steps, kMaxStepLosses)));
  guarded(s, {"training"}, [&] {
    // One cache for every step, each field written again in its storage (the learner's backward
    // reads it as const); the gradients are fresh each step, so one the learner leaves unset is
    // never the previous step's.
    MlpCache cache;
    for (std::int64_t t = 0; t <= steps; ++t) {
      if (next < marks.size() && marks[next] == t) checkpoint(marks[next++]);
      if (t == steps) break;
      mlp_forward(p, draw_batch(train, N, rng), cache);
      if (t < kMaxStepLosses) losses.push_back(cache.loss);
      MlpParamGrads g;
      mlp_param_backward(cache, g);
      require_shapes(p, g);
      sgd_step(p, g, learning_rate(t, steps, lr));
    }
  });
  s.report_series("step_loss", losses);
}

}  // namespace bpdojo::runner
