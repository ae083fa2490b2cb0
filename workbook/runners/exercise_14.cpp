#include "problems/exercise_14_attention.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 14; }

void run(Session& session) {
  const AttentionInstance in = exercise_14_instance(session.seed(), session.sizes());
  HeadGrads g;
  session.call({&g.dy, &g.dWo, &g.dbo, &g.datt, &g.dv, &g.desum, &g.de, &g.dscores, &g.dq, &g.dk, &g.dWq, &g.dWk, &g.dWv, &g.dx},
               [&] { head_backward(in.head, in.head_dout, g); });
  AttentionGrads mh;
  session.call({&mh.dy, &mh.dW_proj, &mh.db_proj, &mh.datt, &mh.dscores, &mh.dqkv, &mh.dW_attn, &mh.db_attn, &mh.dx},
               [&] { attention_backward(in.heads, in.heads_dout, mh); });
}

}  // namespace bpdojo::runner
