#include "problems/exercise_09_activations.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 9; }

void run(Session& session) {
  const ActivationsInstance in = exercise_09_instance(session.seed(), session.sizes());
  SigmoidGrads sigmoid;
  session.call({&sigmoid.dx}, [&] { sigmoid_backward(in.sigmoid, in.sigmoid_dy, sigmoid); });
  ReluGrads relu;
  session.call({&relu.dx}, [&] { relu_backward(in.relu, in.relu_dy, relu); });
  LeakyReluGrads leaky;
  session.call({&leaky.dx}, [&] { leaky_relu_backward(in.leaky_relu, in.leaky_relu_dy, leaky); });
  GeluGrads gelu;
  session.call({&gelu.dx}, [&] { gelu_backward(in.gelu, in.gelu_dy, gelu); });
}

}  // namespace bpdojo::runner
