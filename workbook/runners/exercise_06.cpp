#include "bpdojo/exercise_06_mlp.hpp"
#include "bpdojo/mlp_model.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 6; }

void run(Session& session) {
  const MlpInstance in = mlp_instance(session.seed(), session.sizes());
  const MlpCache cache = mlp_cache(mlp_graph(in.params, in.batch, false), in.batch);
  MlpGrads g;
  session.call({&g.dlogprobs, &g.dprobs, &g.dcounts_sum_inv, &g.dcounts_sum, &g.dcounts, &g.dnorm_logits,
                &g.dlogit_maxes, &g.dlogits, &g.dh, &g.dW2, &g.db2, &g.dhpreact, &g.dbngain, &g.dbnbias, &g.dbnraw,
                &g.dbnvar_inv, &g.dbnvar, &g.dbndiff2, &g.dbndiff, &g.dbnmeani, &g.dhprebn, &g.dembcat, &g.dW1,
                &g.db1, &g.demb, &g.dC},
               [&] { mlp_backward(cache, g); });
}

}  // namespace bpdojo::runner
