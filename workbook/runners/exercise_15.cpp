#include "problems/exercise_15_gpt.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

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
}

}  // namespace bpdojo::runner
