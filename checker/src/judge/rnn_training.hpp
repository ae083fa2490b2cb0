// Backprop Dojo checker: judging exercise 13's training runs, full BPTT and truncated.
//
// The runner (learner code) trains the RNN twice from the same start on the same batches
// (workbook/problems/exercise_13_rnn_train.hpp) and reports the parameters of each run at the
// checkpoints; nothing it says about losses is judged (its batch losses are only drawn). The
// checker evaluates each checkpoint on the dev split with the workbook's forward pass, the final
// parameters also on a sample of the training split, samples 20 names from each run, and judges
// both runs in one row, kTrainingRow.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

// The dev loss both runs must reach at the default length (kRnnDefaultSteps = 3000 steps, lr 1 then
// 0.1, clip 5, N = 32 names, H = 64). The reference at seeds 0 to 4 (docs/exercise_13.md, "Training"):
// full BPTT 2.1205 to 2.1280, truncated (k = 3) 2.1305 to 2.1380; so 2.20 leaves 0.06 of room on
// the worst run. A learning rate ten times too small (--lr 0.1, seed 0) ends at 2.2409 and 2.2477,
// and fails: the threshold asks for the whole run's progress (at seed 0 the dev loss hovers around
// 2.20 from step 900 until the learning rate falls at step 1500).
inline constexpr double kRnnDevLossThreshold = 2.20;
// Names of the training split the final train loss is evaluated on (the dev split is evaluated whole).
inline constexpr std::size_t kRnnTrainSample = 4096;
// The seed of each run's 20 sampled names (the same for every run and both runs).
inline constexpr std::uint64_t kRnnSampleSeed = 2147483647;

// Adds the pseudo-gradient kTrainingRow (GradientResult::run_row) to result.gradients and fills
// result.rnn_training; with 0 steps (S = 0), only result.rnn_training: nothing trained, nothing to
// judge. `lr` is the runs' learning rate; `plot` where to write the SVG (may be empty).
void judge_rnn_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot);

// The SVG of both runs' loss curves (common/plot.hpp), on a log axis: each run's batch losses in
// window means as a thin line, its dev loss at the checkpoints as points, and the learning-rate decay.
std::string rnn_loss_plot_svg(const RnnTrainingResult& t);
// Both runs' dev losses at the checkpoints as a terminal chart, `width` x `height` characters.
std::string rnn_loss_chart_text(const RnnTrainingResult& t, int width = 60, int height = 12);

// What one run (exercise 13's two, exercise 15's one) reports beside its parameters: its batch
// losses ("<prefix>step_loss", only drawn) and its seconds ("<prefix>seconds"); prefix "" or "<name>.".
void read_run_series(RnnTrainingResult::Run& run, const protocol::ParseResult& parsed, const std::string& prefix, std::int64_t steps);
// A run that did not finish (`stopped`: its TODO or its error, else nullptr): why it stopped, as
// exercise 08's judge says it, in `gr`. `title` names the run in the message ("training" alone).
void judge_unfinished_run(const CheckResult& result, const RnnTrainingResult::Run& run, const std::string& title,
                          const protocol::Message* stopped, GradientResult& gr);

// How a run is drawn in a figure of runs' loss curves (exercise 13's two, exercise 15's one).
struct RunCurves {
  const RnnTrainingResult::Run* run = nullptr;
  std::string label;     // put before each of its series' names ("full BPTT, "), or empty
  std::string dev_name;  // the name of its dev series, after the label
  int batch_colour = 1, dev_colour = 4;
  bool dashed = false;  // its dev series
};
// The SVG of runs' loss curves over a run of `steps` steps (common/plot.hpp), on a log axis: each
// run's batch losses in window means as a thin line (when the runner sent any), then each run's dev
// loss at the checkpoints as points, and a marker at the learning rate's decay from `lr`, half-way.
std::string runs_loss_plot_svg(const std::string& id, const std::string& title, std::int64_t steps, double lr,
                               const std::vector<RunCurves>& runs);

}  // namespace bpdojo
