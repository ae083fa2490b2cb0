// Exercise 09: backpropagate through four activations (Part II, gradient flow)
// =============================================================================================
// Run:    checker exercise_09          Hints:  checker hint exercise_09; docs/exercise_09.md
// Watch:  "Building makemore Part 3: Activations & Gradients, BatchNorm" (Karpathy, lecture 4):
//         saturated and dead units, https://www.youtube.com/watch?v=P6sfmUTpUmc
// Read:   CS231n "Neural Networks Part 1", the section on activation functions,
//         https://cs231n.github.io/neural-networks-1/ ; Karpathy, "Yes you should understand
//         backprop" (sigmoid saturation, dying ReLUs),
//         https://karpathy.medium.com/yes-you-should-understand-backprop-e2f06eab496b ;
//         Hendrycks and Gimpel, "Gaussian Error Linear Units (GELUs)", https://arxiv.org/abs/1606.08415
//
// Shapes: N batch, D features. Every Matrix is row-major: row n is example n.
//
// Forward (done for you, element by element), each with its own x (N,D) and its own fixed random
// upstream gradient dy (N,D); the checker's loss is L = sum(y .* dy) for each:
//     sigmoid      y = 1 / (1 + exp(-x))                      cache: the output y
//     ReLU         y = max(0, x)                              cache: the input x
//     leaky ReLU   y = x if x > 0, else 0.01 x (kLeakySlope)  cache: the input x
//     GELU         y = 0.5 x (1 + tanh(u)),                   cache: the input x
//                  u = sqrt(2/pi) (x + 0.044715 x^3)  (kGeluCubic; the tanh approximation of GPT-2)
//
// Each backward is dx = f'(x) .* dy, elementwise. Derive each f' on paper first: sigmoid' written
// with the output y alone; the two ReLUs piecewise; GELU by the product rule and the chain rule
// through u. No input is closer to 0 than 0.05: the kink of the ReLUs, where the derivative jumps,
// is never inside the checker's finite differences (they reach at most about 0.03 from x).
// Eigen: elementwise work on .array(); a mask is (x.array() > 0.0).cast<double>(), and
// (x.array() > 0.0).select(a, b) picks a where true, b elsewhere.
// =============================================================================================
#include "bpdojo/exercise_09_activations.hpp"

#include <cmath>

namespace bpdojo {

// cache.y (N,D), dy (N,D) -> grads.dx (N,D)
void sigmoid_backward(const SigmoidCache& cache, const Matrix& dy, SigmoidGrads& grads) {
  TODO("sigmoid.dx");
}

// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void relu_backward(const ReluCache& cache, const Matrix& dy, ReluGrads& grads) {
  TODO("relu.dx");
}

// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void leaky_relu_backward(const LeakyReluCache& cache, const Matrix& dy, LeakyReluGrads& grads) {
  TODO("leaky_relu.dx");
}

// cache.x (N,D), dy (N,D) -> grads.dx (N,D)
void gelu_backward(const GeluCache& cache, const Matrix& dy, GeluGrads& grads) {
  TODO("gelu.dx");
}

}  // namespace bpdojo
