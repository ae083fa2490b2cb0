// Exercise 13's training run: the RNN trained on names with the learner's rnn_backward and
// clip_grad_norm, twice from the same start on the same batches (full BPTT, then truncated every
// kRnnTruncation steps). The runner trains (runners/exercise_13.cpp); the checker evaluates the
// parameters it reports (checker/src/judge/rnn_training.cpp). Everything here is the workbook's,
// in double: the forward pass, the loss over a whole split, the sampler, the batches, the schedule.
// Defined in problems/exercise_13_rnn_train.cpp.
#pragma once

#include "problems/exercise_13_rnn.hpp"  // the batches
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"
#include "problems/exercise_08_train.hpp"  // the schedule and the checkpoints are exercise 08's

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bpdojo {

// The run's sizes, fixed (not the gradient check's N and H, which stay small for finite differences
// and vary when graded). At the defaults, seed 0, full BPTT: H = 16 ends at a dev loss of 2.2262,
// 32 at 2.1656, 64 at 2.1277 and 128 at 2.0905, in 0.9, 1.7, 4.0 and 10.8 s a run (runner's clock,
// 2 cores shared with a build). With 64 the whole default check takes 9 s on an idle machine
// (both runs 7.5 s); 128 would spend 21 s in the runner alone (docs/exercise_13.md, "Training").
inline constexpr Index kRnnTrainHidden = 64;
inline constexpr Index kRnnTrainNames = 32;
// The second run's truncation (the issue fixes it; the gradient check's K is a size letter).
inline constexpr int kRnnTruncation = 3;
// clip_grad_norm's max_norm in training: a guard against a step that explodes, not a part of every
// step. The reference's norms stay below it at the defaults (seed 0: at most 1.68 in full BPTT, 0.995
// truncated), so a clip_grad_norm that scales when it should not (up to max_norm) shows in training.
inline constexpr double kRnnClipNorm = 5.0;
// SGD's learning rate for the first half of the run, a tenth of it after (learning_rate(), exercise
// 08's schedule); the parameters are reported at checkpoints() and the batch losses of the first
// kMaxStepLosses steps, as 08's are.
inline constexpr double kRnnLearningRate = 1.0;
// The default number of steps (size letter S), per run: both runs in about 8 s of the runner's time.
inline constexpr std::int64_t kRnnDefaultSteps = 3000;

// The two runs, in the order the runner trains them: the prefix of their protocol names
// ("full.step.<t>.Wxh", "full.step_loss", "full.training") and their k (0: the batch's T).
struct RnnRun {
  const char* name;
  int k;
};
inline constexpr std::array<RnnRun, 2> kRnnRuns = {RnnRun{"full", 0}, RnnRun{"trunc", kRnnTruncation}};

// The six parameters, in the order the runner reports them and clips their gradients.
struct RnnParamField {
  const char* name;
  Matrix RnnParams::*field;
};
inline constexpr std::array<RnnParamField, 6> kRnnParams = {
    RnnParamField{"Wxh", &RnnParams::Wxh}, RnnParamField{"Whh", &RnnParams::Whh}, RnnParamField{"bh", &RnnParams::bh},
    RnnParamField{"Why", &RnnParams::Why}, RnnParamField{"by", &RnnParams::by},   RnnParamField{"h0", &RnnParams::h0}};

// The start of both runs, drawn from the seed: Wxh normal 0.5, Whh normal 1/sqrt(H), Why normal
// 0.1/sqrt(H) (logits near 0: the first loss is near log 27), bh, by and h0 zero.
RnnParams rnn_train_init(std::uint64_t seed);

// The forward pass of the header's formulas, in double, into `c` (its storage reused across calls);
// probs by a softmax shifted by each row's maximum, the loss from log-sum-exp.
void rnn_forward(const RnnBatch& b, const RnnParams& p, RnnCache& c);
RnnCache rnn_forward(const RnnBatch& b, const RnnParams& p);

// The mean negative log-likelihood per real character (the end '.' of each name included) over
// `names`, in batches of names of about the same length (NaN when the parameters are not finite).
// The parameters must have the shapes of rnn_train_init's.
double rnn_eval_loss(const RnnParams& p, const std::vector<std::vector<int>>& names);

// A name sampled from the model: from h0 and '.', one character at a time from the softmax, until
// '.' (or max_length characters).
std::string rnn_sample(const RnnParams& p, const Vocabulary& vocab, Rng& rng, int max_length = 64);

}  // namespace bpdojo
