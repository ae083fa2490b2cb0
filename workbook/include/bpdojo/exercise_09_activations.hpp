// Exercise 09: activations. The signatures you implement in exercises/exercise_09_activations.cpp.
// Shapes: N batch, D features. Matrices are row-major (bpdojo::Matrix). Every function here is
// elementwise: y[n][j] depends on x[n][j] alone.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

inline constexpr double kLeakySlope = 0.01;     // leaky ReLU's slope for x < 0
inline constexpr double kGeluCubic = 0.044715;  // the x^3 coefficient of GELU's tanh approximation

// sigmoid: y = 1 / (1 + exp(-x)). The forward keeps its output.
struct SigmoidCache {
  Matrix y;  // (N,D)
};
struct SigmoidGrads {
  Grad dx{"sigmoid.dx"};  // (N,D)
};
// cache.y (N,D), dy (N,D) -> grads.dx (N,D)
void sigmoid_backward(const SigmoidCache& cache, const Matrix& dy, SigmoidGrads& grads);

// ReLU: y = max(0, x). The forward keeps its input.
struct ReluCache {
  Matrix x;  // (N,D)
};
struct ReluGrads {
  Grad dx{"relu.dx"};  // (N,D)
};
// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void relu_backward(const ReluCache& cache, const Matrix& dy, ReluGrads& grads);

// leaky ReLU: y = x for x > 0, kLeakySlope * x otherwise. The forward keeps its input.
struct LeakyReluCache {
  Matrix x;  // (N,D)
};
struct LeakyReluGrads {
  Grad dx{"leaky_relu.dx"};  // (N,D)
};
// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void leaky_relu_backward(const LeakyReluCache& cache, const Matrix& dy, LeakyReluGrads& grads);

// GELU in the tanh approximation GPT-2 uses:
//     y = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + kGeluCubic x^3).
// The forward keeps its input.
struct GeluCache {
  Matrix x;  // (N,D)
};
struct GeluGrads {
  Grad dx{"gelu.dx"};  // (N,D)
};
// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void gelu_backward(const GeluCache& cache, const Matrix& dy, GeluGrads& grads);

}  // namespace bpdojo
