// Exercise 10: a residual block beside a plain one. The signatures you implement in
// exercises/exercise_10_residual.cpp. Shapes: N batch, D features (the block maps D to D).
// Matrices are row-major (bpdojo::Matrix).
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// What the forward pass of either block keeps for its backward:
//     a = tanh(x W + b)          plain:    y = a
//                                residual: y = x + a
struct BlockCache {
  Matrix x;  // (N,D) the input
  Matrix W;  // (D,D)
  Matrix b;  // (1,D)
  Matrix a;  // (N,D) the branch's output tanh(x W + b)
};

struct PlainGrads {
  Grad dx{"plain.dx"};  // (N,D)
  Grad dW{"plain.dW"};  // (D,D)
  Grad db{"plain.db"};  // (1,D)
};
// y = tanh(x W + b). cache (x, W, b, a), dy (N,D) -> grads.dx (N,D), grads.dW (D,D), grads.db (1,D)
void plain_block_backward(const BlockCache& cache, const Matrix& dy, PlainGrads& grads);

struct ResidualGrads {
  Grad dx{"residual.dx"};  // (N,D)
  Grad dW{"residual.dW"};  // (D,D)
  Grad db{"residual.db"};  // (1,D)
};
// y = x + tanh(x W + b). cache (x, W, b, a), dy (N,D) -> grads.dx (N,D), grads.dW (D,D), grads.db (1,D)
void residual_block_backward(const BlockCache& cache, const Matrix& dy, ResidualGrads& grads);

}  // namespace bpdojo
