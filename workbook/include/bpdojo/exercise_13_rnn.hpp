// Exercise 13: a vanilla RNN over a batch of names, and backpropagation through time. The
// signatures you implement in exercises/exercise_13_rnn.cpp.
//
// Shapes: N names, T time steps (the longest name of the batch plus one), H hidden units, V = 27
// characters. Matrices are row-major, and every (T*N, .) matrix is time-major: time step t
// (t = 1..T) is the block of N rows starting at row (t-1)*N, and row (t-1)*N + i is name i.
#pragma once

#include "bpdojo/learner.hpp"

#include <vector>

namespace bpdojo {

// A batch of names, padded to the longest. Name i, of L characters c_1..c_L, is read for L + 1
// steps: at step t the input is the character before (x = '.' at t = 1, then c_{t-1}) and the target
// is c_t ('.' at t = L + 1, the end of the name). Steps after L + 1 are padding: x = y = 0, mask 0.
// Use the mask, not the names' lengths: two of the runner's calls pass windows of text whose loss is
// at the last step alone (see rnn_backward).
struct RnnBatch {
  Index N = 0, T = 0;
  std::vector<int> x;  // (T*N) the input character of each position (0 is '.')
  std::vector<int> y;  // (T*N) the character to predict
  Matrix mask;         // (T*N,1) 1 at a position the loss counts (a real one), 0 elsewhere (padding)
  double count = 0;    // the number of positions the loss counts, sum(mask)
};

struct RnnParams {
  Matrix Wxh;  // (V,H) input to hidden: the one-hot x_t times Wxh is row x_t of Wxh
  Matrix Whh;  // (H,H) hidden to hidden
  Matrix bh;   // (1,H)
  Matrix Why;  // (H,V) hidden to logits
  Matrix by;   // (1,V)
  Matrix h0;   // (1,H) the initial hidden state h_0, learned, the same for every name
};

// The forward pass, done for you:
//     a_t      = Wxh[x_t] + h_{t-1} Whh + bh        (N,H)  h_0 = h0 for every name
//     h_t      = tanh(a_t)                           (N,H)
//     logits_t = h_t Why + by                        (N,V)
//     loss     = -(1/count) sum over real positions of log softmax(logits)[y]
struct RnnCache {
  Matrix a;       // (T*N,H) a_1..a_T, stacked in time
  Matrix h;       // (T*N,H) h_1..h_T
  Matrix logits;  // (T*N,V)
  Matrix probs;   // (T*N,V) softmax of each row of logits
  double loss = 0;
};

// Which of the runner's calls a set of gradients is for; it names them: dlogits, ... for full BPTT,
// trunc.dlogits, ... for the truncated call, vanish.dlogits and explode.dlogits for the two
// gradient-flow batches (see rnn_backward).
enum class RnnCall { Full, Truncated, Vanishing, Exploding };
const char* rnn_grad_name(RnnCall call, int field);  // field: 0 dlogits ... 8 dh0, in the order below

struct RnnGrads {
  explicit RnnGrads(RnnCall call = RnnCall::Full)
      : dlogits(rnn_grad_name(call, 0)),
        dWhy(rnn_grad_name(call, 1)),
        dby(rnn_grad_name(call, 2)),
        dh(rnn_grad_name(call, 3)),
        da(rnn_grad_name(call, 4)),
        dWxh(rnn_grad_name(call, 5)),
        dWhh(rnn_grad_name(call, 6)),
        dbh(rnn_grad_name(call, 7)),
        dh0(rnn_grad_name(call, 8)) {}
  Grad dlogits;  // (T*N,V)
  Grad dWhy;     // (H,V)
  Grad dby;      // (1,V)
  Grad dh;       // (T*N,H) dL/dh_t for every t: through logits_t and through a_{t+1}
  Grad da;       // (T*N,H)
  Grad dWxh;     // (V,H)
  Grad dWhh;     // (H,H)
  Grad dbh;      // (1,H)
  Grad dh0;      // (1,H)
};

// Backpropagation through time, truncated every k steps: the hidden state is detached after steps
// k, 2k, 3k, ... (a_{k+1} reads h_k as a constant), as PyTorch's h = h.detach() between chunks
// does, so no gradient flows from one chunk into the one before. With k >= T nothing is cut: full
// BPTT. The runner calls it with k = T, then k = K (the size letter); then twice more with k = T on
// batches whose loss is at the last step only (mask 1 at t = T alone, count = N: windows of T
// characters of the names run together), one with a small Whh and one with a large one, where
// dh_t = dL_T/dh_t shows the gradient vanish or explode as it flows back in time (the report
// plots its norm against T - t).
void rnn_backward(const RnnBatch& batch, const RnnParams& p, const RnnCache& c, int k, RnnGrads& grads);

// Clipping by the global norm, as torch.nn.utils.clip_grad_norm_ does it: total = the norm of all
// the gradients together, sqrt(sum over every gradient of the sum of its squares); when
// max_norm / (total + kClipEps) < 1, every gradient is multiplied by that factor, else none is
// changed. Clips the gradients in place and returns total, the norm before clipping. The runner
// calls it twice on gradients of the six parameters' shapes: once with max_norm below their norm,
// once above it.
inline constexpr double kClipEps = 1e-6;
double clip_grad_norm(const std::vector<Matrix*>& grads, double max_norm);

}  // namespace bpdojo
