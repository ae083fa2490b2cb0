#include "problems/exercise_15_gpt.hpp"
#include "problems/exercise_08_train.hpp"  // the schedule and the checkpoints are exercise 08's
#include "problems/exercise_13_rnn.hpp"    // the batches of names are exercise 13's
#include "bpdojo/runner.hpp"

#include <chrono>

namespace bpdojo::runner {

namespace {

// Gradients set here are the workbook's, not the learner's: not sent to the checker as they are set.
struct Quiet {
  detail::GradSink* saved = detail::grad_sink();
  Quiet() { detail::grad_sink() = nullptr; }
  ~Quiet() { detail::grad_sink() = saved; }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;
};

// gpt_sgd_step twice in a row on a copy of the start: every parameter reported after each call
// (sgd.<p>, then sgd2.<p>).
void update_check(Session& s, const GptUpdateCheck& u) {
  GptParams p = u.start;
  for (int call : {1, 2}) {
    const std::string prefix = call == 1 ? "sgd." : "sgd2.";
    // The first call's failure is the second's too: it never runs.
    std::vector<std::string> names;
    for (const char* which : {"sgd.", "sgd2."})
      if (call == 1 || std::string(which) == prefix)
        for (const auto& f : kGptParams) names.push_back(which + std::string(f.name));
    GptGrads g;
    {
      Quiet quiet;
      for (std::size_t k = 0; k < kGptParams.size(); ++k) g.*(kGptParams[k].grad) = (call == 1 ? u.g1 : u.g2)[k];
    }
    if (!guarded(s, names, [&] { gpt_sgd_step(p, g, call == 1 ? u.lr1 : u.lr2); })) return;
    for (const auto& f : kGptParams) s.report(prefix + f.name, p.*f.field);
  }
}

// ---- Training (problems/exercise_15_gpt.hpp) -------------------------------------------------
// S steps of SGD from gpt_train_init on batches of kGptTrainNames names: the workbook's batches,
// forward pass and schedule; the learner's gpt_backward and gpt_sgd_step. The parameters are
// reported at the checkpoints ("step.<t>.wte"), the batch losses ("step_loss", drawn, never
// judged) and the seconds (shown); "training" says why it stopped, if it did.
void train(Session& s) {
  const std::int64_t steps = s.size("S");
  if (steps == 0) return;
  // Every gradient gpt_backward assigns would be sent to the checker as it is assigned: not in
  // training, where thousands of them are used and dropped.
  Quiet quiet;
  const double lr = s.option("lr", kGptLearningRate);
  const std::vector<std::vector<int>> names = encode_names(builtin_names().train);
  Rng rng = Rng(s.seed()).fork("training").fork("batches");
  const std::vector<std::int64_t> marks = checkpoints(steps);
  std::size_t next = 0;
  GptParams p = gpt_train_init(s.seed());
  std::vector<double> losses;
  losses.reserve(static_cast<std::size_t>(std::min<std::int64_t>(steps, kMaxStepLosses)));
  const auto start = std::chrono::steady_clock::now();
  guarded(s, {"training"}, [&] {
    GptCache cache;
    for (std::int64_t t = 0; t <= steps; ++t) {
      if (next < marks.size() && marks[next] == t) {
        for (const auto& f : kGptParams) s.report("step." + std::to_string(t) + "." + f.name, p.*f.field);
        ++next;
      }
      if (t == steps) break;
      const GptBatch b = gpt_batch(rnn_draw_batch(names, kGptTrainNames, rng));
      gpt_forward(b, p, cache);
      if (t < kMaxStepLosses) losses.push_back(cache.loss);
      GptGrads g;  // fresh each step: a gradient left unset is never the previous step's
      gpt_backward(b, p, cache, g);
      for (const auto& f : kGptParams) {
        const Grad& d = g.*f.grad;
        if (!d.is_set()) throw std::invalid_argument(std::string("gpt_backward returned without setting ") + d.name());
        const Matrix& w = p.*f.field;
        if (d.value().rows() != w.rows() || d.value().cols() != w.cols())
          throw std::invalid_argument(std::string(d.name()) + " is " + std::to_string(d.value().rows()) + "x" +
                                      std::to_string(d.value().cols()) + ", the shape of " + f.name + " is " +
                                      std::to_string(w.rows()) + "x" + std::to_string(w.cols()));
      }
      const Index H = p.H;
      gpt_sgd_step(p, g, learning_rate(t, steps, lr));
      p.H = H;
    }
  });
  s.report_series("step_loss", losses);
  s.report_series("seconds", {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
}

}  // namespace

int exercise_number() { return 15; }

void run(Session& session) {
  const GptInstance in = exercise_15_instance(session.seed(), session.sizes());
  for (int set : {0, 1}) {
    GptGrads g(set);
    session.call({&g.dlogits, &g.dlnf, &g.dresidual3, &g.dfch_gelu, &g.dfch, &g.dln2, &g.dresidual2, &g.datty, &g.dqkv, &g.dln1,
                  &g.dencoded, &g.dwte, &g.dwpe, &g.dln1w, &g.dln1b, &g.dattnw, &g.dattnb, &g.dattprojw, &g.dattprojb, &g.dln2w,
                  &g.dln2b, &g.dfcw, &g.dfcb, &g.dfcprojw, &g.dfcprojb, &g.dlnfw, &g.dlnfb, &g.dlmw, &g.dlmb},
                 [&] { gpt_backward(in.batch, in.params[set], in.cache[set], g); });
  }
  update_check(session, in.update);
  train(session);
}

}  // namespace bpdojo::runner
