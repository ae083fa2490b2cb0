#include "problems/exercise_10_residual.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 10; }

void run(Session& session) {
  const ResidualInstance in = exercise_10_instance(session.seed(), session.sizes());
  PlainGrads plain;
  session.call({&plain.dx, &plain.dW, &plain.db}, [&] { plain_block_backward(in.plain, in.plain_dy, plain); });
  ResidualGrads residual;
  session.call({&residual.dx, &residual.dW, &residual.db},
               [&] { residual_block_backward(in.residual, in.residual_dy, residual); });
}

}  // namespace bpdojo::runner
