// Backprop Dojo checker: judging exercise 11's experiment on deep stacks.
//
// The runner (learner code) trains 48 stacks with the learner's stack_backward and init_std and
// reports each one's figures as series; the checker runs the same 48 with the workbook's reference
// and compares. The rows it adds are pseudo-gradients (GradientResult::run_row), after the gradients:
//   experiment.agrees     the learner's figures at step 0 (every block's RMS of dW and of db and
//                         output std, every stack) equal the reference's to 1e-6: they come from
//                         a backward pass and an initialisation that are right
//   experiment.vanishing  plain sigmoid, depth 20, the learner's init: the gradient reaching the
//                         first block (db's RMS: dW's also carries its input's scale, which grows
//                         along a residual stack) below 1e-3 of the last's
//   experiment.residual   the same stack with residual connections: above 0.1 of it
//   experiment.init       the learner's init keeps the plain depth-20 stacks healthy: tanh's output
//                         std within 2x from its first block to its last and at most 20% of its
//                         units saturated (naive init: over half); ReLU's std within 1000x (naive
//                         init: about 1e8x; at width 16 the std wanders several-fold from block to
//                         block even under Kaiming's init, so 2x would fail the right one)
// The last three read the learner's own figures; their messages give the reference's beside them.
#pragma once

#include "judge/check.hpp"
#include "problems/exercise_11_deep.hpp"

#include <atomic>

namespace bpdojo {

inline constexpr double kAgreement = 1e-6;      // relative, the learner's step-0 figures against the reference's
// Measured at seeds 0 to 499 with the reference (the thresholds hold for a hidden seed of grading):
// block 1's db RMS over block 20's, plain sigmoid: at most 7.2e-11; residual: at least 0.70;
// tanh's std spread at most 1.71, its saturation at most 11.5%; ReLU's std spread at most 118.
inline constexpr double kVanishedBelow = 1e-3;  // first over last block's db RMS, plain sigmoid-20
inline constexpr double kFlowsAbove = 0.1;      // the same, residual sigmoid-20
inline constexpr double kTanhStdSpread = 2.0;    // max over min output std across the plain tanh-20 stack
inline constexpr double kTanhSaturated = 0.2;    // its share of saturated units at step 0, at most
inline constexpr double kReluStdSpread = 1000.0;  // max over min output std across the plain ReLU-20 stack

// The rows judge_experiment adds, in its order.
std::vector<std::string> experiment_row_names();

// The checker's own stack_backward and init_std, for its reference figures. They live here, not
// in the workbook: a runner links the workbook, and learner code could call them.
void reference_stack_backward(const StackCache& cache, const Matrix& dy, StackGrads& grads);
double reference_init_std(Index fan_in, Index fan_out, Nonlinearity f, InitScheme scheme);

// The reference's figures of every configuration (deep_configs()), in order: what check_exercise
// computes on a thread of its own while the runner runs. Returns early, with fewer, once `*cancel`
// is set (the runner reported no experiment to compare with: a stub, a crash).
std::vector<DeepFigures> reference_experiment(std::uint64_t seed, std::int64_t steps, const std::atomic<bool>* cancel = nullptr);
// Did the runner report the first configuration's figures (else nothing will be compared)?
bool experiment_reported(const protocol::ParseResult& parsed);

// Fills result.experiment and adds the rows; with S = 0 only result.experiment (nothing to judge).
// `reference`: reference_experiment(result.seed, S), perhaps cut short (then the table shows the
// learner's figures alone; the rows are judged without it when the runner reported none). `plot`: where the SVGs go
// (<plot without .svg>_gradients.svg, _updates.svg); empty: none.
void judge_experiment(CheckResult& result, const protocol::ParseResult& parsed, const std::vector<DeepFigures>& reference,
                      const std::string& plot);

// The SVG of every stack's gradient RMS per block at step 0 (log scale), one line per stack; and
// of the update-to-data ratio (log10, the mean over blocks) per step, one line per stack.
std::string gradient_plot_svg(const ExperimentResult& e);
std::string update_plot_svg(const ExperimentResult& e);
// The terminal table, one line per stack.
std::string experiment_table(const ExperimentResult& e);

}  // namespace bpdojo
