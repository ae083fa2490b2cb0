// Exercise 03: backpropagate through tanh
// =============================================================================================
// Run:    checker exercise_03          Hints:  docs/exercise_03.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), the tanh
//         step of the MLP: https://www.youtube.com/watch?v=q8SA3rM6ckI&t=781s
// Read:   CS231n "Backpropagation, intuitions", https://cs231n.github.io/optimization-2/
//
// Shapes: N batch, H hidden units. Every Matrix is row-major: row n is example n.
//
// Forward (done for you, element by element):
//     h = tanh(x)                  x (N,H) -> h (N,H)
// and a fixed random upstream gradient dh (N,H): the checker's loss is L = sum(h .* dh).
//
// The forward keeps its OUTPUT h in `cache`, not its input x. Derive dL/dx on paper first:
// what is d tanh(x)/dx written with tanh(x) itself? Then fill in grads.dx (N,H).
// Elementwise products in Eigen: a.array() * b.array(); squares: h.array().square().
// =============================================================================================
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

// cache.h (N,H), dh (N,H) -> grads.dx (N,H)
void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
