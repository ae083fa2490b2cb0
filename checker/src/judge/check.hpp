// Backprop Dojo checker: judging one run of one exercise.
#pragma once

#include "common/process.hpp"
#include "common/workspace.hpp"
#include "judge/compare.hpp"
#include "judge/diagnose.hpp"

#include "bpdojo/exercise.hpp"
#include "bpdojo/protocol.hpp"
#include "bpdojo/sanitizers.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo {

enum class Verdict { Correct, Wrong, NotImplemented, WrongShape, Error, TimedOut, Crashed, Killed, CompileError, Refused };
const char* to_string(Verdict v);  // "correct", "not implemented", ...

struct GradientResult {
  std::string name;   // "dW"
  std::string node;   // "W"
  std::string function;
  Verdict verdict = Verdict::NotImplemented;
  std::string message;  // the TODO text, the error, the reason
  Shape expected_shape;
  Shape got_shape;  // the learner's (rows, cols); empty when nothing was reported
  std::optional<Comparison> comparison;
  std::optional<Tensor> analytic;  // the learner's gradient as reported, (rows, cols)
  Tensor numeric;                  // the checker's, with the node's shape
  // The relative error it is judged by: the house's threshold (CheckResult::threshold), or the
  // row's own (GradientSpec::threshold: an update judged exactly, exercise 17).
  double threshold = kThreshold;
  double floor = 0.0;              // of the relative error's denominator (compare.hpp); a stack's largest
  std::vector<double> floors;      // each block's, for a gradient of a stack (Graph::stack); else {floor}

  // The local check: this gradient against finite differences through the node's direct
  // consumers, weighted by the learner's own gradients of those consumers (the loss weighs 1).
  // It says whether this line of the backward pass is right given the lines before it.
  std::optional<Comparison> local;  // absent when a consumer's gradient is unusable
  std::string local_missing;        // then: the consumer gradient that is missing or unusable
  // For a gradient that is not correct: is the mistake in this line (true: its local check fails),
  // or inherited from `inherits`, the wrong line where the error starts (earlier in the backward
  // pass)? A line is blamed only when its own local check fails. When no line before it fails
  // either, errors below the bar have added up: `below_bar_upstream`, and `inherits` names the
  // line before it with the largest local error (empty when it has none).
  bool line_wrong = false;
  std::string inherits;
  bool below_bar_upstream = false;
  // A wrong gradient that cannot be checked locally (a value between it and the lines before it is
  // not reported: datty in exercise 15, read through the attention's projection) while a gradient of
  // the same function downstream of it is wrong: `inherits` names that one, to be fixed first; this
  // line is judged again once it is right. Never blamed on the way.
  bool line_unchecked = false;
  // A wrong line with no line before it to check (its consumer's gradient is not asked for: dz1
  // in 01's part b), wrong together with another gradient computed from that same consumer: the
  // likely mistake is in that shared value ("dz1"), computed before both. Empty otherwise.
  std::string shared_source;
  std::vector<std::string> shared_with;  // the other gradients wrong through it
  // When gradients this line is computed from (its consumers') are wrong: the line's local
  // reference and their names. A wrong line is diagnosed against it, not against the cascade.
  std::optional<Tensor> local_reference;
  std::vector<std::string> given_wrong;
  std::optional<Diagnosis> diagnosis;  // the recognisable shape of the mistake, if one fits
  // Where the learner's code failed, for the gradient an exception or a signal stopped at:
  // "exercises/exercise_03_tanh.cpp:42 in tanh_backward" (judge/failure_site.hpp). From the
  // runner's trace: a hint, never part of the verdict. Empty when unknown.
  std::string at;
  // A pseudo-gradient, not a tensor: the judge of a run (exercise 08's training, the rows of
  // exercise 11's experiment), after the gradients.
  bool run_row = false;
};

struct RunnerStatus {
  ProcessResult::End end = ProcessResult::End::Exited;
  int exit_code = 0;
  int signal = 0;
  bool finished = false;  // the runner said `end`
  double wall_seconds = 0.0;
  std::string protocol_error;
  std::string output;  // what the learner's code printed (truncated)
  std::size_t output_bytes = 0;
  std::string summary;  // one line: "exited normally", "timed out after 10 s", "crashed: SIGSEGV ..."
  std::string crashed_at;  // died of a signal: where, as GradientResult::at (empty when unknown)
};

