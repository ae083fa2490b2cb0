#include "problems/exercise_13_rnn.hpp"
#include "problems/exercise_13_rnn_train.hpp"
#include "bpdojo/runner.hpp"

#include <chrono>

namespace bpdojo::runner {
namespace {

// ---- Training (problems/exercise_13_rnn_train.hpp) ------------------------------------------
// Two runs from the same parameters on the same batches, full BPTT then truncated: the workbook's
// batches, forward pass and schedule; the learner's rnn_backward and clip_grad_norm; the update
// p -= lr * g here. Each run reports its parameters at the checkpoints ("full.step.<t>.Wxh"), its
// batch losses ("full.step_loss", drawn, never judged), the norms clip_grad_norm returned
// ("full.grad_norm") and its seconds (both only shown); "full.training" says why it stopped, if it did.

// The learner's gradient of each parameter, in the order of kRnnParams; throws when one is unset or
// does not have its parameter's shape (training would go wrong silently).
std::array<Matrix, 6> param_grads(const RnnGrads& g, const RnnParams& p) {
  const std::array<const Grad*, 6> set = {&g.dWxh, &g.dWhh, &g.dbh, &g.dWhy, &g.dby, &g.dh0};
  for (const Grad* s : set)
    if (!s->is_set()) throw std::invalid_argument(std::string("rnn_backward returned without setting ") + s->name());
  std::array<Matrix, 6> d = {g.dWxh.value(), g.dWhh.value(), g.dbh.value(), g.dWhy.value(), g.dby.value(), g.dh0.value()};
  for (std::size_t k = 0; k < d.size(); ++k) {
    const Matrix& w = p.*(kRnnParams[k].field);
    if (d[k].rows() != w.rows() || d[k].cols() != w.cols())
      throw std::invalid_argument(std::string("rnn_backward set d") + kRnnParams[k].name + " to " + std::to_string(d[k].rows()) +
                                  "x" + std::to_string(d[k].cols()) + ", the shape of " + kRnnParams[k].name + " is " +
                                  std::to_string(w.rows()) + "x" + std::to_string(w.cols()));
  }
  return d;
}

void train_run(Session& s, const RnnRun& run, const RnnParams& init, const std::vector<std::vector<int>>& names) {
  const std::int64_t steps = s.size("S");
  const double lr = s.option("lr", kRnnLearningRate);
  const std::string prefix = std::string(run.name) + ".";
  Rng rng = Rng(s.seed()).fork("training").fork("batches");  // the same batches in both runs
  const std::vector<std::int64_t> marks = checkpoints(steps);
  std::size_t next = 0;
  RnnParams p = init;
  std::vector<double> losses, norms;
  losses.reserve(static_cast<std::size_t>(std::min<std::int64_t>(steps, kMaxStepLosses)));
  norms.reserve(losses.capacity());
  const auto start = std::chrono::steady_clock::now();
  guarded(s, {prefix + "training"}, [&] {
    RnnCache cache;
    for (std::int64_t t = 0; t <= steps; ++t) {
      if (next < marks.size() && marks[next] == t) {
        for (const auto& f : kRnnParams) s.report(prefix + "step." + std::to_string(t) + "." + f.name, p.*f.field);
        ++next;
      }
      if (t == steps) break;
      const RnnBatch b = rnn_draw_batch(names, kRnnTrainNames, rng);
      rnn_forward(b, p, cache);
      if (t < kMaxStepLosses) losses.push_back(cache.loss);
      RnnGrads g;  // fresh each step: a gradient left unset is never the previous step's
      rnn_backward(b, p, cache, run.k > 0 ? run.k : static_cast<int>(b.T), g);
      std::array<Matrix, 6> d = param_grads(g, p);
      std::vector<Matrix*> clipped;
      for (Matrix& m : d) clipped.push_back(&m);
      const double norm = clip_grad_norm(clipped, kRnnClipNorm);
      if (t < kMaxStepLosses) norms.push_back(norm);
      for (std::size_t k = 0; k < d.size(); ++k) {
        Matrix& w = p.*(kRnnParams[k].field);
        if (d[k].rows() != w.rows() || d[k].cols() != w.cols()) throw std::invalid_argument("clip_grad_norm changed the shape of a gradient");
        w -= learning_rate(t, steps, lr) * d[k];
      }
    }
  });
  s.report_series(prefix + "step_loss", losses);
  s.report_series(prefix + "grad_norm", norms);
  s.report_series(prefix + "seconds", {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
}

void train(Session& s) {
  if (s.size("S") == 0) return;
  // Every gradient rnn_backward assigns would be sent to the checker as it is assigned: not in
  // training, where thousands of them are used and dropped.
  struct Quiet {
    detail::GradSink* saved = detail::grad_sink();
    Quiet() { detail::grad_sink() = nullptr; }
    ~Quiet() { detail::grad_sink() = saved; }
  } quiet;
  const std::vector<std::vector<int>> names = encode_names(builtin_names().train);
  const RnnParams init = rnn_train_init(s.seed());
  for (const RnnRun& run : kRnnRuns) train_run(s, run, init, names);
}

}  // namespace

int exercise_number() { return 13; }

void run(Session& session) {
  const RnnInstance in = exercise_13_instance(session.seed(), session.sizes());
  // Full BPTT (k = T: nothing is cut), then truncated every K steps.
  for (const bool truncated : {false, true}) {
    RnnGrads g(truncated ? RnnCall::Truncated : RnnCall::Full);
    const int k = truncated ? in.k : static_cast<int>(in.batch.T);
    session.call({&g.dlogits, &g.dWhy, &g.dby, &g.dh, &g.da, &g.dWxh, &g.dWhh, &g.dbh, &g.dh0},
                 [&] { rnn_backward(in.batch, in.params, in.cache, k, g); });
  }
  // The gradient flow: full BPTT on the windows whose loss is at the last step, Whh small, then
  // large; only dh is judged (its norm per step is plotted), the other gradients go unread.
  for (const bool exploding : {false, true}) {
    const FlowCase& f = exploding ? in.explode : in.vanish;
    RnnGrads g(exploding ? RnnCall::Exploding : RnnCall::Vanishing);
    session.call({&g.dh}, [&] { rnn_backward(f.batch, f.params, f.cache, static_cast<int>(f.batch.T), g); });
  }
  // Clipping by the global norm: above max_norm (the norm and every clipped gradient), then below.
  for (const bool above : {true, false}) {
    const ClipCase& c = above ? in.clip : in.noclip;
    const std::string prefix = above ? "clip." : "noclip.";
    std::vector<Matrix> grads = c.grads;
    std::vector<Matrix*> pointers;
    std::vector<std::string> names;
    if (above) names.push_back("clip.total_norm");
    for (std::size_t k = 0; k < grads.size(); ++k) {
      pointers.push_back(&grads[k]);
      names.push_back(prefix + "d" + kClipNames[k]);
    }
    double total = 0.0;
    if (!guarded(session, names, [&] { total = clip_grad_norm(pointers, c.max_norm); })) continue;
    if (above) session.report("clip.total_norm", Matrix::Constant(1, 1, total));
    for (std::size_t k = 0; k < grads.size(); ++k) session.report(prefix + "d" + kClipNames[k], grads[k]);
  }
  train(session);
}

}  // namespace bpdojo::runner
