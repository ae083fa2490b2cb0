#include "problems/exercise_04_cross_entropy.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 4; }

void run(Session& session) {
  const CrossEntropyCache cache = exercise_04_instance(session.seed(), session.sizes());
  CrossEntropyGrads g;
  session.call({&g.dlogprobs, &g.dprobs, &g.dcounts_sum_inv, &g.dcounts_sum, &g.dcounts, &g.dnorm_logits,
                &g.dlogit_maxes, &g.dlogits},
               [&] { cross_entropy_backward(cache, g); });
  CrossEntropyFusedGrads fused;
  session.call({&fused.dlogits_fused}, [&] { cross_entropy_backward_fused(cache.logits, cache.Y, fused); });
}

}  // namespace bpdojo::runner
