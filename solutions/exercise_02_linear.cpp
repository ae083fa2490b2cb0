// Exercise 02: backpropagate through a linear layer
// =============================================================================================
// Run:    checker exercise_02          Derivation: docs/exercise_02.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), the
//         backward pass through the linear layers: https://www.youtube.com/watch?v=q8SA3rM6ckI&t=781s
// Read:   CS231n "Backpropagation, intuitions", gradients for vectorized operations:
//         https://cs231n.github.io/optimization-2/
//
// Shapes: N batch, D input features, H outputs. Every Matrix is row-major: row n is example n.
//
// Forward (done for you):
//     y = x W + b                  x (N,D), W (D,H), b (1,H) -> y (N,H)
// b is added to every row of x W (broadcast over the batch). The checker's loss is
// L = sum(y .* dy) for a fixed random upstream gradient dy (N,H).
//
// Derive, on paper first, one element at a time: y[n][h] = sum_d x[n][d] W[d][h] + b[0][h].
//   dx (N,D): which y's does x[n][d] reach, and through which W's?
//   dW (D,H): W[d][h] is used by every example n.
//   db (1,H): b is used by every example too. A broadcast in the forward is a sum in the backward.
// A check that needs no calculus: every gradient has the shape of what it is the gradient of.
// Eigen: A * B is the matrix product, A.transpose() the transpose, A.colwise().sum() sums the
// rows of each column into a (1,cols) row.
// =============================================================================================
#include "bpdojo/exercise_02_linear.hpp"

namespace bpdojo {

// cache.x (N,D), cache.W (D,H), dy (N,H) -> grads.dx (N,D), grads.dW (D,H), grads.db (1,H)
void linear_backward(const LinearCache& cache, const Matrix& dy, LinearGrads& grads) {
  grads.dx = dy * cache.W.transpose();
  grads.dW = cache.x.transpose() * dy;
  grads.db = dy.colwise().sum();
}

}  // namespace bpdojo
