#include "judge/rnn_training.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "common/text.hpp"
#include "judge/training.hpp"
#include "problems/exercise_13_rnn_train.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <future>
#include <limits>
#include <map>
#include <set>

namespace bpdojo {
namespace {

using Run = RnnTrainingResult::Run;

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

std::string run_title(const Run& run) {
  return run.k == 0 ? "full BPTT" : "truncated BPTT (k = " + std::to_string(run.k) + ")";
}

bool finite(const RnnParams& p) {
  for (const auto& f : kRnnParams)
    if (!(p.*f.field).allFinite()) return false;
  return true;
}

// The parameters of run `prefix` at each checkpoint the schedule has (checkpoints(steps)), where
// all six arrived as tensors with the initial parameters' shapes; any other step is ignored.
std::map<std::int64_t, RnnParams> reported_checkpoints(const protocol::ParseResult& parsed, const std::string& prefix,
                                                       std::int64_t steps, const RnnParams& shape) {
  const std::vector<std::int64_t> marks = checkpoints(steps);
  std::map<std::int64_t, RnnParams> out;
  for (std::int64_t t : marks) {
    RnnParams p;
    bool ok = true;
    for (const auto& f : kRnnParams) {
      const protocol::Message* m = last_message(parsed, prefix + "step." + std::to_string(t) + "." + f.name);
      const Matrix& want = shape.*f.field;
      ok = m && m->kind == protocol::Kind::Tensor && m->tensor.value.rows() == want.rows() && m->tensor.value.cols() == want.cols();
      if (!ok) break;
      p.*f.field = m->tensor.value;
    }
    if (ok) out.emplace(t, std::move(p));
  }
  return out;
}

// The norms the runner says clip_grad_norm returned (untrusted: shown, never judged), at most one
// per step: how many were above the max norm, and the largest (finite ones only).
void read_grad_norms(Run& run, const protocol::ParseResult& parsed, const std::string& prefix, std::int64_t steps) {
  const protocol::Message* m = last_message(parsed, prefix + "grad_norm");
  if (!m || m->kind != protocol::Kind::Series || m->series.empty() || steps <= 0) return;
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(m->series.size()), steps));
  run.clipped_steps = 0;
  run.max_grad_norm = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = m->series[i];
    if (!std::isfinite(v)) continue;
    if (v > kRnnClipNorm) ++run.clipped_steps;
    run.max_grad_norm = std::max(run.max_grad_norm, v);
  }
}

// A run that finished: did every parameter move, stay finite, the dev loss fall, and reach the
// threshold (in a run as long as the default)? Empty when it did; else what went wrong.
std::string judge_finished(const Run& run, const RnnParams& last, const RnnParams& init, std::int64_t steps) {
  std::string still;
  for (const auto& f : kRnnParams)
    if (last.*f.field == init.*f.field) still += std::string(still.empty() ? "" : ", ") + f.name;
  if (!still.empty())
    return "never changed: " + still + " (is its gradient zero? rnn_backward must set every parameter's gradient)";
  if (!finite(last)) return "the parameters became NaN or Inf during training";
  if (run.dev_curve.size() > 1 && !(run.dev_curve[1] < run.dev_curve[0]))
    return "the dev loss rose from " + fixed(run.dev_curve[0], 4) + " to " + fixed(run.dev_curve[1], 4) +
           " in the first stretch of training: a gradient of the wrong sign, or steps too large (clip_grad_norm must never"
           " scale a gradient up)?";
  if (steps >= kRnnDefaultSteps && !(run.dev_loss < run.threshold))
    return "dev loss " + fixed(run.dev_loss, 4) + " is not below " + fixed(run.threshold, 2);
  return "";
}

// The figures the checker computes for one run: the dev loss at each checkpoint and, for the last,
// the loss on a sample of the training split and 20 names.
struct Evaluated {
  std::vector<double> dev_curve;
  double train_loss = nan(), dev_loss = nan();
  std::vector<std::string> samples;
};
Evaluated evaluate(const std::map<std::int64_t, RnnParams>& ckpt, std::int64_t steps) {
  const NamesDataset& data = builtin_names();
  static const std::vector<std::vector<int>> dev = encode_names(data.dev);
  static const std::vector<std::vector<int>> train_sample = [&] {
    std::vector<std::vector<int>> all = encode_names(data.train);
    all.resize(std::min(all.size(), kRnnTrainSample));
    return all;
  }();
  Evaluated e;
  for (const auto& [step, p] : ckpt) e.dev_curve.push_back(rnn_eval_loss(p, dev));
  const auto last = ckpt.find(steps);
  if (last != ckpt.end() && finite(last->second)) {
    e.dev_loss = e.dev_curve.back();
    e.train_loss = rnn_eval_loss(last->second, train_sample);
    Rng rng = Rng(kRnnSampleSeed).fork("sample");
    for (int i = 0; i < 20; ++i) e.samples.push_back(rnn_sample(last->second, data.vocab, rng));
  }
  return e;
}

}  // namespace

