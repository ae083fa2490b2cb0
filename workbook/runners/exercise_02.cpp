#include "problems/exercise_02_linear.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 2; }

void run(Session& session) {
  const LinearInstance in = exercise_02_instance(session.seed(), session.sizes());
  LinearGrads grads;
  session.call({&grads.dx, &grads.dW, &grads.db}, [&] { linear_backward(in.cache, in.dy, grads); });
}

}  // namespace bpdojo::runner
