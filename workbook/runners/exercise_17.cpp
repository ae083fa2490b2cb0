#include "problems/exercise_17_optimizers.hpp"
#include "bpdojo/runner.hpp"
#include "bpdojo/names.hpp"

namespace bpdojo::runner {

int exercise_number() { return 17; }

void run(Session& session) {
  const OptimizersInstance in = exercise_17_instance(session.seed(), session.sizes());
  // Each update on copies of the case's parameter and state; the results are reported after it returns.
  for (const UpdateCase& c : in.cases) {
    Matrix param = c.param;
    std::vector<Matrix> state = c.state;
    std::vector<std::string> names = {c.name + ".param"};
    for (const std::string& s : state_names(c.optimizer)) names.push_back(c.name + "." + s);
    const bool done = guarded(session, names, [&] {
      switch (c.optimizer) {
        case Optimizer::Sgd: sgd_step(param, c.grad, state[0], c.t, in.sgd); break;
        case Optimizer::Nesterov: sgd_step(param, c.grad, state[0], c.t, in.nesterov); break;
        case Optimizer::Rmsprop: rmsprop_step(param, c.grad, state[0], in.rmsprop); break;
        case Optimizer::Adam: adam_step(param, c.grad, state[0], state[1], c.t, in.adam); break;
        case Optimizer::AdamW: adamw_step(param, c.grad, state[0], state[1], c.t, in.adamw); break;
      }
    });
    if (!done) continue;
    session.report(names[0], param);
    for (std::size_t k = 0; k < state.size(); ++k) session.report(names[k + 1], state[k]);
  }
  // The paths over the Rosenbrock function: S steps of each optimizer with the learner's functions
  // from the same start, each reported as "path.<optimizer>" (S+1, 2), up to where it stops being
  // finite. Shown beside the checker's own, never judged.
  const std::int64_t steps = session.size("S");
  if (steps <= 0) return;
  const OptimizersInstance h = path_configs();
  for (const Optimizer o : kOptimizers) {
    const std::string name = std::string("path.") + optimizer_name(o);
    Matrix param(1, 2);
    param << kRosenbrockStart[0], kRosenbrockStart[1];
    std::vector<Matrix> state(state_names(o).size(), Matrix::Zero(1, 2));
    Matrix path(steps + 1, 2);
    path.row(0) = param;
    std::int64_t done = 0;
    const bool finished = guarded(session, {name}, [&] {
      for (std::int64_t t = 1; t <= steps; ++t) {
        const Matrix grad = rosenbrock_grad(param);
        const int step = static_cast<int>(t);
        switch (o) {
          case Optimizer::Sgd: sgd_step(param, grad, state[0], step, h.sgd); break;
          case Optimizer::Nesterov: sgd_step(param, grad, state[0], step, h.nesterov); break;
          case Optimizer::Rmsprop: rmsprop_step(param, grad, state[0], h.rmsprop); break;
          case Optimizer::Adam: adam_step(param, grad, state[0], state[1], step, h.adam); break;
          case Optimizer::AdamW: adamw_step(param, grad, state[0], state[1], step, h.adamw); break;
        }
        if (param.rows() != 1 || param.cols() != 2 || !param.allFinite()) break;
        path.row(t) = param;
        done = t;
      }
    });
    if (finished) session.report(name, Matrix(path.topRows(done + 1)));
  }
  // Exercise 08's MLP on the names, S steps of each optimizer from the same parameters on the same
  // batches: the workbook's gradients, the learner's updates, the parameters at each checkpoint.
  const OptimizersInstance m = mlp_path_configs();
  const Split& train = builtin_names().train;
  const std::vector<std::int64_t> checkpoints = mlp_path_checkpoints(steps);
  for (const Optimizer o : kOptimizers) {
    const std::string prefix = std::string("mlp.") + optimizer_name(o) + ".";
    MlpParams p = mlp_path_init(session.seed());
    std::vector<std::vector<Matrix>> state;
    for (const auto& f : kMlpParams) state.emplace_back(state_names(o).size(), Matrix::Zero((p.*f.field).rows(), (p.*f.field).cols()));
    Rng batches = mlp_path_batches(session.seed());
    std::size_t next = 0;
    auto report = [&](std::int64_t t) {
      while (next < checkpoints.size() && checkpoints[next] < t) ++next;
      if (next == checkpoints.size() || checkpoints[next] != t) return;
      for (const auto& f : kMlpParams) session.report(prefix + std::to_string(t) + "." + f.name, p.*f.field);
    };
    report(0);
    guarded(session, {prefix + "training"}, [&] {
      for (std::int64_t t = 1; t <= steps; ++t) {
        const MlpBatch batch = draw_batch(train, kMlpPathBatch, batches);
        const std::array<Matrix, 7> grads = mlp_reference_grads(p, batch);
        const int step = static_cast<int>(t);
        bool finite = true;
        for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
          Matrix& param = p.*(kMlpParams[k].field);
          std::vector<Matrix>& s = state[k];
          switch (o) {
            case Optimizer::Sgd: sgd_step(param, grads[k], s[0], step, m.sgd); break;
            case Optimizer::Nesterov: sgd_step(param, grads[k], s[0], step, m.nesterov); break;
            case Optimizer::Rmsprop: rmsprop_step(param, grads[k], s[0], m.rmsprop); break;
            case Optimizer::Adam: adam_step(param, grads[k], s[0], s[1], step, m.adam); break;
            case Optimizer::AdamW: adamw_step(param, grads[k], s[0], s[1], step, m.adamw); break;
          }
          finite = finite && param.allFinite();
        }
        report(t);
        if (!finite) break;  // the checker shows the curve up to here
      }
    });
  }
}

}  // namespace bpdojo::runner
