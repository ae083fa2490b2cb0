// Exercise 15: a GPT block trained on the names. The signatures you implement in
// exercises/exercise_15_gpt.cpp. Shapes: B names of T positions (the batch padded to its longest
// name plus one), H heads of D channels, C = H*D channels, V = 27 characters. Matrices are
// row-major; a (B*T, .) matrix holds name b's position t in row b*T + t, and attention mixes the
// rows of one name only (exercise 14's layout).
#pragma once

#include "bpdojo/exercise_12_layer_norm.hpp"  // kLayerNormEps
#include "bpdojo/learner.hpp"

#include <vector>

namespace bpdojo {

// A batch of names, padded. Name b, of L characters c_1..c_L, fills positions t = 0..L: the input
// at t is the character before (x = '.' at t = 0, then c_t), the target c_{t+1} ('.' at t = L, the
// end). Positions after L are padding: x = y = 0, mask 0. The context of position t is the name so
// far, positions 0..t (the causal mask).
struct GptBatch {
  Index B = 0, T = 0;
  std::vector<int> x;  // (B*T) the input character of each position (0 is '.')
  std::vector<int> y;  // (B*T) the character to predict
  Matrix mask;         // (B*T,1) 1 where the loss counts, 0 at padding
  double count = 0;    // sum(mask)
};

// The parameters, GPT-2's names (llm.c's), a linear layer's weight as (in,out): x W + b.
struct GptParams {
  Index H = 0;                // heads (D = C/H)
  Matrix wte;                 // (V,C) token embeddings
  Matrix wpe;                 // (Tmax,C) position embeddings, Tmax >= T (row t for position t)
  Matrix ln1w, ln1b;          // (1,C)
  Matrix attnw, attnb;        // (C,3C), (1,3C) c_attn: q, k, v side by side
  Matrix attprojw, attprojb;  // (C,C), (1,C) c_proj of the attention
  Matrix ln2w, ln2b;          // (1,C)
  Matrix fcw, fcb;            // (C,4C), (1,4C) the MLP's c_fc
  Matrix fcprojw, fcprojb;    // (4C,C), (1,C) the MLP's c_proj
  Matrix lnfw, lnfb;          // (1,C) the final layer norm
  Matrix lmw, lmb;            // (C,V), (1,V) the language-model head (not tied to wte)
};

// The forward pass, done for you (LN: exercise 12's layer norm, eps kLayerNormEps; GELU: exercise
// 09's tanh approximation; attention: exercise 14's Part 2), row r = b*T + t:
//     encoded   = wte[x_r] + wpe[t]                         (B*T,C)
//     ln1       = LN(encoded; ln1w, ln1b)
//     qkv       = ln1 attnw + attnb                          (B*T,3C)
//     att, atty = causal self-attention of qkv, per name    att (B*H*T,T), atty (B*T,C)
//     attproj   = atty attprojw + attprojb
//     residual2 = encoded + attproj                          the residual stream
//     ln2       = LN(residual2; ln2w, ln2b)
//     fch       = ln2 fcw + fcb                              (B*T,4C)
//     fch_gelu  = GELU(fch)
//     fcproj    = fch_gelu fcprojw + fcprojb                 (B*T,C)
//     residual3 = residual2 + fcproj
//     lnf       = LN(residual3; lnfw, lnfb)
//     logits    = lnf lmw + lmb                              (B*T,V)
//     loss      = -(1/count) sum over the real positions of log softmax(logits)[y]
struct GptCache {
  Matrix encoded;
  Matrix ln1, ln1_mean, ln1_rstd;  // (B*T,C), (B*T,1), (B*T,1)
  Matrix qkv;
  Matrix att;  // (B*H*T,T) row (b*H+h)*T+t: head h's softmax over s <= t, 0 for s > t
  Matrix atty;
  Matrix attproj;
  Matrix residual2;
  Matrix ln2, ln2_mean, ln2_rstd;
  Matrix fch, fch_gelu;
  Matrix fcproj;
  Matrix residual3;
  Matrix lnf, lnf_mean, lnf_rstd;
  Matrix logits;
  Matrix probs;  // (B*T,V) softmax of each row of logits
  double loss = 0;
};

// The runner's calls: set 0 names the gradients dlogits, ...; set 1 (the second parameter set)
// p2.dlogits, ...
const char* gpt_grad_name(int set, int field);  // field: 0 dlogits ... 28 dlmb, in the order below

struct GptGrads {
  explicit GptGrads(int set = 0)
      : dlogits(gpt_grad_name(set, 0)), dlnf(gpt_grad_name(set, 1)), dresidual3(gpt_grad_name(set, 2)),
        dfch_gelu(gpt_grad_name(set, 3)), dfch(gpt_grad_name(set, 4)), dln2(gpt_grad_name(set, 5)),
        dresidual2(gpt_grad_name(set, 6)), datty(gpt_grad_name(set, 7)), dqkv(gpt_grad_name(set, 8)),
        dln1(gpt_grad_name(set, 9)), dencoded(gpt_grad_name(set, 10)), dwte(gpt_grad_name(set, 11)),
        dwpe(gpt_grad_name(set, 12)), dln1w(gpt_grad_name(set, 13)), dln1b(gpt_grad_name(set, 14)),
        dattnw(gpt_grad_name(set, 15)), dattnb(gpt_grad_name(set, 16)), dattprojw(gpt_grad_name(set, 17)),
        dattprojb(gpt_grad_name(set, 18)), dln2w(gpt_grad_name(set, 19)), dln2b(gpt_grad_name(set, 20)),
        dfcw(gpt_grad_name(set, 21)), dfcb(gpt_grad_name(set, 22)), dfcprojw(gpt_grad_name(set, 23)),
        dfcprojb(gpt_grad_name(set, 24)), dlnfw(gpt_grad_name(set, 25)), dlnfb(gpt_grad_name(set, 26)),
        dlmw(gpt_grad_name(set, 27)), dlmb(gpt_grad_name(set, 28)) {}
  // The activations', each with its activation's shape.
  Grad dlogits, dlnf, dresidual3, dfch_gelu, dfch, dln2, dresidual2, datty, dqkv, dln1, dencoded;
  // The parameters', each with its parameter's shape (dwpe: wpe's Tmax rows, 0 past the batch's T).
  Grad dwte, dwpe, dln1w, dln1b, dattnw, dattnb, dattprojw, dattprojb, dln2w, dln2b, dfcw, dfcb, dfcprojw, dfcprojb, dlnfw,
      dlnfb, dlmw, dlmb;
};

// Part 1: the whole backward pass, from the loss to every field of grads.
void gpt_backward(const GptBatch& batch, const GptParams& p, const GptCache& c, GptGrads& grads);

// Part 2: one step of plain SGD, p -= lr * grad, on every parameter (H stays).
void gpt_sgd_step(GptParams& p, const GptGrads& g, double lr);

}  // namespace bpdojo
