// Exercise 12: backpropagate through layer normalization, step by step and then fused (Part III)
// =============================================================================================
// Run:    checker exercise_12          Hints:  checker hint exercise_12; docs/exercise_12.md
// Watch:  "Let's build GPT: from scratch, in code, spelled out" (Karpathy), the part on layer
//         norm in the transformer block: https://www.youtube.com/watch?v=kCc8FmEb1nY
// Read:   Ba, Kiros and Hinton, "Layer Normalization" (2016), https://arxiv.org/abs/1607.06450 ;
//         llm.c's layernorm_backward (the same steps in C), https://github.com/karpathy/llm.c
//
// Shapes: N rows, C features. Every Matrix is row-major, and each row is normalized on its own
// (in a transformer a row is one position of one sequence): where batch norm (exercise 05)
// reduces over the batch, layer norm reduces over the features.
//
// Forward (done for you; every intermediate is in the cache `c`):
//     mean = (1/C) sum_j x[:, j]                (N,1)
//     xmu  = x - mean                           (N,C)  (each row minus its own mean)
//     var  = (1/C) sum_j xmu[:, j]^2            (N,1)  (biased, as GPT-2: no Bessel correction)
//     rstd = (var + eps)^(-1/2)                 (N,1)  eps = kLayerNormEps = 1e-5
//     norm = xmu * rstd                         (N,C)
//     out  = norm * w + b                       (N,C)  w, b (1,C), the same for every row
// and a fixed random upstream gradient dout (N,C): the checker's loss is sum(out .* dout).
//
// Part 1: go backwards one line at a time, each d<name> with the shape of <name>.
//   - A (1,C) row used by every row in the forward is a sum over the rows in the backward.
//   - An (N,1) column broadcast across the C features is a sum over the features (each row's own).
//   - xmu feeds both var and norm, and x feeds both xmu and mean: add the paths.
// Part 2: dx in one expression, from dout and the cache.
//
// Eigen: m.rowwise().sum() ((N,C) -> (N,1)), m.colwise().sum() ((N,C) -> (1,C)),
// m.array().colwise() * col.col(0).array() (scale row n by col[n]), m.array().rowwise() *
// row.row(0).array() (scale column j by row[j]), col.replicate(1, C) ((N,1) -> (N,C)).
// =============================================================================================
#include "bpdojo/exercise_12_layer_norm.hpp"

namespace bpdojo {

// Step by step, backwards through the cache, given dout (N,C) -> every field of grads.
void layer_norm_backward(const LayerNormCache& c, const Matrix& dout, LayerNormGrads& grads) {
  // out = norm * w + b
  TODO("dw");
  TODO("db");
  TODO("dnorm");
  // norm = xmu * rstd
  TODO("drstd");
  // rstd = (var + eps)^(-1/2)
  TODO("dvar");
  // var = (1/C) sum_j xmu^2, and xmu also feeds norm
  TODO("dxmu");
  // xmu = x - mean
  TODO("dmean");
  // x feeds xmu directly and through mean = (1/C) sum_j x
  TODO("dx");
}

// In one expression: the cache, dout (N,C) -> grads.dx_fused (N,C).
void layer_norm_backward_fused(const LayerNormCache& c, const Matrix& dout, LayerNormFusedGrads& grads) {
  TODO("dx_fused");
}

}  // namespace bpdojo
