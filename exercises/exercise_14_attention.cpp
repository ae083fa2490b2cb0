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
  // out = y Wo + bo
  TODO("dy");
  TODO("dWo");
  TODO("dbo");
  // y = att v, in each sequence
  TODO("datt");
  TODO("dv");
  // att = e / esum
  TODO("desum");
  TODO("de");
  // e = exp(scores - maxes) where s <= t, 0 where s > t
  TODO("dscores");
  // scores = q k^T / sqrt(D), in each sequence
  TODO("dq");
  TODO("dk");
  // q, k, v = x Wq, x Wk, x Wv
  TODO("dWq");
  TODO("dWk");
  TODO("dWv");
  TODO("dx");
}

// Every head, the softmax's backward in one expression: the cache, dout (B*T,C) -> grads.
void attention_backward(const AttentionCache& c, const Matrix& dout, AttentionGrads& grads) {
  // out = y W_proj + b_proj
  TODO("mh.dy");
  TODO("mh.dW_proj");
  TODO("mh.db_proj");
  // per sequence b and head h: y_h = att_h v_h, the softmax over s <= t, scores = q_h k_h^T / sqrt(D)
  TODO("mh.datt");
  TODO("mh.dscores");
  TODO("mh.dqkv");
  // qkv = x W_attn + b_attn
  TODO("mh.dW_attn");
  TODO("mh.db_attn");
  TODO("mh.dx");
}

}  // namespace bpdojo
