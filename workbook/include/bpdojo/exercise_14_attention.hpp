// Exercise 14: causal self-attention. The signatures you implement in
// exercises/exercise_14_attention.cpp. Shapes: B sequences of T positions, H heads of D channels
// each, C = H*D channels in all. Matrices are row-major; a (B*T, .) matrix holds sequence b's
// position t in row b*T + t, and attention mixes the rows of one sequence only.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// Part 1: one head, step by step. Everything the forward pass computed.
struct HeadCache {
  Index B = 0, T = 0;  // sequences, positions (D = q.cols(), C = x.cols())
  Matrix x;            // (B*T,C) the input
  Matrix Wq, Wk, Wv;   // (C,D) the projections to queries, keys and values
  Matrix q, k, v;      // (B*T,D) x Wq, x Wk, x Wv
  Matrix scores;       // (B*T,T) row b*T+t, column s: q_t . k_s / sqrt(D) (every s, masked or not)
  Matrix maxes;        // (B*T,1) each row's largest score over s <= t (a constant: it cancels in att)
  Matrix e;            // (B*T,T) exp(scores - maxes) where s <= t, exactly 0 where s > t (the mask)
  Matrix esum;         // (B*T,1) each row's sum of e
  Matrix att;          // (B*T,T) e / esum: each row sums to 1 over s <= t, 0 for s > t
  Matrix y;            // (B*T,D) att v, sequence by sequence
  Matrix Wo;           // (D,C) the output projection
  Matrix bo;           // (1,C)
  Matrix out;          // (B*T,C) y Wo + bo
};

struct HeadGrads {
  Grad dy{"dy"};            // (B*T,D)
  Grad dWo{"dWo"};          // (D,C)
  Grad dbo{"dbo"};          // (1,C)
  Grad datt{"datt"};        // (B*T,T)
  Grad dv{"dv"};            // (B*T,D)
  Grad desum{"desum"};      // (B*T,1)
  Grad de{"de"};            // (B*T,T)
  Grad dscores{"dscores"};  // (B*T,T)
  Grad dq{"dq"};            // (B*T,D)
  Grad dk{"dk"};            // (B*T,D)
  Grad dWq{"dWq"};          // (C,D)
  Grad dWk{"dWk"};          // (C,D)
  Grad dWv{"dWv"};          // (C,D)
  Grad dx{"dx"};            // (B*T,C)
};

// Step by step, backwards through the cache, given dout (B*T,C) -> every field of grads.
void head_backward(const HeadCache& c, const Matrix& dout, HeadGrads& grads);

// Part 2: H heads at once, as GPT-2's attention layer computes them (c_attn, then c_proj). The
// softmax is one step here, and its backward one expression.
struct AttentionCache {
  Index B = 0, T = 0, H = 0;  // sequences, positions, heads (D = C/H, C = x.cols())
  Matrix x;                   // (B*T,C) the input
  Matrix W_attn;              // (C,3C) the queries', keys' and values' projections side by side
  Matrix b_attn;              // (1,3C)
  Matrix qkv;                 // (B*T,3C) x W_attn + b_attn: q in columns [0,C), k in [C,2C),
                              // v in [2C,3C); head h's part of each in its columns [h*D,(h+1)*D)
  Matrix att;                 // (B*H*T,T) row (b*H+h)*T+t, column s: head h's softmax over s <= t
                              // of q_t . k_s / sqrt(D), exactly 0 for s > t (PyTorch's (B,H,T,T))
  Matrix y;                   // (B*T,C) head h's att v in columns [h*D,(h+1)*D)
  Matrix W_proj;              // (C,C) the output projection
  Matrix b_proj;              // (1,C)
  Matrix out;                 // (B*T,C) y W_proj + b_proj
};

struct AttentionGrads {
  Grad dy{"mh.dy"};            // (B*T,C)
  Grad dW_proj{"mh.dW_proj"};  // (C,C)
  Grad db_proj{"mh.db_proj"};  // (1,C)
  Grad datt{"mh.datt"};        // (B*H*T,T)
  Grad dscores{"mh.dscores"};  // (B*H*T,T) the gradient of the scaled scores, before the softmax
  Grad dqkv{"mh.dqkv"};        // (B*T,3C)
  Grad dW_attn{"mh.dW_attn"};  // (C,3C)
  Grad db_attn{"mh.db_attn"};  // (1,3C)
  Grad dx{"mh.dx"};            // (B*T,C)
};

// Every head, the softmax's backward in one expression: the cache, dout (B*T,C) -> grads.
void attention_backward(const AttentionCache& c, const Matrix& dout, AttentionGrads& grads);

}  // namespace bpdojo
