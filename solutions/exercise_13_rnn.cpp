// Exercise 13: backpropagation through time in a vanilla RNN, full and truncated (Part III)
// =============================================================================================
// Run:    checker exercise_13          Hints:  checker hint exercise_13; docs/exercise_13.md
// Watch:  Stanford CS224n, the lectures on language models and recurrent networks (the unrolled
//         graph, vanishing and exploding gradients, clipping): https://web.stanford.edu/class/cs224n/
//         (free videos and notes); Karpathy's "makemore" lectures for the names data.
// Read:   Karpathy, "The Unreasonable Effectiveness of Recurrent Neural Networks" (2015),
//         https://karpathy.github.io/2015/05/21/rnn-effectiveness/ ; Werbos, "Backpropagation
//         through time: what it does and how to do it" (1990); Pascanu, Mikolov and Bengio, "On the
//         difficulty of training recurrent neural networks" (2013), https://arxiv.org/abs/1211.5063
//
// Shapes: N names, T steps (the longest name of the batch plus one), H hidden, V = 27 characters.
// Every Matrix is row-major; the (T*N, .) ones are time-major: step t (1..T) is the block of N
// rows c.h.middleRows((t-1)*N, N), and row (t-1)*N + i is name i.
//
// Forward (done for you; everything is in the cache `c`, the batch `b` and the parameters `p`):
//     a_t      = Wxh[x_t] + h_{t-1} Whh + bh        (N,H)  h_0 = p.h0 (1,H) for every name
//     h_t      = tanh(a_t)                           (N,H)
//     logits_t = h_t Why + by                        (N,V)
//     loss     = -(1/count) sum over the real positions r (mask[r] = 1) of log probs[r][y[r]]
// Padding positions (mask 0) are computed but never reach the loss.
//
// Backward: every gradient of the loss, d<name> with the shape of <name>.
//   - dlogits: softmax cross-entropy averaged over the count real positions, zero at padding.
//   - dh_t has two paths: through logits_t, and through a_{t+1} (via Whh). Go from t = T down to 1.
//   - Truncation: a_{t+1} reads h_t as a constant when t is a multiple of k (t = k, 2k, ...): no
//     gradient crosses from step t+1 into h_t there. The parameters are still used at every step.
//   - Wxh, Whh, bh, Why, by are used at every step (and every name): sum over all of them.
//
// Then clip_grad_norm: clipping by the global norm of all the gradients together, exactly as
// torch.nn.utils.clip_grad_norm_ (its definition is in bpdojo/exercise_13_rnn.hpp).
//
// Then training: the runner trains the RNN on the names with both functions, full BPTT and
// truncated with k = 3, and the checker compares the two dev losses (docs/exercise_13.md,
// "Training"; about 10 s; `--steps 0` checks the gradients alone).
//
// Eigen: m.middleRows(r, N) (N rows from row r), m.transpose(), m.colwise().sum() ((R,C) ->
// (1,C)), m.array().square(), row.replicate(N, 1) ((1,H) -> (N,H)), m.row(i) += v,
// m.squaredNorm() (the sum of the squares of m's elements).
// =============================================================================================
#include "bpdojo/exercise_13_rnn.hpp"

#include <cmath>

namespace bpdojo {

void rnn_backward(const RnnBatch& b, const RnnParams& p, const RnnCache& c, int k, RnnGrads& grads) {
  const Index N = b.N, T = b.T, H = p.Whh.rows();
  // loss = -(1/count) sum of mask * log softmax(logits)[y]
  Matrix dlogits = c.probs;
  for (Index r = 0; r < T * N; ++r) dlogits(r, b.y[static_cast<std::size_t>(r)]) -= 1.0;
  dlogits = (dlogits.array().colwise() * b.mask.col(0).array()).matrix() / b.count;
  grads.dlogits = dlogits;
  // logits_t = h_t Why + by, at every step
  grads.dWhy = c.h.transpose() * dlogits;
  grads.dby = dlogits.colwise().sum();
  // h_t = tanh(a_t), and a_{t+1} = ... + h_t Whh + ... (unless cut), from t = T down to 1
  Matrix dh(T * N, H), da(T * N, H);
  Matrix from_next = Matrix::Zero(N, H);  // da_{t+1} Whh^T, the path through the next step
  for (Index t = T; t >= 1; --t) {
    const Index r = (t - 1) * N;
    dh.middleRows(r, N) = dlogits.middleRows(r, N) * p.Why.transpose() + from_next;
    da.middleRows(r, N) = dh.middleRows(r, N).array() * (1.0 - c.h.middleRows(r, N).array().square());
    const bool cut = t - 1 >= 1 && (t - 1) % k == 0;  // a_t reads h_{t-1} detached
    from_next = cut ? Matrix::Zero(N, H) : Matrix(da.middleRows(r, N) * p.Whh.transpose());
  }
  grads.dh = dh;
  grads.da = da;
  // a_t = Wxh[x_t] + h_{t-1} Whh + bh
  Matrix dWxh = Matrix::Zero(p.Wxh.rows(), H);
  for (Index r = 0; r < T * N; ++r) dWxh.row(b.x[static_cast<std::size_t>(r)]) += da.row(r);
  grads.dWxh = dWxh;
  Matrix h_prev(T * N, H);  // h_{t-1} for every step: h0 for t = 1
  h_prev.topRows(N) = p.h0.replicate(N, 1);
  h_prev.bottomRows((T - 1) * N) = c.h.topRows((T - 1) * N);
  grads.dWhh = h_prev.transpose() * da;
  grads.dbh = da.colwise().sum();
  grads.dh0 = (da.topRows(N) * p.Whh.transpose()).colwise().sum();
}

// Clipping by the global norm (torch.nn.utils.clip_grad_norm_): in place; returns the norm before.
double clip_grad_norm(const std::vector<Matrix*>& grads, double max_norm) {
  double squares = 0.0;
  for (const Matrix* g : grads) squares += g->squaredNorm();
  const double total = std::sqrt(squares);
  const double scale = max_norm / (total + kClipEps);
  if (scale < 1.0)
    for (Matrix* g : grads) *g *= scale;
  return total;
}

}  // namespace bpdojo
