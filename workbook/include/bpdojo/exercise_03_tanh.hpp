// Exercise 03: tanh. The signatures you implement in exercises/exercise_03_tanh.cpp.
// Shapes: N batch, H hidden units. Matrices are row-major (bpdojo::Matrix).
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// What the forward pass h = tanh(x) keeps for the backward.
struct TanhCache {
  Matrix h;  // (N,H) the output tanh(x)
};

struct TanhGrads {
  Grad dx{"dx"};  // (N,H)
};

// cache.h (N,H), dh (N,H) -> grads.dx (N,H)
void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads);

}  // namespace bpdojo
