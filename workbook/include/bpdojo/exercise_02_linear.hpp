// Exercise 02: a linear layer. The signatures you implement in exercises/exercise_02_linear.cpp.
// Shapes: N batch, D input features, H outputs. Matrices are row-major (bpdojo::Matrix).
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// What the forward pass y = x W + b keeps for the backward.
struct LinearCache {
  Matrix x;  // (N,D) the input
  Matrix W;  // (D,H) the weights
};

struct LinearGrads {
  Grad dx{"dx"};  // (N,D)
  Grad dW{"dW"};  // (D,H)
  Grad db{"db"};  // (1,H)
};

// cache.x (N,D), cache.W (D,H), dy (N,H) -> grads.dx (N,D), grads.dW (D,H), grads.db (1,H)
void linear_backward(const LinearCache& cache, const Matrix& dy, LinearGrads& grads);

}  // namespace bpdojo
