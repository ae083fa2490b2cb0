// Exercise 07: backpropagate through the whole MLP with fused layers
// =============================================================================================
// Run:    checker exercise_07          Derivation: docs/exercise_07.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), exercises 2
//         and 3 (cross-entropy and batch norm in one expression each), then exercise 4 (all of it):
//         https://www.youtube.com/watch?v=q8SA3rM6ckI&t=5191s
// Read:   your exercises 04 and 05 (Part 2 of each is half of this one), and docs/exercise_07.md
//
// Shapes: N batch, H hidden units, V = 27 characters. Every Matrix is row-major: row n is example n.
// The network and the cache `c` are those of exercise 06 (bpdojo/mlp.hpp). This time the checker
// sees batch norm as one step, hprebn -> hpreact, and cross-entropy as one step, logits -> loss:
//     emb     = C[Xb]                 (N*3,10)
//     embcat  = emb viewed as (N,30)
//     hprebn  = embcat W1 + b1        (N,H)
//     hpreact = bngain * (hprebn - mean) / sqrt(var + 1e-5) + bnbias   (N,H)  mean and var over
//               the batch, var with 1/(N-1); the cache still holds bnraw, bnvar_inv, ...
//     h       = tanh(hpreact)         (N,H)
//     logits  = h W2 + b2             (N,V)
//     loss    = cross-entropy of softmax(logits) against Yb, mean over the batch
//
// dlogits in one expression from logits (or c.probs) and Yb; dhprebn in one expression from
// dhpreact and the cache (no dbnraw, dbnvar, ... on the way); everything else as in exercise 06.
// =============================================================================================
#include "bpdojo/exercise_07_mlp_fused.hpp"

namespace bpdojo {

// Backwards through the cache with the fused forms -> every field of grads.
void mlp_backward_fused(const MlpCache& c, MlpFusedGrads& grads) {
  const Index N = c.logits.rows();
  const double n = static_cast<double>(N);
  // cross-entropy, fused: loss = -(1/N) sum_n log softmax(logits)[n][Yb[n]]
  Matrix dlogits = c.probs;
  for (Index i = 0; i < N; ++i) dlogits(i, c.Yb[static_cast<std::size_t>(i)]) -= 1.0;
  dlogits /= n;
  grads.dlogits = dlogits;
  // logits = h W2 + b2
  const Matrix dh = dlogits * c.W2.transpose();
  grads.dh = dh;
  grads.dW2 = c.h.transpose() * dlogits;
  grads.db2 = dlogits.colwise().sum();
  // h = tanh(hpreact)
  const Matrix dhpreact = (1.0 - c.h.array().square()) * dh.array();
  grads.dhpreact = dhpreact;
  // hpreact = bngain * bnraw + bnbias
  grads.dbngain = (c.bnraw.array() * dhpreact.array()).colwise().sum();
  grads.dbnbias = dhpreact.colwise().sum();
  // batch norm, fused: hprebn -> hpreact
  const Eigen::ArrayXXd sum_d = dhpreact.colwise().sum().array().replicate(N, 1);
  const Eigen::ArrayXXd sum_draw = (dhpreact.array() * c.bnraw.array()).colwise().sum().replicate(N, 1);
  const Eigen::ArrayXXd scale = (c.bngain.array() * c.bnvar_inv.array() / n).replicate(N, 1);
  const Matrix dhprebn = scale * (n * dhpreact.array() - sum_d - n / (n - 1.0) * c.bnraw.array() * sum_draw);
  grads.dhprebn = dhprebn;
  // hprebn = embcat W1 + b1
  const Matrix dembcat = dhprebn * c.W1.transpose();
  grads.dembcat = dembcat;
  grads.dW1 = c.embcat.transpose() * dhprebn;
  grads.db1 = dhprebn.colwise().sum();
  // embcat = emb viewed as (N,30)
  const Matrix demb = Eigen::Map<const Matrix>(dembcat.data(), c.emb.rows(), c.emb.cols());
  grads.demb = demb;
  // emb = C[Xb]
  Matrix dC = Matrix::Zero(c.C.rows(), c.C.cols());
  for (Index i = 0; i < N; ++i)
    for (Index k = 0; k < c.Xb.cols(); ++k) dC.row(c.Xb(i, k)) += demb.row(i * c.Xb.cols() + k);
  grads.dC = dC;
}

}  // namespace bpdojo
