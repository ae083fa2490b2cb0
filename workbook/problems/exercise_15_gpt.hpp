// Exercise 15: the instance, built by the workbook for the runner and the checker (the learner's
// signatures are in bpdojo/exercise_15_gpt.hpp). Defined in problems/exercise_15_gpt.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_15_gpt.hpp"
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"

#include <cstdint>
#include <string>

#include <array>
#include <vector>

namespace bpdojo {

// The second parameter set of the gradient check: weights kGptScale times wider, layer-norm gains
// and biases far from 1 and 0 (like trained weights).
inline constexpr double kGptScale = 2.0;

// A batch of names as GptBatch from exercise 13's time-major RnnBatch, cut or padded to T
// positions (T <= 0: the batch's own, its longest name plus one).
struct RnnBatch;
GptBatch gpt_batch(const RnnBatch& names, Index T = 0);

// The parameters drawn from `rng`: V characters, C = H*D channels, Tmax positions; scale 1 as the
// gradient check's first set, kGptScale as its second.
GptParams gpt_draw_params(const Rng& rng, Index V, Index H, Index D, Index Tmax, double scale);

// The forward pass of the header's formulas in double, into `c` (the training's and the dev loss's).
void gpt_forward(const GptBatch& b, const GptParams& p, GptCache& c);

// The eighteen parameters, in the order of the header (and of their gradients, dwte ... dlmb).
struct GptParamField {
  const char* name;
  Matrix GptParams::*field;
  Grad GptGrads::*grad;
};
extern const std::array<GptParamField, 18> kGptParams;

// The check of gpt_sgd_step: two calls in a row on a copy of `start` (the second parameter set),
// the first with (g1, lr1), the second with (g2, lr2); after each, every parameter must have moved
// by exactly -lr times its gradient (rows sgd.<p> and sgd2.<p>, judged against the exact values).
struct GptUpdateCheck {
  GptParams start;
  std::vector<Matrix> g1, g2;  // normal, in the order of kGptParams
  double lr1 = 0.1, lr2 = 0.05;
};

// ---- Training (the runner trains, the checker evaluates: checker/src/judge/gpt_training.cpp) ----
// The run's sizes, fixed (not the gradient check's B, T, H and D, which stay small for finite
// differences): C = 32 channels in 4 heads, the MLP 4C, batches of 32 whole names; the positions
// up to the longest name of the data set plus one (gpt_block_size()).
inline constexpr Index kGptTrainHeads = 4, kGptTrainHeadSize = 8, kGptTrainNames = 32;
// SGD's learning rate for the first half of the run, a tenth of it after (exercise 08's schedule,
// learning_rate()); the parameters reported at checkpoints(), as 08's and 13's are.
inline constexpr double kGptLearningRate = 1.0;
inline constexpr std::int64_t kGptDefaultSteps = 3000;
// The seed of the 20 sampled names.
inline constexpr std::uint64_t kGptSampleSeed = 2147483647;
Index gpt_block_size();
// The start of the run, drawn from the seed: wte and wpe normal 1 (nn.Embedding's), each weight
// normal 1/sqrt(fan in), biases 0, layer norms' gains 1 and biases 0.
GptParams gpt_train_init(std::uint64_t seed);
// The mean negative log-likelihood per character (the end '.' included) over `names`, in batches
// of names of about the same length (NaN when a parameter is not finite).
double gpt_eval_loss(const GptParams& p, const std::vector<std::vector<int>>& names);
// A name sampled from the model: from '.', one character at a time from the softmax of the last
// position's logits, until '.' (or the block size).
std::string gpt_sample(const GptParams& p, const Vocabulary& vocab, Rng& rng);
bool gpt_finite(const GptParams& p);

struct GptInstance {
  GptBatch batch;
  GptParams params[2];
  GptCache cache[2];  // the forward pass of each set, every value from the exact graph
  GptUpdateCheck update;
};
GptInstance exercise_15_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
