// Exercise 04: softmax cross-entropy. The signatures you implement in
// exercises/exercise_04_cross_entropy.cpp. Shapes: N batch, V classes (the vocabulary).
// Matrices are row-major (bpdojo::Matrix).
#pragma once

#include "bpdojo/learner.hpp"

#include <vector>

namespace bpdojo {

// Everything the step-by-step forward pass computed (the lecture's names).
struct CrossEntropyCache {
  Matrix logits;          // (N,V)
  Labels Y;               // (N)
  Matrix logit_maxes;     // (N,1) max of each row of logits
  Matrix norm_logits;     // (N,V) logits - logit_maxes
  Matrix counts;          // (N,V) exp(norm_logits)
  Matrix counts_sum;      // (N,1) sum of each row of counts
  Matrix counts_sum_inv;  // (N,1) 1 / counts_sum
  Matrix probs;           // (N,V) counts * counts_sum_inv
  Matrix logprobs;        // (N,V) log(probs)
  double loss = 0.0;      // -mean over n of logprobs[n][Y[n]]
};

struct CrossEntropyGrads {
  Grad dlogprobs{"dlogprobs"};            // (N,V)
  Grad dprobs{"dprobs"};                  // (N,V)
  Grad dcounts_sum_inv{"dcounts_sum_inv"};  // (N,1)
  Grad dcounts_sum{"dcounts_sum"};        // (N,1)
  Grad dcounts{"dcounts"};                // (N,V)
  Grad dnorm_logits{"dnorm_logits"};      // (N,V)
  Grad dlogit_maxes{"dlogit_maxes"};      // (N,1)
  Grad dlogits{"dlogits"};                // (N,V)
};

struct CrossEntropyFusedGrads {
  Grad dlogits_fused{"dlogits_fused"};  // (N,V)
};

// Step by step, backwards through the cache -> every field of grads.
void cross_entropy_backward(const CrossEntropyCache& c, CrossEntropyGrads& grads);

// In one expression: logits (N,V), Y (N) -> grads.dlogits_fused (N,V).
void cross_entropy_backward_fused(const Matrix& logits, const Labels& Y, CrossEntropyFusedGrads& grads);

}  // namespace bpdojo
