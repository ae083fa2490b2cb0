// Exercise 08: train the MLP with your own backward pass. The signatures you implement in
// exercises/exercise_08_train.cpp. The network, the cache and the parameters are in bpdojo/mlp.hpp.
#pragma once

#include "bpdojo/mlp.hpp"

namespace bpdojo {

// The gradients of the loss with respect to the seven parameters, each with its parameter's shape.
struct MlpParamGrads {
  Matrix dC;       // (V,10)
  Matrix dW1;      // (30,H)
  Matrix db1;      // (1,H)
  Matrix dbngain;  // (1,H)
  Matrix dbnbias;  // (1,H)
  Matrix dW2;      // (H,V)
  Matrix db2;      // (1,V)
};

// Part 1: the cache of one forward pass -> every field of g.
void mlp_param_backward(const MlpCache& c, MlpParamGrads& g);

// Part 2: one step of gradient descent with learning rate lr on every parameter.
void sgd_step(MlpParams& p, const MlpParamGrads& g, double lr);

}  // namespace bpdojo