void judge_rnn_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot) {
  RnnTrainingResult t;
  t.steps = result.sizes.at("S");
  t.lr = lr;
  if (t.steps == 0) {
    // No training asked for (S = 0 checks the gradients alone): no training row.
    result.rnn_training = std::move(t);
    return;
  }
  const RnnParams init = rnn_train_init(result.seed);
  std::vector<std::map<std::int64_t, RnnParams>> ckpt;
  for (std::size_t r = 0; r < kRnnRuns.size(); ++r) {
    Run run;
    run.name = kRnnRuns[r].name;
    run.k = kRnnRuns[r].k;
    run.threshold = kRnnDevLossThreshold;
    const std::string prefix = run.name + ".";
    ckpt.push_back(reported_checkpoints(parsed, prefix, t.steps, init));
    for (const auto& entry : ckpt.back()) run.at.push_back(entry.first);
    run.complete = ckpt.back().count(t.steps) == 1;
    read_run_series(run, parsed, prefix, t.steps);
    read_grad_norms(run, parsed, prefix, t.steps);
    t.runs.push_back(std::move(run));
  }
  // Each run's evaluation (the dev split at up to 21 checkpoints) on a thread of its own.
  std::vector<std::future<Evaluated>> pending;
  for (const auto& c : ckpt)
    pending.push_back(std::async(std::launch::async, [&c, steps = t.steps] { return evaluate(c, steps); }));
  for (std::size_t r = 0; r < t.runs.size(); ++r) {
    Evaluated e = pending[r].get();
    Run& run = t.runs[r];
    run.dev_curve = std::move(e.dev_curve);
    run.train_loss = e.train_loss;
    run.dev_loss = e.dev_loss;
    run.samples = std::move(e.samples);
  }

  // One row for both runs: the first that went wrong says why.
  GradientResult gr;
  gr.name = kTrainingRow;
  gr.function = "rnn_backward";
  gr.run_row = true;
  gr.verdict = Verdict::Correct;
  std::string figures;
  for (std::size_t r = 0; r < t.runs.size() && gr.verdict == Verdict::Correct; ++r) {
    const Run& run = t.runs[r];
    const protocol::Message* stopped = last_message(parsed, run.name + ".training");
    if (stopped && stopped->kind != protocol::Kind::NotImplemented && stopped->kind != protocol::Kind::Error) stopped = nullptr;
    if (stopped || !run.complete) {
      judge_unfinished_run(result, run, run_title(run), stopped, gr);
      continue;
    }
    const std::string wrong = judge_finished(run, ckpt[r].at(t.steps), init, t.steps);
    if (!wrong.empty()) {
      gr.verdict = Verdict::Wrong;
      gr.message = run_title(run) + ": " + wrong;
      continue;
    }
    figures += std::string(figures.empty() ? "dev loss " : ", ") + (run.k == 0 ? "full " : "truncated ") + fixed(run.dev_loss, 4) +
               (t.steps >= kRnnDefaultSteps ? " < " + fixed(run.threshold, 2) : "");
  }
  if (gr.verdict == Verdict::Correct)
    gr.message = figures + (t.steps >= kRnnDefaultSteps ? "" : " (no threshold for runs shorter than " + std::to_string(kRnnDefaultSteps) + " steps)");

  if (!plot.empty() && std::any_of(t.runs.begin(), t.runs.end(), [](const Run& r) { return r.at.size() >= 2; })) {
    if (write_file(plot, rnn_loss_plot_svg(t))) t.plot = plot;
  }
  result.gradients.push_back(std::move(gr));
  result.rnn_training = std::move(t);
}

void read_run_series(Run& run, const protocol::ParseResult& parsed, const std::string& prefix, std::int64_t steps) {
  const StepLosses losses = read_step_losses(parsed, prefix + "step_loss", steps);
  run.step_loss_window = losses.window;
  run.step_loss_at = losses.at;
  run.step_loss = losses.mean;
  const protocol::Message* s = last_message(parsed, prefix + "seconds");
  if (s && s->kind == protocol::Kind::Series && s->series.size() == 1 && std::isfinite(s->series[0]) && s->series[0] >= 0)
    run.seconds = s->series[0];
}

void judge_unfinished_run(const CheckResult& result, const Run& run, const std::string& title, const protocol::Message* stopped,
                          GradientResult& gr) {
  const std::string where = run.at.empty() ? "" : " (the last parameters reported: after step " + std::to_string(run.at.back()) + ")";
  if (stopped && stopped->kind == protocol::Kind::NotImplemented) {
    gr.verdict = Verdict::NotImplemented;
    gr.message = "not reached: training stopped at TODO(\"" + stopped->text.substr(0, 300) + "\")";
  } else if (stopped) {
    gr.verdict = Verdict::Error;
    gr.message = title + " stopped: " + stopped->text.substr(0, 300) + where;
  } else {
    gr.verdict = unfinished_verdict(result.runner);
    gr.message = title + " did not finish: " + result.runner.summary + where;
    if (gr.verdict == Verdict::TimedOut) gr.message += "; a longer run needs a longer --timeout";
  }
}