// Exercise 08: what the checker made of the training run (checker/src/judge/training.cpp). Every loss
// here is computed by the checker from the parameters the runner reported.
struct TrainingResult {
  std::int64_t steps = 0;
  double lr = 0.0;
  double threshold = 0.0;  // the dev loss the run must reach (kDevLossThreshold)
  std::vector<std::int64_t> at;   // the checkpoints that arrived (steps done)
  std::vector<double> train_curve;  // loss on a fixed sample of the training split, per checkpoint
  std::vector<double> dev_curve;    // loss on the dev split, per checkpoint
  bool complete = false;            // the last checkpoint arrived
  // The runner's own per-step training loss (the batch's, as the forward pass computed it), in
  // means over windows of step_loss_window steps, at the windows' middle steps: drawn, never judged.
  std::int64_t step_loss_window = 0;
  std::vector<double> step_loss_at, step_loss;
  // After training, with batch norm calibrated over the whole training split:
  double train_loss = 0.0, dev_loss = 0.0, test_loss = 0.0;
  std::vector<std::string> samples;  // 20 names, sampled with a fixed seed
  std::string plot;                  // the SVG written, or empty
};

// Exercise 13: what the checker made of the two training runs, full BPTT and truncated
// (checker/src/judge/rnn_training.cpp). Every loss here is computed by the checker from the
// parameters the runner reported; the runner's own figures (batch losses, seconds) are only shown.
struct RnnTrainingResult {
  std::int64_t steps = 0;  // of each run
  double lr = 0.0;
  struct Run {
    std::string name;  // "full", "trunc"
    int k = 0;         // the truncation; 0: none (full BPTT)
    double threshold = 0.0;  // the dev loss it must reach in a run of the default length
    std::vector<std::int64_t> at;  // the checkpoints that arrived (steps done)
    std::vector<double> dev_curve;  // the dev split's loss per checkpoint (NaN: parameters not finite)
    bool complete = false;          // the last checkpoint arrived
    std::int64_t step_loss_window = 0;  // the runner's batch losses, in window means (drawn only)
    std::vector<double> step_loss_at, step_loss;
    double seconds = -1.0;  // the run's time by the runner's clock (shown, never judged); -1: not sent
    // The norms the learner's clip_grad_norm returned (before clipping), as the runner sent them
    // (shown, never judged): how many steps were above kRnnClipNorm, and the largest. -1: not sent.
    std::int64_t clipped_steps = -1;
    double max_grad_norm = -1.0;
    // After training (NaN until judged): the loss on a sample of the training split and on the dev split.
    double train_loss = 0.0, dev_loss = 0.0;
    std::vector<std::string> samples;  // 20 names, sampled with a fixed seed
  };
  std::vector<Run> runs;  // full, then truncated
  std::string plot;       // the SVG written, or empty
};

// Exercise 15: what the checker made of the training run of the GPT block
// (checker/src/judge/gpt_training.cpp), in the fields of one of exercise 13's runs (k = 0, no
// clipping); every loss computed by the checker from the parameters the runner reported.
struct GptTrainingResult {
  std::int64_t steps = 0;
  double lr = 0.0;
  RnnTrainingResult::Run run;
  std::string plot;  // the SVG written, or empty
};

// Exercise 11: what the checker made of the experiment on deep stacks (checker/src/judge/experiment.cpp):
// the learner's figures, as the runner reported them, beside the checker's own run with the reference.
struct ExperimentResult {
  std::int64_t steps = 0;
  struct Config {
    std::string name;
    int depth = 0;
    bool residual = false, learner_init = false, sigmoid_or_tanh = false;
    int colour = 0;  // per nonlinearity
    // Step 0: each block's gradient RMS of dW and of db, and output std; per step: saturation,
    // loss, the update-to-data ratio (log10, the mean over blocks). Learner's (empty when not
    // reported), reference's (empty when cut short).
    std::vector<double> grad_rms, ref_grad_rms, bias_rms, ref_bias_rms, act_std, ref_act_std, saturation, loss, ref_loss, update_ratio;
    bool reported = false;
  };
  std::vector<Config> configs;
  std::vector<std::string> plots;  // the SVGs written
};

// Exercise 13: the gradient's flow back in time (checker/src/judge/flow.hpp), each step's norm of
// dL_T/dh_t, at T - t = 0, 1, ..., T - 1.
struct FlowResult {
  struct Curve {
    std::string row;                // the gradient it comes from: "vanish.dh"
    std::string label;              // "small Whh (vanishing)"
    std::vector<double> yours;      // the learner's (empty when no tensor of the right shape arrived)
    std::vector<double> reference;  // the checker's numeric gradient's (empty for the clipped curve)
    bool correct = false;           // the row's verdict
  };
  std::vector<Curve> curves;  // vanishing, exploding, exploding clipped
  std::string plot;           // the SVG written, or empty
};

