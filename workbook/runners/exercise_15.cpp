#include "problems/exercise_15_gpt.hpp"
#include "bpdojo/runner.hpp"

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
    std::vector<std::string> names;
    for (const auto& f : kGptParams) names.push_back(prefix + f.name);
    GptGrads g;
    {
      Quiet quiet;
      for (std::size_t k = 0; k < kGptParams.size(); ++k) g.*(kGptParams[k].grad) = (call == 1 ? u.g1 : u.g2)[k];
    }
    if (!guarded(s, names, [&] { gpt_sgd_step(p, g, call == 1 ? u.lr1 : u.lr2); })) return;
    for (const auto& f : kGptParams) s.report(prefix + f.name, p.*f.field);
  }
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
}

}  // namespace bpdojo::runner
