// Exercise 13: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_13_rnn.hpp). Defined in problems/exercise_13_rnn.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_13_rnn.hpp"
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {

// The batches of names, the gradient check's and training's (problems/exercise_13_rnn_train.hpp).
// Each name of a split as its character indices, the end '.' (0) not included.
std::vector<std::vector<int>> encode_names(const Split& split);
// A batch of those names, in the layout of RnnBatch (bpdojo/exercise_13_rnn.hpp).
RnnBatch rnn_names_batch(const std::vector<const std::vector<int>*>& names);
// N names of `names` drawn with `rng` (with replacement), as a batch.
RnnBatch rnn_draw_batch(const std::vector<std::vector<int>>& names, Index N, Rng& rng);

// Gradients to clip, of the six parameters' shapes (Wxh, Whh, bh, Why, by, h0), their global norm
// kClipNorm, and a max_norm below it (clipped) or above it (left as they are).
struct ClipCase {
  std::vector<Matrix> grads;
  double max_norm = 0;
};
inline constexpr double kClipNorm = 0.25;
inline constexpr const char* kClipNames[6] = {"Wxh", "Whh", "bh", "Why", "by", "h0"};

// The gradient-flow batches: kFlowN windows of kFlowT characters of the training names run
// together ('.' between names), the loss at the last step alone, so that dh_t is dL_T/dh_t; the
// parameters drawn as the gradient check's, at kFlowH hidden units, with Whh's standard deviation
// gain / sqrt(kFlowH). Measured over seeds 0-29 (the checker's numeric gradients, --json):
// ||dL_T/dh_1|| over ||dL_T/dh_T|| is 5e-7 to 7e-6 at gain 0.5 (vanishing), 4 to 350 (median 48)
// at gain 3 (exploding; tanh saturates less often than Whh amplifies). T = 16, not more: the
// exploding map is chaotic, and over 20 steps a global finite difference (the deep suite's ground
// truth) no longer resolves its own error at some seeds.
inline constexpr Index kFlowN = 4, kFlowT = 16, kFlowH = 32;
inline constexpr double kVanishingGain = 0.5, kExplodingGain = 3.0;
struct FlowCase {
  RnnBatch batch;
  RnnParams params;
  RnnCache cache;
};

struct RnnInstance {
  RnnBatch batch;
  RnnParams params;
  RnnCache cache;
  int k = 0;  // the truncation of the second call (size letter K)
  ClipCase clip, noclip;
  FlowCase vanish, explode;  // Whh with gain kVanishingGain, kExplodingGain
};
RnnInstance exercise_13_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
