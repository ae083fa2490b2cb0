#include "problems/exercise_01_chain_rule.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 1; }

void run(Session& session) {
  const ChainRuleInstance in = exercise_01_instance(session.seed());
  PartAGrads a;
  session.call({&a.dw, &a.dx, &a.dy}, [&] { part_a_backward(in.a, a); });
  PartBGrads b;
  session.call({&b.dW2, &b.db2, &b.dW1, &b.db1}, [&] { part_b_backward(in.b, b); });
  PartCGrads c;
  session.call({&c.dw5, &c.dw6, &c.dw7, &c.dw8, &c.db2, &c.dw1, &c.dw2, &c.dw3, &c.dw4, &c.db1},
               [&] { part_c_backward(in.c, c); });
}

}  // namespace bpdojo::runner
