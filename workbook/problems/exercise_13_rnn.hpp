// Exercise 13: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_13_rnn.hpp). Defined in problems/exercise_13_rnn.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_13_rnn.hpp"

namespace bpdojo {

// Gradients to clip, of the six parameters' shapes (Wxh, Whh, bh, Why, by, h0), their global norm
// kClipNorm, and a max_norm below it (clipped) or above it (left as they are).
struct ClipCase {
  std::vector<Matrix> grads;
  double max_norm = 0;
};
inline constexpr double kClipNorm = 0.25;
inline constexpr const char* kClipNames[6] = {"Wxh", "Whh", "bh", "Why", "by", "h0"};

struct RnnInstance {
  RnnBatch batch;
  RnnParams params;
  RnnCache cache;
  int k = 0;  // the truncation of the second call (size letter K)
  ClipCase clip, noclip;
};
RnnInstance exercise_13_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
