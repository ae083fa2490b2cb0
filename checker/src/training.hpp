// Backprop Dojo checker: judging a training run (exercise 08).
//
// The runner (learner code) reports the parameters at checkpoints; nothing it says about losses
// is used. The checker evaluates each checkpoint with the workbook's forward pass (batch norm
// calibrated on the data evaluated), judges the final parameters against a dev-loss threshold,
// recalibrates batch norm over the whole training split as the lecture does, and samples names.
#pragma once

#include "check.hpp"

namespace bpdojo {

// The dev loss the default run (20,000 steps, N=32, H=64, lr 0.1) must reach; docs/exercise_08.md.
inline constexpr double kDevLossThreshold = 2.40;
// Examples of the training split the curve is evaluated on (the final figures use all of it).
inline constexpr Index kCurveSample = 4096;
// The seed of the 20 sampled names (the same for every run).
inline constexpr std::uint64_t kSampleSeed = 2147483647;

// Adds the pseudo-gradient "training" (verdict and reason) to result.gradients and fills
// result.training. `lr` is the run's learning rate; `plot` where to write the SVG (may be empty).
void judge_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot);

// The SVG of the two loss curves: one <polyline> per curve, one point per checkpoint.
std::string loss_plot_svg(const TrainingResult& t);
// The same as a terminal chart, `width` x `height` characters.
std::string loss_chart_text(const TrainingResult& t, int width = 60, int height = 12);

}  // namespace bpdojo
