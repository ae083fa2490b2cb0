// Exercise 05: batch normalization. The signatures you implement in
// exercises/exercise_05_batch_norm.cpp. Shapes: N batch, H hidden units. Matrices are row-major.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// The batch-norm epsilon, as in the lecture.
inline constexpr double kBatchNormEps = 1e-5;

// Everything the step-by-step forward pass computed (the lecture's names).
struct BatchNormCache {
  Matrix hprebn;     // (N,H) the input
  Matrix bngain;     // (1,H)
  Matrix bnbias;     // (1,H)
  Matrix bnmeani;    // (1,H) mean over the batch
  Matrix bndiff;     // (N,H) hprebn - bnmeani
  Matrix bndiff2;    // (N,H) bndiff^2
  Matrix bnvar;      // (1,H) sum over the batch of bndiff2, / (N-1)
  Matrix bnvar_inv;  // (1,H) (bnvar + eps)^-1/2
  Matrix bnraw;      // (N,H) bndiff * bnvar_inv
  Matrix hpreact;    // (N,H) bngain * bnraw + bnbias
};

struct BatchNormGrads {
  Grad dbngain{"dbngain"};      // (1,H)
  Grad dbnbias{"dbnbias"};      // (1,H)
  Grad dbnraw{"dbnraw"};        // (N,H)
  Grad dbnvar_inv{"dbnvar_inv"};  // (1,H)
  Grad dbnvar{"dbnvar"};        // (1,H)
  Grad dbndiff2{"dbndiff2"};    // (N,H)
  Grad dbndiff{"dbndiff"};      // (N,H)
  Grad dbnmeani{"dbnmeani"};    // (1,H)
  Grad dhprebn{"dhprebn"};      // (N,H)
};

struct BatchNormFusedGrads {
  Grad dhprebn_fused{"dhprebn_fused"};  // (N,H)
};

// Step by step, backwards through the cache, given dhpreact (N,H) -> every field of grads.
void batch_norm_backward(const BatchNormCache& c, const Matrix& dhpreact, BatchNormGrads& grads);

// In one expression: the cache, dhpreact (N,H) -> grads.dhprebn_fused (N,H).
void batch_norm_backward_fused(const BatchNormCache& c, const Matrix& dhpreact, BatchNormFusedGrads& grads);

}  // namespace bpdojo
