// Backprop Dojo checker: judging exercise 15's training run, the GPT block on the names.
//
// The runner (learner code) trains the block with the learner's gpt_backward and gpt_sgd_step
// (workbook/problems/exercise_15_gpt.hpp) and reports its parameters at the checkpoints; nothing it
// says about losses is judged (its batch losses are only drawn). The checker evaluates each
// checkpoint on the dev split with the workbook's forward pass, the final parameters also on a
// sample of the training split, samples 20 names, and judges the run in one row, kTrainingRow.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

// The dev loss the run must reach at the default length (kGptDefaultSteps = 3000 steps, lr 1 then
// 0.1, 32 names a batch, C = 32 in 4 heads). The reference at seeds 0 to 4: 2.1237, 2.1285, 2.1235,
// 2.1231, 2.1196 (docs/exercise_15.md), so 2.20 leaves 0.07 of room on the worst; exercise 08's MLP
// ends at 2.23-2.24 after its 20,000 steps.
inline constexpr double kGptDevLossThreshold = 2.20;
// Names of the training split the final train loss is evaluated on (the dev split is evaluated whole).
inline constexpr std::size_t kGptTrainSample = 4096;

// Adds the pseudo-gradient kTrainingRow to result.gradients and fills result.gpt_training; with 0
// steps (S = 0), only result.gpt_training. `lr` is the run's learning rate; `plot` where to write
// the SVG (may be empty).
void judge_gpt_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot);

// The SVG of the run's loss curve (common/plot.hpp), on a log axis: the batch losses in window
// means, the dev loss at the checkpoints, and the learning-rate decay.
std::string gpt_loss_plot_svg(const GptTrainingResult& t);

}  // namespace bpdojo
