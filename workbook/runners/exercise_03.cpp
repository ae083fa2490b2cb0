#include "problems/exercise_03_tanh.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 3; }

void run(Session& session) {
  const TanhInstance in = exercise_03_instance(session.seed(), session.sizes());
  TanhGrads grads;
  session.call({&grads.dx}, [&] { tanh_backward(in.cache, in.dh, grads); });
}

}  // namespace bpdojo::runner
