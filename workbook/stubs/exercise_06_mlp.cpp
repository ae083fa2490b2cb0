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
  // loss = -(1/N) sum_n logprobs[n][Yb[n]]
  TODO("dlogprobs");
  // logprobs = log(probs)
  TODO("dprobs");
  // probs = counts * counts_sum_inv
  TODO("dcounts_sum_inv");
  // counts_sum_inv = 1 / counts_sum
  TODO("dcounts_sum");
  // counts feeds probs and counts_sum
  TODO("dcounts");
  // counts = exp(norm_logits)
  TODO("dnorm_logits");
  // norm_logits = logits - logit_maxes
  TODO("dlogit_maxes");
  // logits feeds norm_logits and logit_maxes
  TODO("dlogits");
  // logits = h W2 + b2
  TODO("dh");
  TODO("dW2");
  TODO("db2");
  // h = tanh(hpreact)
  TODO("dhpreact");
  // hpreact = bngain * bnraw + bnbias
  TODO("dbngain");
  TODO("dbnbias");
  TODO("dbnraw");
  // bnraw = bndiff * bnvar_inv
  TODO("dbnvar_inv");
  // bnvar_inv = (bnvar + eps)^(-1/2)
  TODO("dbnvar");
  // bnvar = 1/(N-1) sum_n bndiff2[n]
  TODO("dbndiff2");
  // bndiff feeds bndiff2 and bnraw
  TODO("dbndiff");
  // bndiff = hprebn - bnmeani
  TODO("dbnmeani");
  // hprebn feeds bndiff and bnmeani
  TODO("dhprebn");
  // hprebn = embcat W1 + b1
  TODO("dembcat");
  TODO("dW1");
  TODO("db1");
  // embcat = emb viewed as (N,30)
  TODO("demb");
  // emb = C[Xb]
  TODO("dC");
}

}  // namespace bpdojo