std::string rnn_loss_plot_svg(const RnnTrainingResult& t) {
  // Full BPTT in blue, truncated in vermillion; each run's batch losses in a lighter tone beneath.
  const int dev_colour[2] = {4, 5}, batch_colour[2] = {1, 0};
  std::vector<RunCurves> runs;
  for (std::size_t r = 0; r < t.runs.size() && r < 2; ++r) {
    const Run& run = t.runs[r];
    runs.push_back({&run, run_title(run) + ", ", "dev (checkpoints)", batch_colour[r], dev_colour[r], run.k != 0});
  }
  return runs_loss_plot_svg("exercise_13_loss", "exercise_13: full BPTT and truncated, " + std::to_string(t.steps) + " steps each",
                            t.steps, t.lr, runs);
}

std::string runs_loss_plot_svg(const std::string& id, const std::string& title, std::int64_t steps, double lr,
                               const std::vector<RunCurves>& runs) {
  plot::Figure f;
  f.id = id;
  f.title = title;
  f.x.title = "step";
  f.x.min = 0.0;
  f.x.max = static_cast<double>(std::max<std::int64_t>(1, steps));
  f.y.title = "loss per character (log scale)";
  f.y.scale = plot::Scale::Log;
  for (const RunCurves& c : runs) {
    const Run& run = *c.run;
    if (run.step_loss.empty()) continue;
    plot::Series s{c.label + "batches (runner's, mean of " + std::to_string(run.step_loss_window) + ")", run.step_loss_at, run.step_loss};
    s.colour = c.batch_colour;
    s.width = 1.0;
    s.opacity = 0.8;
    f.series.push_back(std::move(s));
  }
  for (const RunCurves& c : runs) {
    const Run& run = *c.run;
    plot::Series s{c.label + c.dev_name, std::vector<double>(run.at.begin(), run.at.end()), run.dev_curve};
    s.points = true;
    s.colour = c.dev_colour;
    s.dashed = c.dashed;
    f.series.push_back(std::move(s));
  }
  if (steps >= 2) f.markers.push_back({static_cast<double>(steps / 2), "lr " + shortest(lr) + " -> " + shortest(lr / 10)});
  return plot::svg(f);
}

std::string rnn_loss_chart_text(const RnnTrainingResult& t, int width, int height) {
  // A curve needs two checkpoints (a run stopped at its first step has one: nothing to chart).
  if (std::none_of(t.runs.begin(), t.runs.end(), [](const Run& r) { return r.at.size() >= 2; })) return "";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::int64_t last = 1;
  for (const Run& run : t.runs) {
    for (double v : run.dev_curve)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!run.at.empty()) last = std::max(last, run.at.back());
  }
  if (!(lo <= hi)) return "";
  if (hi - lo < 1e-9) hi = lo + 1e-9;
  std::vector<std::string> grid(static_cast<std::size_t>(height), std::string(static_cast<std::size_t>(width), ' '));
  const char marks[2] = {'f', 'k'};
  for (std::size_t r = 0; r < t.runs.size() && r < 2; ++r) {
    const Run& run = t.runs[r];
    for (std::size_t i = 0; i < run.at.size() && i < run.dev_curve.size(); ++i) {
      if (!std::isfinite(run.dev_curve[i])) continue;
      const auto col = static_cast<std::size_t>(std::lround((width - 1) * static_cast<double>(run.at[i]) / static_cast<double>(last)));
      const auto row = static_cast<std::size_t>(std::lround((height - 1) * (hi - run.dev_curve[i]) / (hi - lo)));
      char& cell = grid[row][col];
      cell = (cell == ' ' || cell == marks[r]) ? marks[r] : '*';
    }
  }
  std::string out;
  for (int r = 0; r < height; ++r) {
    char label[16] = "";
    if (r == 0) std::snprintf(label, sizeof label, "%6.3f", hi);
    if (r == height - 1) std::snprintf(label, sizeof label, "%6.3f", lo);
    char line[32];
    std::snprintf(line, sizeof line, "  %6s |", label);
    out += line + grid[static_cast<std::size_t>(r)] + "\n";
  }
  out += "         +" + std::string(static_cast<std::size_t>(width), '-') + "\n";
  char axis[160];
  std::snprintf(axis, sizeof axis, "          0%*lld steps   dev loss: f full BPTT, k truncated (k = %d), * both\n", width - 1,
                static_cast<long long>(last), kRnnTruncation);
  out += axis;
  return out;
}

}  // namespace bpdojo
