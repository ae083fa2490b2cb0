// Exercise 04: backpropagate through softmax cross-entropy, step by step and then fused
// =============================================================================================
// Run:    checker exercise_04          Derivation: docs/exercise_04.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5),
//         exercise 1 (the loss, step by step) and exercise 2 (fused):
//         https://www.youtube.com/watch?v=q8SA3rM6ckI&t=781s
// Read:   CS231n "Backpropagation, intuitions": https://cs231n.github.io/optimization-2/
//
// Shapes: N batch, V classes. Every Matrix is row-major: row n is example n. Y[n] is the
// correct class of example n.
//
// Forward (done for you; every intermediate is in the cache `c`, with the lecture's names):
//     logit_maxes    = max over each row of logits         (N,1)
//     norm_logits    = logits - logit_maxes                (N,V)  (for numerical stability)
//     counts         = exp(norm_logits)                    (N,V)
//     counts_sum     = sum over each row of counts         (N,1)
//     counts_sum_inv = 1 / counts_sum                      (N,1)
//     probs          = counts * counts_sum_inv             (N,V)  (the column broadcast over V)
//     logprobs       = log(probs)                          (N,V)
//     loss           = -(1/N) sum_n logprobs[n][Y[n]]      scalar
//
// Part 1: go backwards one line at a time, each d<name> the gradient of the loss with respect to
// <name>, with the shape of <name>. Two rules carry most of the work:
//   - a variable used twice (counts feeds both probs and counts_sum; logits feeds norm_logits and
//     logit_maxes) gets the SUM of the gradients along both paths;
//   - a broadcast in the forward ((N,1) stretched over V columns) is a sum over those columns in
//     the backward.
// dlogit_maxes should come out as zeros up to rounding: work out why (changing the max shifts
// every logit of the row equally, which the softmax cannot see).
// Part 2: all of it in one expression, dlogits from logits and Y alone.
//
// Eigen: a.array() * b.array() (elementwise), m.rowwise().sum() ((N,V) -> (N,1)),
// m.array().colwise() * col.col(0).array() (scale each row n by col[n]),
// m.row(n).maxCoeff(&j) (the max of row n, and its column in j), Matrix::Zero(rows, cols).
// =============================================================================================
#include "bpdojo/exercise_04_cross_entropy.hpp"

namespace bpdojo {

// Step by step, backwards through the cache -> every field of grads.
void cross_entropy_backward(const CrossEntropyCache& c, CrossEntropyGrads& grads) {
  // loss = -(1/N) sum_n logprobs[n][Y[n]]: which elements of logprobs does the loss touch?
  TODO("dlogprobs");
  // logprobs = log(probs)
  TODO("dprobs");
  // probs = counts * counts_sum_inv, with counts_sum_inv (N,1) broadcast over V
  TODO("dcounts_sum_inv");
  // counts_sum_inv = 1 / counts_sum
  TODO("dcounts_sum");
  // counts feeds probs AND counts_sum = rowsum(counts): two paths
  TODO("dcounts");
  // counts = exp(norm_logits)
  TODO("dnorm_logits");
  // norm_logits = logits - logit_maxes, with logit_maxes (N,1) broadcast over V
  TODO("dlogit_maxes");
  // logits feeds norm_logits AND logit_maxes (through the position of each row's max)
  TODO("dlogits");
}

// In one expression: logits (N,V), Y (N) -> grads.dlogits_fused (N,V).
void cross_entropy_backward_fused(const Matrix& logits, const Labels& Y, CrossEntropyFusedGrads& grads) {
  TODO("dlogits_fused");
}

}  // namespace bpdojo
