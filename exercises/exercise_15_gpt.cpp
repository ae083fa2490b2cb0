// Exercise 15: backpropagate through a whole GPT block, then train it on the names (Part III)
// =============================================================================================
// Run:    checker exercise_15          Hints:  checker hint exercise_15; docs/exercise_15.md
// Watch:  "Let's build GPT: from scratch, in code, spelled out" (Karpathy),
//         https://www.youtube.com/watch?v=kCc8FmEb1nY
// Read:   Radford et al., "Language Models are Unsupervised Multitask Learners" (GPT-2, 2019: the
//         layer norm before each sublayer, and a final one); Vaswani et al., "Attention Is All You
//         Need" (2017), https://arxiv.org/abs/1706.03762 ; llm.c's gpt2_backward,
//         https://github.com/karpathy/llm.c
//
// Shapes: B names of T positions, H heads of D channels, C = H*D, V = 27. Every (B*T, .) matrix
// holds name b's position t in row b*T + t. The forward pass (in bpdojo/exercise_15_gpt.hpp, every
// intermediate in the cache `c`), GPT-2's order:
//     encoded   = wte[x] + wpe[t]
//     ln1       = LN(encoded)                     exercise 12
//     qkv       = ln1 attnw + attnb
//     atty      = causal self-attention of qkv    exercise 14, Part 2 (att in the cache)
//     attproj   = atty attprojw + attprojb
//     residual2 = encoded + attproj
//     ln2       = LN(residual2)
//     fch       = ln2 fcw + fcb                   (B*T,4C)
//     fch_gelu  = GELU(fch)                       exercise 09, the tanh approximation
//     fcproj    = fch_gelu fcprojw + fcprojb
//     residual3 = residual2 + fcproj
//     lnf       = LN(residual3)
//     logits    = lnf lmw + lmb                   (B*T,V)
//     loss      = the mean of -log probs[y] over the real positions (mask; count of them)
//   - Copy your layer norm (12), GELU (09) and attention (14) backward passes in: a helper each.
//   - A residual sum passes its gradient to both of its inputs: dresidual2 has two terms, and so
//     has dencoded.
//   - wte and wpe are tables: dwte adds each position's dencoded row into its character's row;
//     dwpe adds every name's row t into row t (rows past T stay 0).
//   - Padding positions have mask 0: their dlogits is 0.
//
// Part 2, gpt_sgd_step: p -= lr * grad for every parameter (the optimizers come in Part IV).
//
// Eigen: m.middleRows(r, n), m.block(r, c, rows, cols), m.rowwise().sum(), m.colwise().sum(),
// m.array().colwise() * col.col(0).array(), m.array().rowwise() * row.row(0).array(), .tanh().
// =============================================================================================
#include "bpdojo/exercise_15_gpt.hpp"

#include <cmath>

namespace bpdojo {

// Part 1: the whole backward pass, from the loss to every field of grads.
void gpt_backward(const GptBatch& batch, const GptParams& p, const GptCache& c, GptGrads& grads) {
  // loss and logits = lnf lmw + lmb
  TODO("dlogits");
  TODO("dlmw");
  TODO("dlmb");
  TODO("dlnf");
  // lnf = LN(residual3)
  TODO("dlnfw");
  TODO("dlnfb");
  TODO("dresidual3");
  // residual3 = residual2 + fcproj, fcproj = fch_gelu fcprojw + fcprojb
  TODO("dfcprojw");
  TODO("dfcprojb");
  TODO("dfch_gelu");
  // fch_gelu = GELU(fch), fch = ln2 fcw + fcb
  TODO("dfch");
  TODO("dfcw");
  TODO("dfcb");
  TODO("dln2");
  // ln2 = LN(residual2)
  TODO("dln2w");
  TODO("dln2b");
  TODO("dresidual2");
  // residual2 = encoded + attproj, attproj = atty attprojw + attprojb
  TODO("dattprojw");
  TODO("dattprojb");
  TODO("datty");
  // atty: attention of qkv per name and head; qkv = ln1 attnw + attnb
  TODO("dqkv");
  TODO("dattnw");
  TODO("dattnb");
  TODO("dln1");
  // ln1 = LN(encoded)
  TODO("dln1w");
  TODO("dln1b");
  TODO("dencoded");
  // encoded = wte[x] + wpe[t]
  TODO("dwte");
  TODO("dwpe");
}

// Part 2: one step of plain SGD, p -= lr * grad, on every parameter.
void gpt_sgd_step(GptParams& p, const GptGrads& g, double lr) {
  TODO("the update");
}

}  // namespace bpdojo
