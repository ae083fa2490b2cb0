// Exercise 12: layer normalization (GPT-2's). The signatures you implement in
// exercises/exercise_12_layer_norm.cpp. Shapes: N rows (examples, or every position of every
// sequence), C features. Matrices are row-major: each row is normalized on its own.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// The layer-norm epsilon, as in GPT-2.
inline constexpr double kLayerNormEps = 1e-5;

// Everything the step-by-step forward pass computed (llm.c's names).
struct LayerNormCache {
  Matrix x;     // (N,C) the input
  Matrix w;     // (1,C) the gain
  Matrix b;     // (1,C) the bias
  Matrix mean;  // (N,1) each row's mean over its C features
  Matrix xmu;   // (N,C) x - mean
  Matrix var;   // (N,1) each row's mean of xmu^2 (biased: 1/C)
  Matrix rstd;  // (N,1) (var + eps)^-1/2
  Matrix norm;  // (N,C) xmu * rstd
  Matrix out;   // (N,C) norm * w + b
};

struct LayerNormGrads {
  Grad dw{"dw"};        // (1,C)
  Grad db{"db"};        // (1,C)
  Grad dnorm{"dnorm"};  // (N,C)
  Grad drstd{"drstd"};  // (N,1)
  Grad dvar{"dvar"};    // (N,1)
  Grad dxmu{"dxmu"};    // (N,C)
  Grad dmean{"dmean"};  // (N,1)
  Grad dx{"dx"};        // (N,C)
};

struct LayerNormFusedGrads {
  Grad dx_fused{"dx_fused"};  // (N,C)
};

// Step by step, backwards through the cache, given dout (N,C) -> every field of grads.
void layer_norm_backward(const LayerNormCache& c, const Matrix& dout, LayerNormGrads& grads);

// In one expression: the cache, dout (N,C) -> grads.dx_fused (N,C).
void layer_norm_backward_fused(const LayerNormCache& c, const Matrix& dout, LayerNormFusedGrads& grads);

}  // namespace bpdojo
