// Exercise 14: backpropagate through causal self-attention, one head step by step, then H heads (Part III)
// =============================================================================================
// Run:    checker exercise_14          Hints:  checker hint exercise_14; docs/exercise_14.md
// Watch:  "Let's build GPT: from scratch, in code, spelled out" (Karpathy), the self-attention
//         part: https://www.youtube.com/watch?v=kCc8FmEb1nY
// Read:   Vaswani et al., "Attention Is All You Need" (2017), https://arxiv.org/abs/1706.03762 ;
//         Radford et al., "Language Models are Unsupervised Multitask Learners" (GPT-2, 2019);
//         llm.c's attention_backward (the same loops in C), https://github.com/karpathy/llm.c
//
// Shapes: B sequences of T positions; a head has D channels, and H heads make C = H*D. Every
// Matrix is row-major; a (B*T, .) matrix holds sequence b's position t in row b*T + t. Attention
// mixes the positions of one sequence, never two sequences: work on sequence b's block of rows,
// c.q.middleRows(b * T, T), and write your gradient's block the same way.
//
// Part 1, one head. Forward (done for you; every intermediate is in the cache `c`), per sequence:
//     q = x Wq,  k = x Wk,  v = x Wv            (T,D) each; Wq, Wk, Wv (C,D)
//     scores = q k^T / sqrt(D)                  (T,T)  scores[t][s]: how much position t asks of s
//     e = exp(scores - maxes) where s <= t,     (T,T)  the causal mask: t never reads the future;
//         0 where s > t                                maxes (T,1), each row's largest score over
//                                                      s <= t, a constant (it cancels in att)
//     esum = sum_s e[:, s]                      (T,1)
//     att = e / esum                            (T,T)  each row a softmax over s <= t
//     y = att v                                 (T,D)
//     out = y Wo + bo                           (T,C)  Wo (D,C), bo (1,C)
// and a fixed random upstream gradient dout (B*T,C): the checker's loss is sum(out .* dout).
//   - Go backwards one line at a time, each d<name> with the shape of <name>.
//   - att feeds y in a product: datt and dv are products too, with a transpose each.
//   - att = e / esum: e reaches att directly and through esum; add the paths.
//   - e is 0 where s > t whatever the score there: the loss does not depend on a masked score,
//     and dscores must be exactly 0 there (not small: 0). de is not 0 there. Why?
//   - scores = q k^T / sqrt(D): the 1/sqrt(D) is in both dq and dk.
//   - x feeds q, k and v: dx adds three paths, and each W sums over every row of every sequence.
//
// Part 2, H heads as GPT-2's attention layer (c_attn, then c_proj). Forward, per sequence:
//     qkv = x W_attn + b_attn                   (T,3C)  q, k, v side by side; head h's part of
//                                                       each in its columns [h*D, (h+1)*D)
//     att_h = softmax over s <= t of q_h k_h^T / sqrt(D), 0 for s > t   (T,T) per head
//     y[:, head h's columns] = att_h v_h        (T,C)   the heads side by side
//     out = y W_proj + b_proj                   (T,C)
// att is kept as PyTorch's (B,H,T,T) viewed as (B*H*T,T): head h of sequence b in rows
// (b*H + h)*T .. +T-1. Derive the softmax's backward in one expression this time: from datt to
// dscores (the gradient of q_h k_h^T / sqrt(D), before the softmax) without e and esum. Write it
// in terms of att alone: it is 0 where att is 0, as it must be.
//
// Eigen: m.middleRows(r, n), m.middleCols(c, n), m.block(r, c, rows, cols) (read and write),
// m.rowwise().sum() ((N,T) -> (N,1)), m.colwise().sum() ((N,C) -> (1,C)),
// m.array().colwise() * col.col(0).array() (scale row n by col[n]), Matrix::Zero(rows, cols).
// =============================================================================================
#include "bpdojo/exercise_14_attention.hpp"

#include <cmath>

