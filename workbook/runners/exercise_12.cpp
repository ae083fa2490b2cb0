#include "problems/exercise_12_layer_norm.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 12; }

void run(Session& session) {
  const LayerNormInstance in = exercise_12_instance(session.seed(), session.sizes());
  LayerNormGrads g;
  session.call({&g.dw, &g.db, &g.dnorm, &g.drstd, &g.dvar, &g.dxmu, &g.dmean, &g.dx},
               [&] { layer_norm_backward(in.cache, in.dout, g); });
  LayerNormFusedGrads fused;
  session.call({&fused.dx_fused}, [&] { layer_norm_backward_fused(in.cache, in.dout, fused); });
}

}  // namespace bpdojo::runner
