// Exercise 05: backpropagate through batch normalization, step by step and then fused
// =============================================================================================
// Run:    checker exercise_05          Derivation: docs/exercise_05.md
// Watch:  "Building makemore Part 3: Activations & Gradients, BatchNorm" (Karpathy, lecture 4)
//         for what batch norm does: https://www.youtube.com/watch?v=P6sfmUTpUmc
//         then "Becoming a Backprop Ninja" (lecture 5), exercise 1 (the batch-norm lines) and
//         exercise 3 (fused): https://www.youtube.com/watch?v=q8SA3rM6ckI&t=5797s
// Read:   Ioffe and Szegedy, "Batch Normalization" (2015), section 3 derives the backward pass
//         (with the biased 1/N variance, where this workbook uses 1/(N-1)): https://arxiv.org/abs/1502.03167
//
// Shapes: N batch, H hidden units. Every Matrix is row-major: row n is example n.
//
// Forward (done for you; every intermediate is in the cache `c`, with the lecture's names):
//     bnmeani   = (1/N) sum_n hprebn[n]                (1,H)
//     bndiff    = hprebn - bnmeani                     (N,H)  (the row broadcast over the batch)
//     bndiff2   = bndiff^2                             (N,H)
//     bnvar     = 1/(N-1) sum_n bndiff2[n]             (1,H)  (Bessel's correction, as in the lecture)
//     bnvar_inv = (bnvar + eps)^(-1/2)                 (1,H)  eps = kBatchNormEps = 1e-5
//     bnraw     = bndiff * bnvar_inv                   (N,H)
//     hpreact   = bngain * bnraw + bnbias              (N,H)  bngain, bnbias (1,H)
// and a fixed random upstream gradient dhpreact (N,H): the checker's loss is sum(hpreact .* dhpreact).
//
// Part 1: go backwards one line at a time, each d<name> with the shape of <name>.
//   - A (1,H) row broadcast over the N rows in the forward is a sum over the rows in the backward.
//   - A sum over the rows in the forward is a broadcast in the backward.
//   - bndiff feeds both bndiff2 and bnraw, and hprebn feeds both bndiff and bnmeani: add the paths.
// Part 2: dhprebn in one expression, from dhpreact and the cache (derive it on paper: it is worth it).
//
// Eigen: m.colwise().sum() ((N,H) -> (1,H)), m.array().rowwise() * row.row(0).array() (scale
// column h by row[h]), row.replicate(N, 1) ((1,H) -> (N,H)), a.array().pow(p), Matrix::Ones(r, c).
// =============================================================================================
#include "bpdojo/exercise_05_batch_norm.hpp"

namespace bpdojo {

// Step by step, backwards through the cache, given dhpreact (N,H) -> every field of grads.
void batch_norm_backward(const BatchNormCache& c, const Matrix& dhpreact, BatchNormGrads& grads) {
  // hpreact = bngain * bnraw + bnbias
  const double n = static_cast<double>(c.hprebn.rows());
  grads.dbngain = (c.bnraw.array() * dhpreact.array()).colwise().sum();
  grads.dbnbias = dhpreact.colwise().sum();
  const Matrix dbnraw = dhpreact.array().rowwise() * c.bngain.row(0).array();
  grads.dbnraw = dbnraw;
  // bnraw = bndiff * bnvar_inv
  const Matrix dbnvar_inv = (c.bndiff.array() * dbnraw.array()).colwise().sum();
  grads.dbnvar_inv = dbnvar_inv;
  // bnvar_inv = (bnvar + eps)^(-1/2)
  const Matrix dbnvar = -0.5 * (c.bnvar.array() + kBatchNormEps).pow(-1.5) * dbnvar_inv.array();
  grads.dbnvar = dbnvar;
  // bnvar = 1/(N-1) sum_n bndiff2[n]
  const Matrix dbndiff2 = (dbnvar / (n - 1.0)).replicate(c.bndiff2.rows(), 1);
  grads.dbndiff2 = dbndiff2;
  // bndiff2 = bndiff^2, and bndiff also feeds bnraw
  Matrix dbndiff = dbnraw.array().rowwise() * c.bnvar_inv.row(0).array();
  dbndiff += (2.0 * c.bndiff.array() * dbndiff2.array()).matrix();
  grads.dbndiff = dbndiff;
  // bndiff = hprebn - bnmeani
  const Matrix dbnmeani = -dbndiff.colwise().sum();
  grads.dbnmeani = dbnmeani;
  // hprebn feeds bndiff directly and through bnmeani = (1/N) sum_n hprebn[n]
  Matrix dhprebn = dbndiff;
  dhprebn.rowwise() += dbnmeani.row(0) / n;
  grads.dhprebn = dhprebn;
}

// In one expression: the cache, dhpreact (N,H) -> grads.dhprebn_fused (N,H).
void batch_norm_backward_fused(const BatchNormCache& c, const Matrix& dhpreact, BatchNormFusedGrads& grads) {
  const double n = static_cast<double>(c.hprebn.rows());
  const Eigen::ArrayXXd sum_d = dhpreact.colwise().sum().array().replicate(c.hprebn.rows(), 1);
  const Eigen::ArrayXXd sum_draw =
      (dhpreact.array() * c.bnraw.array()).colwise().sum().replicate(c.hprebn.rows(), 1);
  const Eigen::ArrayXXd scale = (c.bngain.array() * c.bnvar_inv.array() / n).replicate(c.hprebn.rows(), 1);
  grads.dhprebn_fused = scale * (n * dhpreact.array() - sum_d - n / (n - 1.0) * c.bnraw.array() * sum_draw);
}

}  // namespace bpdojo
