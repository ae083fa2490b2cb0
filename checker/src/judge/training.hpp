// Backprop Dojo checker: judging a training run (exercise 08).
//
// The runner (learner code) reports the parameters at checkpoints; nothing it says about losses
// is judged (its per-step batch losses are only drawn in the plot). The checker evaluates each checkpoint with the workbook's forward pass (batch norm
// calibrated on the data evaluated), judges the final parameters against a dev-loss threshold,
// recalibrates batch norm over the whole training split as the lecture does, and samples names.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

// The dev loss the default run (20,000 steps, N=32, H=64, lr 0.1) must reach; docs/exercise_08.md.
inline constexpr double kDevLossThreshold = 2.40;
// Examples of the training split the curve is evaluated on (the final figures use all of it).
inline constexpr Index kCurveSample = 4096;
// The seed of the 20 sampled names (the same for every run).
inline constexpr std::uint64_t kSampleSeed = 2147483647;

// How far a parameter reported after sgd_step may be from p - lr * g, per element, in units of
// machine epsilon times |p| + |lr * g|: the product and the difference round once each (a fused
// multiply-add once in all), so a correct update is within 2 of them; 4 leaves room for an order
// of operations of the learner's own (p + (-lr) * g, p - g * lr).
inline constexpr double kUpdateUlps = 4.0;

// Adds one row per parameter, "update.C" ... "update.b2": did each call of the learner's sgd_step
// on the update check (bpdojo/exercise_08_train.hpp) move that parameter by exactly -lr * its
// gradient? A wrong row says how it moved (not at all, the wrong way, by the previous gradient).
void judge_update(CheckResult& result, const protocol::ParseResult& parsed);
// Those rows' names, in the order judge_update adds them.
std::vector<std::string> update_row_names();

// What a runner said about a run, read the same way by both training judges (exercise 08's here,
// 13's in judge/rnn_training.cpp):
// the last message named `name` (a runner may send a name again: the last counts); null when none;
const protocol::Message* last_message(const protocol::ParseResult& parsed, const std::string& name);
// its per-step losses in the series `name` (untrusted: drawn, never judged), at most one per step of
// a run of `steps` and kMaxStepLosses in all, in means over windows of 1% of the run (at most 1000
// steps, at least 1), at the windows' middle steps; nothing (window 0) when none arrived;
struct StepLosses {
  std::int64_t window = 0;
  std::vector<double> at, mean;
};
StepLosses read_step_losses(const protocol::ParseResult& parsed, const std::string& name, std::int64_t steps);
// the verdict of a run that did not finish without saying why, from how the runner ended.
Verdict unfinished_verdict(const RunnerStatus& runner);

// The name of exercise 08's pseudo-gradient, the judge of the training run: its row in the report
// and the gradebook, and the protocol name under which a runner says why training stopped.
inline constexpr const char* kTrainingRow = "training";

// Adds the pseudo-gradient kTrainingRow (verdict and reason, GradientResult::run_row set) to
// result.gradients and fills result.training; with 0 steps (S = 0), only result.training: nothing
// trained, nothing to judge. `lr` is the run's learning rate; `plot` where to write the SVG (may be empty).
void judge_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot);

// The SVG of the loss curves (common/plot.hpp), on a log axis: the runner's per-step training loss
// in window means when it sent it, then the checker's train and dev losses at the checkpoints (one
// point each), and a marker at the learning-rate decay.
std::string loss_plot_svg(const TrainingResult& t);
// The same as a terminal chart, `width` x `height` characters.
std::string loss_chart_text(const TrainingResult& t, int width = 60, int height = 12);

}  // namespace bpdojo
