// Exercise 07: backpropagate through the whole MLP with fused layers
// =============================================================================================
// Run:    checker exercise_07          Derivation: docs/exercise_07.md
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), exercises 2
//         and 3 (cross-entropy and batch norm in one expression each), then exercise 4 (all of it):
//         https://www.youtube.com/watch?v=q8SA3rM6ckI&t=5191s
// Read:   your exercises 04 and 05 (Part 2 of each is half of this one), and docs/exercise_07.md
//
// Shapes: N batch, H hidden units, V = 27 characters. Every Matrix is row-major: row n is example n.
// The network and the cache `c` are those of exercise 06 (bpdojo/mlp.hpp). This time the checker
// sees batch norm as one step, hprebn -> hpreact, and cross-entropy as one step, logits -> loss:
//     emb     = C[Xb]                 (N*3,10)
//     embcat  = emb viewed as (N,30)
//     hprebn  = embcat W1 + b1        (N,H)
//     hpreact = bngain * (hprebn - mean) / sqrt(var + 1e-5) + bnbias   (N,H)  mean and var over
//               the batch, var with 1/(N-1); the cache still holds bnraw, bnvar_inv, ...
//     h       = tanh(hpreact)         (N,H)
//     logits  = h W2 + b2             (N,V)
//     loss    = cross-entropy of softmax(logits) against Yb, mean over the batch
//
// dlogits in one expression from logits (or c.probs) and Yb; dhprebn in one expression from
// dhpreact and the cache (no dbnraw, dbnvar, ... on the way); everything else as in exercise 06.
// =============================================================================================
#include "bpdojo/exercise_07_mlp_fused.hpp"

namespace bpdojo {

// Backwards through the cache with the fused forms -> every field of grads.
void mlp_backward_fused(const MlpCache& c, MlpFusedGrads& grads) {
  // cross-entropy, fused: loss = -(1/N) sum_n log softmax(logits)[n][Yb[n]]
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
  // batch norm, fused: hprebn -> hpreact
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
