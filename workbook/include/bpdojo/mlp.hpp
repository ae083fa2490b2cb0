// Backprop Dojo: the character-level MLP of the "backprop ninja" lecture (exercises 06 to 08).
//
// Three characters in, the next one out:
//     emb     = C[Xb]                          (N,3,10)  stored (N*3,10): row n*3+k is C[Xb[n][k]]
//     embcat  = emb viewed as (N,30)           (the same numbers: a no-op in row-major storage)
//     hprebn  = embcat @ W1 + b1               (N,H)
//     batch norm (Bessel's n-1, eps 1e-5) with bngain, bnbias -> hpreact (N,H)
//     h       = tanh(hpreact)                  (N,H)
//     logits  = h @ W2 + b2                    (N,V)
//     loss    = softmax cross-entropy of logits against Yb, mean over the batch
// V is the vocabulary of the names file (27 for data/names.txt), H the hidden units.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

inline constexpr Index kBlockSize = 3;   // characters of context
inline constexpr Index kEmbedding = 10;  // dimensions of a character's embedding
inline constexpr double kBnEps = 1e-5;   // batch norm's epsilon, as in the lecture

struct MlpParams {
  Matrix C;       // (V,10) one embedding per character
  Matrix W1;      // (30,H)
  Matrix b1;      // (1,H)
  Matrix bngain;  // (1,H)
  Matrix bnbias;  // (1,H)
  Matrix W2;      // (H,V)
  Matrix b2;      // (1,V)
};

// Everything the step-by-step forward pass computes, with the lecture's names.
struct MlpCache {
  // the parameters and the batch
  Matrix C, W1, b1, bngain, bnbias, W2, b2;
  IntMatrix Xb;  // (N,3)
  Labels Yb;     // (N)
  // the forward pass
  Matrix emb;             // (N*3,10)
  Matrix embcat;          // (N,30)
  Matrix hprebn;          // (N,H)
  Matrix bnmeani;         // (1,H)
  Matrix bndiff;          // (N,H)
  Matrix bndiff2;         // (N,H)
  Matrix bnvar;           // (1,H)
  Matrix bnvar_inv;       // (1,H)
  Matrix bnraw;           // (N,H)
  Matrix hpreact;         // (N,H)
  Matrix h;               // (N,H)
  Matrix logits;          // (N,V)
  Matrix logit_maxes;     // (N,1)
  Matrix norm_logits;     // (N,V)
  Matrix counts;          // (N,V)
  Matrix counts_sum;      // (N,1)
  Matrix counts_sum_inv;  // (N,1)
  Matrix probs;           // (N,V)
  Matrix logprobs;        // (N,V)
  double loss = 0.0;
};

}  // namespace bpdojo
