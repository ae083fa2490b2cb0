// Exercise 11: deep stacks. The signatures you implement in exercises/exercise_11_deep.cpp.
// Shapes: N batch, D features (every block maps D to D), L blocks. Matrices are row-major
// (bpdojo::Matrix).
#pragma once

#include "bpdojo/learner.hpp"

#include <vector>

namespace bpdojo {

// The nonlinearities of this exercise. A stack uses Sigmoid, Tanh or ReLU; init_std takes all five.
enum class Nonlinearity { Linear, Sigmoid, Tanh, ReLU, LeakyReLU };
inline constexpr double kLeakyReluNegativeSlope = 0.01;  // leaky ReLU's slope for x < 0

// How a layer's weights W (fan_in, fan_out) are drawn: every entry from N(0, std^2).
enum class InitScheme {
  Naive,    // std 1, whatever the layer
  Xavier,   // Glorot and Bengio (2010), "normal": gain * sqrt(2 / (fan_in + fan_out))
  Kaiming,  // He et al. (2015), "normal", fan_in mode: gain / sqrt(fan_in)
};
// Part (a). The standard deviation of W's entries for a layer followed by the nonlinearity `f`.
// The gain is PyTorch's (torch.nn.init.calculate_gain): 1 for Linear and Sigmoid, 5/3 for Tanh,
// sqrt(2) for ReLU, sqrt(2 / (1 + slope^2)) for LeakyReLU with slope kLeakyReluNegativeSlope.
double init_std(Index fan_in, Index fan_out, Nonlinearity f, InitScheme scheme);

// One block of a stack: a = f(h W + b), then h' = a (plain) or h' = h + a (residual).
struct StackLayer {
  Matrix W;  // (D,D)
  Matrix b;  // (1,D)
};
// What the forward pass of a stack of L blocks keeps for its backward. Layers are counted from 1 in
// the report (dW1 is layers[0]'s); the vectors here count from 0.
struct StackCache {
  Nonlinearity f = Nonlinearity::Tanh;  // Sigmoid, Tanh or ReLU
  bool residual = false;
  std::vector<StackLayer> layers;  // L blocks
  std::vector<Matrix> h;           // L + 1: h[0] = x, the stack's input; h[l + 1] = block l's output (N,D)
  std::vector<Matrix> a;           // L: a[l] = f(h[l] layers[l].W + layers[l].b) (N,D)
};
// The stack's output is y = h[L].
struct StackGrads {
  Matrix dx;               // (N,D): the gradient of the stack's input h[0]
  std::vector<Matrix> dW;  // L, dW[l] (D,D) for layers[l].W
  std::vector<Matrix> db;  // L, db[l] (1,D) for layers[l].b
};
// Part (b). cache, dy (N,D) the gradient of y -> grads.dx, every grads.dW[l] and grads.db[l].
void stack_backward(const StackCache& cache, const Matrix& dy, StackGrads& grads);

}  // namespace bpdojo
