#include "problems/exercise_13_rnn.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 13; }

void run(Session& session) {
  const RnnInstance in = exercise_13_instance(session.seed(), session.sizes());
  // Full BPTT (k = T: nothing is cut), then truncated every K steps.
  for (const bool truncated : {false, true}) {
    RnnGrads g(truncated);
    const int k = truncated ? in.k : static_cast<int>(in.batch.T);
    session.call({&g.dlogits, &g.dWhy, &g.dby, &g.dh, &g.da, &g.dWxh, &g.dWhh, &g.dbh, &g.dh0},
                 [&] { rnn_backward(in.batch, in.params, in.cache, k, g); });
  }
}

}  // namespace bpdojo::runner