// Exercise 17: the optimizers' paths over the Rosenbrock function (checker/src/judge/paths.hpp), the
// learner's as the runner reported them beside the checker's own from the same start: shown, never judged.
struct PathsResult {
  std::int64_t steps = 0;
  struct Path {
    std::string name;   // "adam"
    Matrix yours;       // (k, 2), k <= steps + 1 points (0 rows: none arrived); cut where it stopped being finite
    Matrix reference;   // the checker's, the same way
    bool reported = false;
  };
  std::vector<Path> paths;  // sgd, nesterov, rmsprop, adam, adamw
  std::string plot;         // the SVG written, or empty
  // Exercise 08's MLP trained by each optimizer: the dev loss the checker computes from the
  // parameters reported at each checkpoint (NaN where they are not finite).
  struct Curve {
    std::string name;  // "adam"
    std::vector<std::int64_t> at;
    std::vector<double> dev;
  };
  std::vector<Curve> mlp;
  std::string mlp_plot;  // the SVG written, or empty
};

struct CheckOptions {
  std::uint64_t seed = kDefaultSeed;
  Sizes sizes;  // given on the command line (completed from the defaults)
  Flavour flavour = Flavour::Learner;
  ProcessLimits limits;
  bool rebuild = true;
  std::string runner;  // a runner to judge instead of the flavour's (mistake catalogue, tests)
  std::map<std::string, double> runner_options;  // passed as --option NAME=VALUE (lr)
  std::string plot;  // exercise 08: where to write the SVG of the loss curves; 11: the experiment's
                     // (<plot without .svg>_gradients.svg and _updates.svg); 13: the two runs'
                     // loss curves; 17: the optimizers' paths over the Rosenbrock function; empty: none
  std::string flow_plot;  // exercise 13: where to write the SVG of the gradient flow; empty: none
  // Grading: the runner's command line goes after this prefix (a sandbox), run in `workdir`.
  std::vector<std::string> command_prefix;
  std::string workdir;
  BuildProgress progress;  // told when a rebuild starts, when the runner starts and what the judge differences
};

struct CheckResult {
  const ExerciseInfo* info = nullptr;
  std::uint64_t seed = 0;
  Sizes sizes;
  Flavour flavour = Flavour::Learner;
  double threshold = kThreshold;
  RunnerStatus runner;
  BuildOutcome build;
  std::vector<GradientResult> gradients;  // in the exercise's order (exercise 08: then "training")
  std::optional<TrainingResult> training;
  std::optional<ExperimentResult> experiment;
  std::optional<FlowResult> flow;
  std::optional<RnnTrainingResult> rnn_training;
  std::optional<GptTrainingResult> gpt_training;
  std::optional<PathsResult> paths;
  std::string reproduce;                  // the exact command that reproduces this run

  int correct() const;
  bool all_correct() const { return correct() == static_cast<int>(gradients.size()); }
  // It compiled, and the runner said `end`, exited with 0 and wrote nothing malformed.
  bool ran_normally() const;
  // Every gradient correct in a run that finished normally (exit code 0, "complete").
  bool complete() const { return all_correct() && ran_normally(); }
  const GradientResult* next() const;  // the first gradient that is not correct (none after a compile error)
  std::vector<std::string> wrong_lines() const;  // the gradients whose own line is wrong
};

// Runners built with AddressSanitizer (the asan preset) run a few times slower: their default time
// limits are this many times longer there, so a sanitizer build judges the same code the same way.
#if defined(BPDOJO_ASAN)
inline constexpr double kSanitizerTimeScale = 3.0;
#else
inline constexpr double kSanitizerTimeScale = 1.0;
#endif

// How a run ended, from the process and what it wrote on the protocol channel.
RunnerStatus runner_status(const ProcessResult& process, const protocol::ParseResult& parsed, const ProcessLimits& limits);

// The verdict of a gradient the runner never reported, from how the run ended.
Verdict verdict_for_unreported(const RunnerStatus& runner);

// Default options for `info` (its runner's time limit).
CheckOptions default_options(const ExerciseInfo& info);

// Builds (if needed), runs and judges. Throws SetupError on usage or setup problems.
CheckResult check_exercise(const Workspace& ws, const ExerciseInfo& info, const CheckOptions& options);

// Judges what a runner reported against the instance: numeric gradients, comparisons, verdicts.
// `result` carries the exercise, seed, sizes and the runner's status.
// `progress`, when given, is told which gradient the numeric reference is differencing.
void judge(CheckResult& result, const protocol::ParseResult& reported, const BuildProgress& progress = {});

// The command line that reproduces a check.
std::string reproduce_command(const ExerciseInfo& info, std::uint64_t seed, const Sizes& sizes, Flavour flavour,
                              const std::map<std::string, double>& runner_options = {});

}  // namespace bpdojo
