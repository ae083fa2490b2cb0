// Exercise 06: backpropagate through the whole MLP, one intermediate at a time
// =============================================================================================
// Run:    checker exercise_06          Derivation: docs/exercise_06.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), exercise 1
//         (all of it): https://www.youtube.com/watch?v=q8SA3rM6ckI&t=781s ; the network itself is built in
//         "Building makemore Part 2: MLP" (lecture 3): https://www.youtube.com/watch?v=TCH_1BHY58I
// Read:   Bengio et al., "A Neural Probabilistic Language Model" (2003), the model this is:
//         https://www.jmlr.org/papers/volume3/bengio03a/bengio03a.pdf
//
// Shapes: N batch, H hidden units, V = 27 characters. Every Matrix is row-major: row n is example n.
// Xb (N,3) holds the three context characters of each example, Yb[n] the character that follows.
//
// Forward (done for you; every intermediate is in the cache `c`, see bpdojo/mlp.hpp):
//     emb            = C[Xb]                     (N*3,10)  row n*3+k is C.row(Xb(n,k))
//     embcat         = emb viewed as (N,30)      (N,30)    row n is rows n*3..n*3+2 of emb, side by side
//     hprebn         = embcat W1 + b1            (N,H)
//     bnmeani        = (1/N) sum_n hprebn[n]     (1,H)
//     bndiff         = hprebn - bnmeani          (N,H)
//     bndiff2        = bndiff^2                  (N,H)
//     bnvar          = 1/(N-1) sum_n bndiff2[n]  (1,H)     (Bessel's correction)
//     bnvar_inv      = (bnvar + 1e-5)^(-1/2)     (1,H)
//     bnraw          = bndiff * bnvar_inv        (N,H)
//     hpreact        = bngain * bnraw + bnbias   (N,H)
//     h              = tanh(hpreact)             (N,H)
//     logits         = h W2 + b2                 (N,V)
//     logit_maxes    = max over each row         (N,1)
//     norm_logits    = logits - logit_maxes      (N,V)
//     counts         = exp(norm_logits)          (N,V)
//     counts_sum     = sum over each row         (N,1)
//     counts_sum_inv = 1 / counts_sum            (N,1)
//     probs          = counts * counts_sum_inv   (N,V)
//     logprobs       = log(probs)                (N,V)
//     loss           = -(1/N) sum_n logprobs[n][Yb[n]]
//
// Go backwards one line at a time: each d<name> is the gradient of the loss with respect to
// <name> and has the shape of <name>. You have done the loss (exercise 04), a linear layer (02),
// tanh (03) and batch norm (05); what is new is the embedding:
//   - embcat is only a view of emb: demb holds the same numbers as dembcat, in emb's shape.
//     Eigen::Map<const Matrix>(m.data(), rows, cols) views a row-major Matrix in another shape;
//     a plain Eigen::Map<const Eigen::MatrixXd> would read it column by column.
//   - emb = C[Xb] copies rows of C; a character that appears several times in the batch gets
//     the sum of all its rows' gradients.
// The checker judges each line twice: against finite differences of the loss, and against your
// own gradients of the lines before it. A wrong line is named once; the lines after it that are
// right given it are shown as inheriting its error.
//
// Eigen: a * b (matrix product), m.transpose(), m.colwise().sum() ((N,H) -> (1,H)),
// m.rowwise().sum() ((N,V) -> (N,1)), m.row(n).maxCoeff(&j), Matrix::Zero(rows, cols).
// =============================================================================================
#include "bpdojo/exercise_06_mlp.hpp"

namespace bpdojo {

// Backwards through the cache, one intermediate at a time -> every field of grads.
void mlp_backward(const MlpCache& c, MlpGrads& grads) {
  const Index N = c.logits.rows(), V = c.logits.cols();
  const double n = static_cast<double>(N);
  // loss = -(1/N) sum_n logprobs[n][Yb[n]]
  Matrix dlogprobs = Matrix::Zero(N, V);
  for (Index i = 0; i < N; ++i) dlogprobs(i, c.Yb[static_cast<std::size_t>(i)]) = -1.0 / n;
  grads.dlogprobs = dlogprobs;
  // logprobs = log(probs)
  const Matrix dprobs = dlogprobs.array() / c.probs.array();
  grads.dprobs = dprobs;
  // probs = counts * counts_sum_inv
  const Matrix dcounts_sum_inv = (c.counts.array() * dprobs.array()).rowwise().sum();
  grads.dcounts_sum_inv = dcounts_sum_inv;
  // counts_sum_inv = 1 / counts_sum
  const Matrix dcounts_sum = -c.counts_sum.array().square().inverse() * dcounts_sum_inv.array();
  grads.dcounts_sum = dcounts_sum;
  // counts feeds probs and counts_sum
  Matrix dcounts = dprobs.array().colwise() * c.counts_sum_inv.col(0).array();
  dcounts.colwise() += dcounts_sum.col(0);
  grads.dcounts = dcounts;
  // counts = exp(norm_logits)
  const Matrix dnorm_logits = c.counts.array() * dcounts.array();
  grads.dnorm_logits = dnorm_logits;
  // norm_logits = logits - logit_maxes
  const Matrix dlogit_maxes = -dnorm_logits.rowwise().sum();
  grads.dlogit_maxes = dlogit_maxes;
  // logits feeds norm_logits and logit_maxes
  Matrix dlogits = dnorm_logits;
  for (Index i = 0; i < N; ++i) {
    Index j = 0;
    c.logits.row(i).maxCoeff(&j);
    dlogits(i, j) += dlogit_maxes(i, 0);
  }
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
  const Matrix dbnraw = dhpreact.array().rowwise() * c.bngain.row(0).array();
  grads.dbnraw = dbnraw;
  // bnraw = bndiff * bnvar_inv
  const Matrix dbnvar_inv = (c.bndiff.array() * dbnraw.array()).colwise().sum();
  grads.dbnvar_inv = dbnvar_inv;
  // bnvar_inv = (bnvar + eps)^(-1/2)
  const Matrix dbnvar = -0.5 * (c.bnvar.array() + kBnEps).pow(-1.5) * dbnvar_inv.array();
  grads.dbnvar = dbnvar;
  // bnvar = 1/(N-1) sum_n bndiff2[n]
  const Matrix dbndiff2 = (dbnvar / (n - 1.0)).replicate(N, 1);
  grads.dbndiff2 = dbndiff2;
  // bndiff feeds bndiff2 and bnraw
  Matrix dbndiff = dbnraw.array().rowwise() * c.bnvar_inv.row(0).array();
  dbndiff += (2.0 * c.bndiff.array() * dbndiff2.array()).matrix();
  grads.dbndiff = dbndiff;
  // bndiff = hprebn - bnmeani
  const Matrix dbnmeani = -dbndiff.colwise().sum();
  grads.dbnmeani = dbnmeani;
  // hprebn feeds bndiff and bnmeani
  Matrix dhprebn = dbndiff;
  dhprebn.rowwise() += dbnmeani.row(0) / n;
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
