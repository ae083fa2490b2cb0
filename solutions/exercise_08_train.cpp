// Exercise 08: train the MLP with your own backward pass, then sample names from it
// =============================================================================================
// Run:    checker exercise_08          Notes: docs/exercise_08.md
//         (--steps S, --hidden H, --lr LR; the lecture's full run: --steps 200000 --hidden 200)
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), exercise 4
//         (the full training loop with a manual backward pass): https://www.youtube.com/watch?v=q8SA3rM6ckI&t=6602s
// Read:   docs/exercise_07.md (the backward pass you reuse); CS231n, "Neural Networks Part 3:
//         Learning and Evaluation" (babysitting the loss curve): https://cs231n.github.io/neural-networks-3/
//
// The workbook draws the batches, runs the forward pass (the cache `c`, as in exercises 06 and 07)
// and sets the learning rate (lr for the first half of the steps, lr/10 after). You write:
//   Part 1, mlp_param_backward: the gradients of the loss with respect to the seven parameters
//     C, W1, b1, bngain, bnbias, W2, b2 (reuse your fused forms from exercise 07: you need no
//     intermediate gradient beyond dlogits, dh, dhpreact, dhprebn, dembcat and demb).
//   Part 2, sgd_step: one step of plain gradient descent on every parameter.
//
// What the checker does with it:
//   1. checks your gradients by finite differences at the initial parameters and at a second,
//      much wider parameter set (a backward pass that is right only at initialisation fails);
//   2. runs the training (20,000 steps, N=32, H=64 by default: a few seconds), takes the
//      parameters your run reports, and computes train and dev loss itself; the dev loss must
//      fall below the documented threshold;
//   3. calibrates batch norm over the training split, prints dev and test loss, samples 20 names,
//      and draws the loss curves in the terminal and as an SVG.
// =============================================================================================
#include "bpdojo/exercise_08_train.hpp"

namespace bpdojo {

// Part 1: the cache of one forward pass -> every field of g.
void mlp_param_backward(const MlpCache& c, MlpParamGrads& g) {
  const Index N = c.logits.rows();
  const double n = static_cast<double>(N);
  // cross-entropy, fused
  Matrix dlogits = c.probs;
  for (Index i = 0; i < N; ++i) dlogits(i, c.Yb[static_cast<std::size_t>(i)]) -= 1.0;
  dlogits /= n;
  // logits = h W2 + b2
  g.dW2 = c.h.transpose() * dlogits;
  g.db2 = dlogits.colwise().sum();
  const Matrix dh = dlogits * c.W2.transpose();
  // h = tanh(hpreact)
  const Matrix dhpreact = (1.0 - c.h.array().square()) * dh.array();
  // hpreact = bngain * bnraw + bnbias
  g.dbngain = (c.bnraw.array() * dhpreact.array()).colwise().sum();
  g.dbnbias = dhpreact.colwise().sum();
  // batch norm, fused
  const Eigen::ArrayXXd sum_d = dhpreact.colwise().sum().array().replicate(N, 1);
  const Eigen::ArrayXXd sum_draw = (dhpreact.array() * c.bnraw.array()).colwise().sum().replicate(N, 1);
  const Eigen::ArrayXXd scale = (c.bngain.array() * c.bnvar_inv.array() / n).replicate(N, 1);
  const Matrix dhprebn = scale * (n * dhpreact.array() - sum_d - n / (n - 1.0) * c.bnraw.array() * sum_draw);
  // hprebn = embcat W1 + b1
  g.dW1 = c.embcat.transpose() * dhprebn;
  g.db1 = dhprebn.colwise().sum();
  const Matrix dembcat = dhprebn * c.W1.transpose();
  // emb = C[Xb], viewed as embcat
  g.dC = Matrix::Zero(c.C.rows(), c.C.cols());
  const Index B = c.Xb.cols(), E = c.C.cols();
  for (Index i = 0; i < N; ++i)
    for (Index k = 0; k < B; ++k) g.dC.row(c.Xb(i, k)) += dembcat.block(i, k * E, 1, E);
}

// Part 2: one step of gradient descent with learning rate lr on every parameter.
void sgd_step(MlpParams& p, const MlpParamGrads& g, double lr) {
  p.C -= lr * g.dC;
  p.W1 -= lr * g.dW1;
  p.b1 -= lr * g.db1;
  p.bngain -= lr * g.dbngain;
  p.bnbias -= lr * g.dbnbias;
  p.W2 -= lr * g.dW2;
  p.b2 -= lr * g.db2;
}

}  // namespace bpdojo
