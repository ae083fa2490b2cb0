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
  // loss = -(1/count) sum of mask * log softmax(logits)[y]
  TODO("dlogits");
  // logits_t = h_t Why + by, at every step
  TODO("dWhy");
  TODO("dby");
  // h_t = tanh(a_t), and a_{t+1} = ... + h_t Whh + ... (unless cut), from t = T down to 1
  TODO("dh");
  TODO("da");
  // a_t = Wxh[x_t] + h_{t-1} Whh + bh
  TODO("dWxh");
  TODO("dWhh");
  TODO("dbh");
  TODO("dh0");
}

// Clipping by the global norm (torch.nn.utils.clip_grad_norm_): in place; returns the norm before.
double clip_grad_norm(const std::vector<Matrix*>& grads, double max_norm) {
  TODO("clip.total_norm: the norm of all the gradients together, then the scale when it is above max_norm");
}

}  // namespace bpdojo
