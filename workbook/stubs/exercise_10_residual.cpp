// Exercise 10: a residual block beside a plain one (Part II, gradient flow)
// =============================================================================================
// Run:    checker exercise_10          Hints:  checker hint exercise_10; docs/exercise_10.md
// Watch:  "Building makemore Part 3: Activations & Gradients, BatchNorm" (Karpathy, lecture 4),
//         how the gradient shrinks through a deep stack: https://www.youtube.com/watch?v=P6sfmUTpUmc
// Read:   He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition" (2015),
//         https://arxiv.org/abs/1512.03385 ; CS231n "Backpropagation, intuitions" (gradients add up
//         where paths merge), https://cs231n.github.io/optimization-2/
//
// Shapes: N batch, D features; both blocks map D to D. Every Matrix is row-major: row n is example n.
//
// Forward (done for you), each block with its own x, W, b and its own upstream gradient dy (N,D);
// the checker's loss is L = sum(y .* dy):
//     z = x W + b                  x (N,D), W (D,D), b (1,D) -> z (N,D)   (b added to every row)
//     a = tanh(z)                  (N,D), kept in the cache
//     plain:      y = a
//     residual:   y = x + a        (the skip connection: x reaches y twice)
//
// Derive dz first (exercise 03: tanh' from the output a), then dW, db and dx as in exercise 02.
// For the residual block, x reaches y along two paths, through the branch and straight through
// the identity: the gradients of the two paths add. Each exercise file stands alone: copy your
// tanh and linear code in rather than calling another exercise's functions.
// =============================================================================================
#include "bpdojo/exercise_10_residual.hpp"

namespace bpdojo {

// y = tanh(x W + b). cache (x, W, b, a), dy (N,D) -> grads.dx (N,D), grads.dW (D,D), grads.db (1,D)
void plain_block_backward(const BlockCache& cache, const Matrix& dy, PlainGrads& grads) {
  TODO("plain.dx");
}

// y = x + tanh(x W + b). cache (x, W, b, a), dy (N,D) -> grads.dx (N,D), grads.dW (D,D), grads.db (1,D)
void residual_block_backward(const BlockCache& cache, const Matrix& dy, ResidualGrads& grads) {
  TODO("residual.dx");
}

}  // namespace bpdojo
