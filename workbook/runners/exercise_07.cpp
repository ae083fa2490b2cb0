#include "bpdojo/exercise_07_mlp_fused.hpp"
#include "bpdojo/mlp_model.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 7; }

void run(Session& session) {
  const MlpInstance in = mlp_instance(session.seed(), session.sizes());
  const MlpCache cache = mlp_cache(mlp_graph(in.params, in.batch, false), in.batch);
  MlpFusedGrads g;
  session.call({&g.dlogits, &g.dh, &g.dW2, &g.db2, &g.dhpreact, &g.dbngain, &g.dbnbias, &g.dhprebn, &g.dembcat,
                &g.dW1, &g.db1, &g.demb, &g.dC},
               [&] { mlp_backward_fused(cache, g); });
}

}  // namespace bpdojo::runner
