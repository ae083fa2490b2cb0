#include "problems/exercise_05_batch_norm.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 5; }

void run(Session& session) {
  const BatchNormInstance in = exercise_05_instance(session.seed(), session.sizes());
  BatchNormGrads g;
  session.call({&g.dbngain, &g.dbnbias, &g.dbnraw, &g.dbnvar_inv, &g.dbnvar, &g.dbndiff2, &g.dbndiff, &g.dbnmeani,
                &g.dhprebn},
               [&] { batch_norm_backward(in.cache, in.dhpreact, g); });
  BatchNormFusedGrads fused;
  session.call({&fused.dhprebn_fused}, [&] { batch_norm_backward_fused(in.cache, in.dhpreact, fused); });
}

}  // namespace bpdojo::runner