namespace bpdojo {

// Step by step, backwards through the cache, given dout (B*T,C) -> every field of grads.
void head_backward(const HeadCache& c, const Matrix& dout, HeadGrads& grads) {
  const Index B = c.B, T = c.T, D = c.q.cols();
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  // out = y Wo + bo
  const Matrix dy = dout * c.Wo.transpose();
  grads.dy = dy;
  grads.dWo = c.y.transpose() * dout;
  grads.dbo = dout.colwise().sum();
  // y = att v, in each sequence
  Matrix datt(B * T, T), dv(B * T, D);
  for (Index b = 0; b < B; ++b) {
    const Index r = b * T;
    datt.middleRows(r, T) = dy.middleRows(r, T) * c.v.middleRows(r, T).transpose();
    dv.middleRows(r, T) = c.att.middleRows(r, T).transpose() * dy.middleRows(r, T);
  }
  grads.datt = datt;
  grads.dv = dv;
  // att = e / esum: e directly, and through esum
  const Matrix desum = -(datt.array() * c.e.array()).rowwise().sum() / c.esum.array().square();
  grads.desum = desum;
  Matrix de = datt.array().colwise() / c.esum.col(0).array();
  de.colwise() += desum.col(0);
  grads.de = de;
  // e = exp(scores - maxes) where s <= t, 0 where s > t: de/dscores is e itself (0 where masked)
  const Matrix dscores = de.array() * c.e.array();
  grads.dscores = dscores;
  // scores = q k^T / sqrt(D), in each sequence
  Matrix dq(B * T, D), dk(B * T, D);
  for (Index b = 0; b < B; ++b) {
    const Index r = b * T;
    dq.middleRows(r, T) = dscores.middleRows(r, T) * c.k.middleRows(r, T) * scale;
    dk.middleRows(r, T) = dscores.middleRows(r, T).transpose() * c.q.middleRows(r, T) * scale;
  }
  grads.dq = dq;
  grads.dk = dk;
  // q, k, v = x Wq, x Wk, x Wv
  grads.dWq = c.x.transpose() * dq;
  grads.dWk = c.x.transpose() * dk;
  grads.dWv = c.x.transpose() * dv;
  grads.dx = dq * c.Wq.transpose() + dk * c.Wk.transpose() + dv * c.Wv.transpose();
}

// Every head, the softmax's backward in one expression: the cache, dout (B*T,C) -> grads.
void attention_backward(const AttentionCache& c, const Matrix& dout, AttentionGrads& grads) {
  const Index B = c.B, T = c.T, H = c.H, C = c.x.cols(), D = C / H;
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  // out = y W_proj + b_proj
  const Matrix dy = dout * c.W_proj.transpose();
  grads.dy = dy;
  grads.dW_proj = c.y.transpose() * dout;
  grads.db_proj = dout.colwise().sum();
  Matrix datt(B * H * T, T), dscores(B * H * T, T), dqkv(B * T, 3 * C);
  for (Index b = 0; b < B; ++b) {
    for (Index h = 0; h < H; ++h) {
      const Index r = b * T, a = (b * H + h) * T;  // sequence b's rows; head h's rows of att
      const Matrix q = c.qkv.block(r, h * D, T, D), k = c.qkv.block(r, C + h * D, T, D);
      const Matrix v = c.qkv.block(r, 2 * C + h * D, T, D), att = c.att.middleRows(a, T);
      const Matrix dy_h = dy.block(r, h * D, T, D);
      // y_h = att v_h
      const Matrix datt_h = dy_h * v.transpose();
      datt.middleRows(a, T) = datt_h;
      dqkv.block(r, 2 * C + h * D, T, D) = att.transpose() * dy_h;
      // the softmax over s <= t: dscores = att .* (datt - sum_s att .* datt)
      const Eigen::ArrayXd row_dot = (att.array() * datt_h.array()).rowwise().sum();
      const Matrix dscores_h = att.array() * (datt_h.array().colwise() - row_dot);
      dscores.middleRows(a, T) = dscores_h;
      // scores = q k^T / sqrt(D)
      dqkv.block(r, h * D, T, D) = dscores_h * k * scale;
      dqkv.block(r, C + h * D, T, D) = dscores_h.transpose() * q * scale;
    }
  }
  grads.datt = datt;
  grads.dscores = dscores;
  grads.dqkv = dqkv;
  // qkv = x W_attn + b_attn
  grads.dW_attn = c.x.transpose() * dqkv;
  grads.db_attn = dqkv.colwise().sum();
  grads.dx = dqkv * c.W_attn.transpose();
}

}  // namespace bpdojo
