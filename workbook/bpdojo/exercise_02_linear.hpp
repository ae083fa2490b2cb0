// Exercise 02: a linear layer. The signatures you implement in exercises/exercise_02_linear.cpp.
// Shapes: N batch, D input features, H outputs. Matrices are row-major (bpdojo::Matrix).
#pragma once

#include "bpdojo/exercise.hpp"
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

// ---- the instance (built by the workbook; the runner and the checker use it) ----
struct LinearInstance {
  LinearCache cache;
  Matrix b;   // (1,H)
  Matrix dy;  // (N,H) the fixed upstream gradient G of L = sum(y .* G)
};
LinearInstance exercise_02_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
