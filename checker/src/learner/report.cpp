#include "learner/report.hpp"

#include "common/json.hpp"
#include "common/text.hpp"
#include "judge/experiment.hpp"
#include "judge/rnn_training.hpp"
#include "judge/gpt_training.hpp"
#include "problems/exercise_15_gpt.hpp"
#include "judge/training.hpp"
#include "problems/exercise_11_deep.hpp"
#include "problems/exercise_13_rnn_train.hpp"
#include "problems/exercise_17_optimizers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace bpdojo {
namespace {

const char* kGreen = "\033[32m";
const char* kRed = "\033[31m";
const char* kYellow = "\033[33m";
const char* kDim = "\033[2m";
const char* kBold = "\033[1m";
const char* kReset = "\033[0m";

std::string paint(const Style& s, const char* code, const std::string& text) {
  return s.colour ? std::string(code) + text + kReset : text;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string index_str(const std::vector<std::int64_t>& idx) {
  return "[" + join(idx, [](std::int64_t i) { return std::to_string(i); }, ",") + "]";
}

const char* verdict_colour(Verdict v) {
  switch (v) {
    case Verdict::Correct: return kGreen;
    case Verdict::NotImplemented: return kYellow;
    default: return kRed;
  }
}

const char* flavour_name(Flavour f) {
  switch (f) {
    case Flavour::Learner: return "learner";
    case Flavour::Solution: return "solution";
    case Flavour::Stub: return "stub";
  }
  return "?";
}

}  // namespace

Style Style::for_stdout() {
  Style s;
  const char* no_colour = std::getenv("NO_COLOR");
  s.colour = ::isatty(1) && !(no_colour && *no_colour) && !(std::getenv("TERM") && std::string(std::getenv("TERM")) == "dumb");
  return s;
}

std::string format_error(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1e", v);
  return buf;
}

std::string experiment_section(const CheckResult& r, const Style& st) {
  const ExperimentResult& e = *r.experiment;
  std::string out = "\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "experiment: %zu stacks, %lld steps each on two spirals (D=%lld, %lld points, lr %g), yours beside the reference's\n",
                e.configs.size(), static_cast<long long>(e.steps), static_cast<long long>(kExperimentWidth),
                static_cast<long long>(kExperimentPoints), kExperimentLr);
  out += paint(st, kBold, buf);
  if (e.steps == 0) return out + "not run: with 0 steps (--size S=0) the gradients and init_std are checked, not the experiment\n";
  out += experiment_table(e);
  for (const auto& p : e.plots) out += "plot: " + p + "\n";
  return out;
}

std::string training_section(const CheckResult& r, const Style& st) {
  const TrainingResult& t = *r.training;
  std::string out = "\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "training: %lld steps, N=%lld, H=%lld, lr %g, then %g from step %lld\n",
                static_cast<long long>(t.steps), static_cast<long long>(r.sizes.at("N")),
                static_cast<long long>(r.sizes.at("H")), t.lr, t.lr / 10.0, static_cast<long long>(t.steps / 2));
  out += paint(st, kBold, buf);
  if (t.steps == 0) return out + "not run: with 0 steps the gradients and the update are checked, not training\n";
  if (t.at.size() >= 2) {
    out += "loss at " + std::to_string(t.at.size()) + " checkpoints (train: " + std::to_string(kCurveSample) +
           " training examples; dev: the dev split):\n";
    out += loss_chart_text(t);
  }
  if (!t.samples.empty()) {
    std::snprintf(buf, sizeof buf, "after training, batch norm calibrated over the training split: train %.4f  dev %.4f  test %.4f\n",
                  t.train_loss, t.dev_loss, t.test_loss);
    out += buf;
    out += "20 names sampled from your model:";
    for (const auto& name : t.samples) out += " " + name;
    out += "\n";
  }
  if (!t.plot.empty()) out += "plot: " + t.plot + "\n";
  return out;
}

// Exercise 13: both runs' dev losses (a chart), then per run the final losses, the runner's
// seconds and 20 names.
std::string rnn_training_section(const CheckResult& r, const Style& st) {
  const RnnTrainingResult& t = *r.rnn_training;
  std::string out = "\n";
  char buf[320];
  std::snprintf(buf, sizeof buf, "training: full BPTT and truncated (k = %d), %lld steps each from the same start on the same batches (N=%lld names, H=%lld, lr %g, then %g from step %lld, clip %g)\n",
                kRnnTruncation, static_cast<long long>(t.steps), static_cast<long long>(kRnnTrainNames),
                static_cast<long long>(kRnnTrainHidden), t.lr, t.lr / 10.0, static_cast<long long>(t.steps / 2), kRnnClipNorm);
  out += paint(st, kBold, buf);
  if (t.steps == 0) return out + "not run: with 0 steps (--size S=0) the gradients and clipping are checked, not training\n";
  const std::string chart = rnn_loss_chart_text(t);
  if (!chart.empty()) out += "dev loss at the checkpoints:\n" + chart;
  for (const auto& run : t.runs) {
    const std::string title = run.k == 0 ? "full BPTT" : "truncated (k = " + std::to_string(run.k) + ")";
    if (run.samples.empty()) {
      out += title + ": " + (run.complete ? "no figures (the parameters are not finite)" : "did not finish") + "\n";
      continue;
    }
    std::snprintf(buf, sizeof buf, "%s: train %.4f (%zu names)  dev %.4f", title.c_str(), run.train_loss, kRnnTrainSample, run.dev_loss);
    out += buf;
    if (run.seconds >= 0) {
      std::snprintf(buf, sizeof buf, "  in %.1f s (%.2f ms a step, the runner's clock)", run.seconds,
                    1000.0 * run.seconds / static_cast<double>(std::max<std::int64_t>(1, t.steps)));
      out += buf;
    }
    if (run.clipped_steps >= 0) {
      std::snprintf(buf, sizeof buf, "\n  clip_grad_norm cut %lld of %lld steps (the norms it returned, by the runner: largest %.3g)",
                    static_cast<long long>(run.clipped_steps), static_cast<long long>(t.steps), run.max_grad_norm);
      out += buf;
    }
    out += "\n  20 names:";
    for (const auto& name : run.samples) out += " " + name;
    out += "\n";
  }
  if (!t.plot.empty()) out += "plot: " + t.plot + "\n";
  return out;
}

// Exercise 15: the dev loss at the checkpoints, the final losses, the runner's seconds, 20 names.
std::string gpt_training_section(const CheckResult& r, const Style& st) {
  const GptTrainingResult& t = *r.gpt_training;
  std::string out = "\n";
  char buf[320];
  std::snprintf(buf, sizeof buf, "training: %lld steps of SGD (%lld names a batch, C=%lld in %lld heads, lr %g, then %g from step %lld)\n",
                static_cast<long long>(t.steps), static_cast<long long>(kGptTrainNames),
                static_cast<long long>(kGptTrainHeads * kGptTrainHeadSize), static_cast<long long>(kGptTrainHeads), t.lr, t.lr / 10.0,
                static_cast<long long>(t.steps / 2));
  out += paint(st, kBold, buf);
  if (t.steps == 0) return out + "not run: with 0 steps (--size S=0) the gradients and the update are checked, not training\n";
  const auto& run = t.run;
  if (!run.dev_curve.empty()) {
    out += "dev loss at the checkpoints (step: loss):";
    for (std::size_t i = 0; i + 1 < run.at.size() && i < run.dev_curve.size(); i += std::max<std::size_t>(1, run.at.size() / 5))
      std::snprintf(buf, sizeof buf, " %lld: %.4f", static_cast<long long>(run.at[i]), run.dev_curve[i]), out += buf;
    std::snprintf(buf, sizeof buf, " %lld: %.4f\n", static_cast<long long>(run.at.back()), run.dev_curve.back());
    out += buf;
  }
  if (run.samples.empty()) return out + (run.complete ? "no figures (the parameters are not finite)\n" : "did not finish\n");
  std::snprintf(buf, sizeof buf, "train %.4f (%zu names)  dev %.4f", run.train_loss, kGptTrainSample, run.dev_loss);
  out += buf;
  if (run.seconds >= 0) {
    std::snprintf(buf, sizeof buf, "  in %.1f s (%.2f ms a step, the runner's clock)", run.seconds,
                  1000.0 * run.seconds / static_cast<double>(std::max<std::int64_t>(1, t.steps)));
    out += buf;
  }
  out += "\n20 names:";
  for (const auto& name : run.samples) out += " " + name;
  out += "\n";
  if (!t.plot.empty()) out += "plot: " + t.plot + "\n";
  return out;
}

namespace {

// Exercise 13: each curve's norms at every fifth step back, and the plot.
std::string flow_section(const FlowResult& f, const Style& st) {
  if (f.curves.empty()) return "";
  const std::size_t T = f.curves.front().reference.size();
  if (std::all_of(f.curves.begin(), f.curves.end(), [](const FlowResult::Curve& c) { return c.yours.empty(); }))
    return "\n" + paint(st, kBold, "gradient flow:") + " drawn from your vanish.dh and explode.dh once they arrive" +
           (f.plot.empty() ? "" : " (the finite differences' alone for now: " + f.plot + ")") + "\n";
  std::string out = "\n" + paint(st, kBold, "gradient flow: ||dL_T/dh_t||, the loss at the last step (T = " + std::to_string(T) +
                                                  "), yours at T - t steps back") + "\n";
  std::vector<std::size_t> at;
  for (std::size_t back = 0; back + 1 < T; back += 5) at.push_back(back);
  if (T > 0) at.push_back(T - 1);
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-30s", "T - t");
  out += buf;
  for (std::size_t back : at) {
    std::snprintf(buf, sizeof buf, " %8zu", back);
    out += buf;
  }
  out += "\n";
  for (const auto& c : f.curves) {
    std::snprintf(buf, sizeof buf, "  %-30s", (c.label + (c.correct || c.yours.empty() ? "" : " (wrong)")).c_str());
    out += buf;
    for (std::size_t back : at) {
      std::snprintf(buf, sizeof buf, " %8s", back < c.yours.size() ? format_error(c.yours[back]).c_str() : "-");
      out += buf;
    }
    out += "\n";
  }
  if (!f.plot.empty()) out += "plot: " + f.plot + "\n";
  return out;
}

// Exercise 17: where each optimizer's path ended, yours and the checker's, and the plot.
std::string paths_section(const PathsResult& p, const Style& st) {
  std::string out = "\n" + paint(st, kBold, "paths over the Rosenbrock function: " + std::to_string(p.steps) +
                                                  " steps from (-1.2, 1), the minimum at (1, 1) (shown, not judged)") + "\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-10s %-32s %s\n", "optimizer", "yours: last point, f", "the checker's: last point, f");
  out += buf;
  auto point = [](const Matrix& m, std::int64_t steps) -> std::string {
    if (m.rows() == 0) return "-";
    char b[96];
    const double x = m(m.rows() - 1, 0), y = m(m.rows() - 1, 1);
    std::snprintf(b, sizeof b, "(%.4g, %.4g), %.3g", x, y, rosenbrock(x, y));
    std::string text = b;
    if (m.rows() < steps + 1) text += " at step " + std::to_string(m.rows() - 1) + " of " + std::to_string(steps);
    return text;
  };
  for (const auto& path : p.paths) {
    const std::string yours = path.reported ? point(path.yours, p.steps) : "not reported";
    std::snprintf(buf, sizeof buf, "  %-10s %-32s %s\n", path.name.c_str(), yours.c_str(), point(path.reference, p.steps).c_str());
    out += buf;
  }
  if (!p.plot.empty()) out += "plot: " + p.plot + "\n";
  if (!p.mlp.empty()) {
    out += "\n" + paint(st, kBold, "exercise 08's MLP on the names, " + std::to_string(p.steps) +
                                      " steps of each from the same start: the dev loss, computed by the checker (shown, not judged)") + "\n";
    for (const auto& c : p.mlp) {
      if (c.at.empty()) {
        std::snprintf(buf, sizeof buf, "  %-10s not reported\n", c.name.c_str());
      } else {
        std::snprintf(buf, sizeof buf, "  %-10s %.4f at step %lld (%.4f at step 0)\n", c.name.c_str(), c.dev.back(),
                      static_cast<long long>(c.at.back()), c.dev.front());
      }
      out += buf;
    }
    if (!p.mlp_plot.empty()) out += "plot: " + p.mlp_plot + "\n";
  }
  return out;
}

// The compiler's errors (a build that failed) and warnings (one that did not) about the file.
std::string build_section(const CheckResult& r, const Style& st) {
  std::string out;
  if (!r.build.ok) {
    out += paint(st, kRed, "compile error") + ": " + r.info->source + " does not compile.\n";
    for (const auto& l : r.build.errors) out += "  " + l + "\n";
    if (r.build.errors_omitted)
      out += "  (" + std::to_string(r.build.errors_omitted) + " more lines: " + r.build.command + ")\n";
  }
  if (!r.build.warnings.empty()) {
    out += paint(st, kYellow, "compiler warnings") + " (not errors; often worth reading):\n";
    for (const auto& l : r.build.warnings) out += "  " + l + "\n";
    if (r.build.warnings_omitted)
      out += "  (" + std::to_string(r.build.warnings_omitted) + " more lines: " + r.build.command + ")\n";
  }
  return out;
}

bool not_reached(const GradientResult& g) {
  return g.verdict == Verdict::NotImplemented && g.message.rfind("not reached: ", 0) == 0;
}

// One row of the table, with the lines under it: the diagnosis, the worst element, the message. A
// gradient the run never reached is one line: why, the first of a run of them, then just "not reached".
std::string gradient_row(const GradientResult& g, std::size_t wname, std::size_t wshape, const Style& st,
                         const GradientResult* before) {
  std::string line = "  " + pad(g.name, wname) + "  " + pad(g.run_row ? "-" : to_string(g.expected_shape), wshape) + "  ";
  if (g.comparison && g.comparison->shape_ok) {
    line += pad(format_error(g.comparison->max_abs_diff), 8) + "  " + pad(format_error(g.comparison->rel_error), 9) + "  ";
  } else {
    line += pad("-", 8) + "  " + pad("-", 9) + "  ";
  }
  if (not_reached(g)) {
    const bool same_reason = before && not_reached(*before) && before->message == g.message;
    return line + paint(st, verdict_colour(g.verdict), same_reason ? std::string("not reached") : g.message) + "\n";
  }
  line += paint(st, verdict_colour(g.verdict), to_string(g.verdict));
  const bool inherited = g.verdict == Verdict::Wrong && !g.line_wrong && (!g.inherits.empty() || g.below_bar_upstream);
  if (g.line_wrong && g.verdict == Verdict::Wrong) line += paint(st, kBold, "  <- this line");
  if (inherited && g.below_bar_upstream)
    line += paint(st, kDim, "  (this line is right; errors below the bar in the lines before it add up" +
                                (g.inherits.empty() ? std::string(")") : ": the largest is at " + g.inherits + ")"));
  else if (inherited && g.line_unchecked)
    line += paint(st, kDim, "  (fix " + g.inherits + " first: this line reads it through values you do not report)");
  else if (inherited)
    line += paint(st, kDim, "  (this line is right; the error starts at " + g.inherits + ")");
  std::string out = line + "\n";
  const std::string indent(4 + wname, ' ');
  if (inherited) return out;
  if (!g.shared_source.empty())
    out += indent + paint(st, kYellow, "wrong together with " + join(g.shared_with) + "; " +
                                           (g.shared_with.size() == 1 ? "both are" : "all are") + " computed only from your " +
                                           g.shared_source + ": the likely mistake is there") + "\n";
  if (g.diagnosis) out += indent + paint(st, kYellow, g.diagnosis->text) + "\n";
  if (g.verdict == Verdict::Wrong && g.comparison) {
    const Comparison& c = *g.comparison;
    std::string where = index_str(c.worst_index);
    // In a stack (Graph::stack), which block and which of its rows: [10,3] of dh is h@2, row 2.
    const auto blocks = static_cast<std::int64_t>(g.floors.size());
    if (blocks > 1 && !c.worst_index.empty() && !g.expected_shape.empty() && g.expected_shape[0] % blocks == 0) {
      const std::int64_t rows = g.expected_shape[0] / blocks;
      where += " (" + stack_member(g.node, static_cast<std::size_t>(c.worst_index[0] / rows + 1)) + ", row " +
               std::to_string(c.worst_index[0] % rows) + ")";
    }
    out += indent + paint(st, kDim, "worst at " + where + ": yours " + num(c.worst_analytic) + ", numeric " +
                                        num(c.worst_numeric)) + "\n";
  }
  if (!g.message.empty() && (g.verdict != Verdict::Correct || g.run_row))
    out += indent + paint(st, kDim, g.message) + "\n";
  if (!g.at.empty()) out += indent + "at " + g.at + "\n";
  return out;
}

std::string gradient_table(const CheckResult& r, const Style& st) {
  std::size_t wname = 8, wshape = 5;
  for (const auto& g : r.gradients) {
    wname = std::max(wname, g.name.size());
    wshape = std::max(wshape, to_string(g.expected_shape).size());
  }
  std::string out = "\n  " + pad("gradient", wname) + "  " + pad("shape", wshape) + "  max|a-n|  rel.error  verdict\n";
  for (std::size_t i = 0; i < r.gradients.size(); ++i)
    out += gradient_row(r.gradients[i], wname, wshape, st, i > 0 ? &r.gradients[i - 1] : nullptr);
  return out;
}

// "3/5 correct - next: dW", and the threshold it was judged by.
std::string summary_section(const CheckResult& r, const Style& st) {
  std::string summary = std::to_string(r.correct()) + "/" + std::to_string(r.gradients.size()) + " correct";
  const std::vector<std::string> wrong = r.wrong_lines();
  if (!r.build.ok) {
    summary += " - " + r.info->source + " does not compile";
  } else if (!wrong.empty()) {
    summary += (wrong.size() == 1 ? " - the wrong line: " : " - the wrong lines: ") + join(wrong);
  } else if (const GradientResult* next = r.next()) {
    summary += " - next: " + next->name;
  } else if (!r.ran_normally()) {
    summary += " - but the run did not finish normally: " + r.runner.summary;
  }
  // Rows with a bar of their own (GradientSpec::threshold: exercise 17's updates, judged against
  // the checker's exact value): named with it, or the one bar when every row has it.
  std::map<double, std::vector<std::string>> own;
  for (const auto& g : r.gradients)
    if (g.threshold != r.threshold) own[g.threshold].push_back(g.name);
  std::string bar = "threshold " + format_error(r.threshold);
  std::string reference = "n = numeric";
  if (own.size() == 1 && own.begin()->second.size() == r.gradients.size()) {
    bar = "threshold " + format_error(own.begin()->first);
    reference = "n = the checker's exact value";
  } else {
    for (const auto& [t, names] : own) bar += " (" + format_error(t) + " for " + join(names) + ")";
  }
  return "\n" + paint(st, r.complete() ? kGreen : kBold, summary) + "\n" +
         paint(st, kDim, bar + " on the relative error |a-n|max / max(|a|max, |n|max, floor); a = yours, " + reference) + "\n";
}

// How the runner ended, and what the learner's code printed (no terminal control sequences).
std::string runner_section(const CheckResult& r, const Style& st) {
  std::string out;
  if (r.build.ok) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " (%.2f s)", r.runner.wall_seconds);
    out += "runner: " + r.runner.summary + buf + "\n";
    // Where it crashed, unless a gradient's row already says it.
    const bool shown = std::any_of(r.gradients.begin(), r.gradients.end(), [&](const GradientResult& g) { return !g.at.empty(); });
    if (!r.runner.crashed_at.empty() && !shown) out += "  at " + r.runner.crashed_at + "\n";
    if (!r.runner.protocol_error.empty()) out += "runner protocol: " + r.runner.protocol_error + "\n";
  }
  if (r.runner.output.empty()) return out;
  out += paint(st, kDim, "--- your code printed" +
                             (r.runner.output_bytes > r.runner.output.size()
                                  ? " (first " + std::to_string(r.runner.output.size()) + " of " +
                                        std::to_string(r.runner.output_bytes) + " bytes)"
                                  : std::string()) + ": ---") + "\n";
  std::string shown;
  for (unsigned char c : r.runner.output)
    shown += (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7F ? static_cast<char>(c) : '?';
  out += shown;
  if (shown.back() != '\n') out += "\n";
  out += paint(st, kDim, "---") + "\n";
  return out;
}

}  // namespace

std::string text_report(const CheckResult& r, const Style& st) {
  const ExerciseInfo& info = *r.info;
  std::string sizes;
  for (const auto& s : info.sizes) sizes += "  " + s.letter + "=" + std::to_string(r.sizes.at(s.letter));
  std::string out = paint(st, kBold, info.id() + "  " + info.title) +
                    (r.flavour == Flavour::Solution ? "  (reference solution)" : "") + "    seed " + std::to_string(r.seed) +
                    sizes + "\n";
  out += build_section(r, st);
  if (r.build.ok) out += gradient_table(r, st);
  if (r.training) out += training_section(r, st);
  if (r.rnn_training) out += rnn_training_section(r, st);
  if (r.gpt_training) out += gpt_training_section(r, st);
  if (r.experiment) out += experiment_section(r, st);
  if (r.flow) out += flow_section(*r.flow, st);
  if (r.paths) out += paths_section(*r.paths, st);
  out += summary_section(r, st);
  out += runner_section(r, st);
  out += "reproduce: " + r.reproduce + "\n";
  return out;
}

std::string watch_screen(const CheckResult& r, const Style& st, int rows, const std::string& footer) {
  // The summary line is the second of summary_section (after a blank line); the threshold follows.
  const std::string summary = summary_section(r, st);
  const std::size_t from = summary.find('\n') + 1;
  std::string top = summary.substr(from, summary.find('\n', from) + 1 - from);
  std::size_t wname = 8, wshape = 5;
  for (const auto& g : r.gradients) {
    wname = std::max(wname, g.name.size());
    wshape = std::max(wshape, to_string(g.expected_shape).size());
  }
  const GradientResult* first_wrong = nullptr;
  for (const auto& g : r.gradients)
    if (g.verdict != Verdict::Correct && g.verdict != Verdict::NotImplemented && !first_wrong) first_wrong = &g;
  if (first_wrong) top += gradient_row(*first_wrong, wname, wshape, st, nullptr);
  const auto count = [](const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); };
  const std::string report = text_report(r, st);
  // One line between the top and the report, and the last row for the cursor the final newline
  // leaves there (a line more and the terminal scrolls the top away).
  const int room = rows - 1 - count(top) - 1 - count(footer);
  if (rows <= 0 || count(report) <= room) return top + "\n" + report + footer;
  std::string cut;
  std::size_t at = 0;
  for (int line = 0; line < room - 1 && at < report.size(); ++line) {
    const std::size_t end = report.find('\n', at);
    cut += report.substr(at, end + 1 - at);
    at = end + 1;
  }
  const int rest = count(report.substr(at));
  cut += paint(st, kDim, "  ... " + std::to_string(rest) + " more lines: `checker " + r.info->id() + "` prints the whole report") + "\n";
  return top + "\n" + cut + footer;
}

namespace {

void json_build(JsonWriter& j, const BuildOutcome& build) {
  j.key("build").begin_object();
  j.key("ok").value(build.ok);
  j.key("rebuilt").value(build.rebuilt);
  j.key("errors").begin_array();
  for (const auto& l : build.errors) j.value(l);
  j.end_array();
  j.key("warnings").begin_array();
  for (const auto& l : build.warnings) j.value(l);
  j.end_array();
  j.end_object();
}

// How the runner ended, as the schema names it ("not run" after a compile error).
const char* runner_end(const CheckResult& r) {
  if (!r.build.ok) return "not run";
  switch (r.runner.end) {
    case ProcessResult::End::Exited: return "exited";
    case ProcessResult::End::Signaled: return "signaled";
    case ProcessResult::End::TimedOut: return "timed_out";
    case ProcessResult::End::MemoryLimit: return "memory_limit";
    case ProcessResult::End::OutputLimit: return "output_limit";
    case ProcessResult::End::FailedToStart: return "failed_to_start";
  }
  return "not run";
}

void json_runner(JsonWriter& j, const CheckResult& r) {
  j.key("runner").begin_object();
  j.key("end").value(runner_end(r));
  j.key("finished").value(r.runner.finished);
  j.key("exit_code").value(r.runner.exit_code);
  j.key("signal").value(r.runner.signal);
  j.key("wall_seconds").value(r.runner.wall_seconds);
  j.key("summary").value(r.runner.summary);
  j.key("protocol_error").value(r.runner.protocol_error);
  if (r.runner.crashed_at.empty()) j.key("crashed_at").null();
  else j.key("crashed_at").value(r.runner.crashed_at);
  j.key("output").value(r.runner.output);
  j.key("output_bytes").value(static_cast<std::uint64_t>(r.runner.output_bytes));
  j.end_object();
}

void json_comparison(JsonWriter& j, const GradientResult& g) {
  if (g.comparison && g.comparison->shape_ok) {
    const Comparison& c = *g.comparison;
    j.key("max_abs_diff").value(c.max_abs_diff);
    j.key("rel_error").value(c.rel_error);
    j.key("nonfinite").value(c.nonfinite);
    j.key("worst").begin_object();
    j.key("index").value(c.worst_index);
    j.key("analytic").value(c.worst_analytic);
    j.key("numeric").value(c.worst_numeric);
    j.end_object();
  } else {
    j.key("max_abs_diff").null();
    j.key("rel_error").null();
    j.key("nonfinite").null();
    j.key("worst").null();
  }
}

void json_gradient(JsonWriter& j, const GradientResult& g) {
  j.begin_object();
  j.key("name").value(g.name);
  j.key("node").value(g.node);
  j.key("function").value(g.function);
  j.key("verdict").value(to_string(g.verdict));
  j.key("message").value(g.message);
  if (g.at.empty()) j.key("at").null();
  else j.key("at").value(g.at);
  j.key("expected_shape").value(g.expected_shape);
  if (g.got_shape.empty()) j.key("shape").null();
  else j.key("shape").value(g.got_shape);
  json_comparison(j, g);
  if (g.local) j.key("local_rel_error").value(g.local->rel_error);
  else j.key("local_rel_error").null();
  j.key("floor").value(g.floor);
  j.key("threshold").value(g.threshold);
  j.key("line_wrong").value(g.line_wrong);
  if (g.inherits.empty()) j.key("inherits").null();
  else j.key("inherits").value(g.inherits);
  if (g.shared_source.empty()) j.key("shared_source").null();
  else j.key("shared_source").value(g.shared_source);
  j.key("below_bar_upstream").value(g.below_bar_upstream);
  j.key("line_unchecked").value(g.line_unchecked);
  if (g.diagnosis) j.key("diagnosis").begin_object().key("kind").value(g.diagnosis->kind).key("text").value(g.diagnosis->text).end_object();
  else j.key("diagnosis").null();
  j.end_object();
}

void json_summary(JsonWriter& j, const CheckResult& r) {
  j.key("summary").begin_object();
  j.key("correct").value(r.correct());
  j.key("total").value(static_cast<int>(r.gradients.size()));
  if (const GradientResult* next = r.next()) j.key("next").value(next->name);
  else j.key("next").null();
  j.key("wrong_lines").begin_array();
  for (const auto& name : r.wrong_lines()) j.value(name);
  j.end_array();
  j.end_object();
}

void json_curve(JsonWriter& j, const char* key, const std::vector<double>& curve) {
  j.key(key).begin_array();
  for (double v : curve) j.value(v);
  j.end_array();
}

void json_training(JsonWriter& j, const TrainingResult& t) {
  j.key("training").begin_object();
  j.key("steps").value(t.steps);
  j.key("lr").value(t.lr);
  j.key("threshold").value(t.threshold);
  j.key("checkpoints").begin_array();
  for (auto step : t.at) j.value(step);
  j.end_array();
  json_curve(j, "train_curve", t.train_curve);
  json_curve(j, "dev_curve", t.dev_curve);
  j.key("complete").value(t.complete);
  if (t.samples.empty()) {
    j.key("train_loss").null();
    j.key("dev_loss").null();
    j.key("test_loss").null();
  } else {
    j.key("train_loss").value(t.train_loss);
    j.key("dev_loss").value(t.dev_loss);
    j.key("test_loss").value(t.test_loss);
  }
  j.key("samples").begin_array();
  for (const auto& name : t.samples) j.value(name);
  j.end_array();
  if (t.plot.empty()) j.key("plot").null();
  else j.key("plot").value(t.plot);
  j.end_object();
}

// One training run's fields (exercise 13's runs, exercise 15's one run): the checkpoints with the
// dev loss at each, the final figures, the names; `exercise_13` adds the run's name, its truncation
// k and the runner's clipping, which exercise 15's run has none of.
void json_training_run(JsonWriter& j, const RnnTrainingResult::Run& run, bool exercise_13) {
  if (exercise_13) {
    j.key("name").value(run.name);
    j.key("k").value(run.k);
  }
  j.key("threshold").value(run.threshold);
  j.key("checkpoints").begin_array();
  for (auto step : run.at) j.value(step);
  j.end_array();
  json_curve(j, "dev_curve", run.dev_curve);
  j.key("complete").value(run.complete);
  if (run.samples.empty()) {
    j.key("train_loss").null();
    j.key("dev_loss").null();
  } else {
    j.key("train_loss").value(run.train_loss);
    j.key("dev_loss").value(run.dev_loss);
  }
  if (exercise_13) {
    if (run.clipped_steps < 0) j.key("runner_clipped_steps").null();
    else j.key("runner_clipped_steps").value(run.clipped_steps);
  }
  if (run.seconds < 0) j.key("runner_seconds").null();
  else j.key("runner_seconds").value(run.seconds);
  j.key("samples").begin_array();
  for (const auto& name : run.samples) j.value(name);
  j.end_array();
}

// Exercise 13's two runs, one object each.
void json_rnn_training(JsonWriter& j, const RnnTrainingResult& t) {
  j.key("rnn_training").begin_object();
  j.key("steps").value(t.steps);
  j.key("lr").value(t.lr);
  j.key("runs").begin_array();
  for (const auto& run : t.runs) {
    j.begin_object();
    json_training_run(j, run, true);
    j.end_object();
  }
  j.end_array();
  if (t.plot.empty()) j.key("plot").null();
  else j.key("plot").value(t.plot);
  j.end_object();
}

// Exercise 15's training run: the fields of one of exercise 13's runs, without name, k and clipping.
void json_gpt_training(JsonWriter& j, const GptTrainingResult& t) {
  j.key("gpt_training").begin_object();
  j.key("steps").value(t.steps);
  j.key("lr").value(t.lr);
  json_training_run(j, t.run, false);
  if (t.plot.empty()) j.key("plot").null();
  else j.key("plot").value(t.plot);
  j.end_object();
}

// Exercise 11's experiment: per stack, the step-0 figures (yours and the reference's) and the losses.
void json_experiment(JsonWriter& j, const ExperimentResult& e) {
  j.key("experiment").begin_object();
  j.key("steps").value(e.steps);
  j.key("stacks").begin_array();
  for (const auto& c : e.configs) {
    j.begin_object();
    j.key("name").value(c.name);
    j.key("reported").value(c.reported);
    json_curve(j, "grad_rms", c.grad_rms);
    json_curve(j, "reference_grad_rms", c.ref_grad_rms);
    json_curve(j, "bias_rms", c.bias_rms);
    json_curve(j, "reference_bias_rms", c.ref_bias_rms);
    json_curve(j, "act_std", c.act_std);
    json_curve(j, "reference_act_std", c.ref_act_std);
    json_curve(j, "loss", c.loss);
    json_curve(j, "reference_loss", c.ref_loss);
    j.end_object();
  }
  j.end_array();
  j.key("plots").begin_array();
  for (const auto& p : e.plots) j.value(p);
  j.end_array();
  j.end_object();
}

void json_flow(JsonWriter& j, const FlowResult& f) {
  j.key("gradient_flow").begin_object();
  j.key("curves").begin_array();
  for (const auto& c : f.curves) {
    j.begin_object();
    j.key("row").value(c.row);
    j.key("label").value(c.label);
    j.key("correct").value(c.correct);
    json_curve(j, "yours", c.yours);
    json_curve(j, "reference", c.reference);
    j.end_object();
  }
  j.end_array();
  if (f.plot.empty()) j.key("plot").null();
  else j.key("plot").value(f.plot);
  j.end_object();
}

void json_paths(JsonWriter& j, const PathsResult& p) {
  j.key("optimizer_paths").begin_object();
  j.key("steps").value(p.steps);
  j.key("paths").begin_array();
  for (const auto& path : p.paths) {
    j.begin_object();
    j.key("name").value(path.name);
    j.key("reported").value(path.reported);
    for (const auto& [key, m] : {std::pair<const char*, const Matrix*>{"yours", &path.yours}, {"reference", &path.reference}}) {
      j.key(key).begin_object();
      j.key("points").value(static_cast<std::int64_t>(m->rows()));
      if (m->rows() == 0) {
        j.key("last").null();
        j.key("f").null();
      } else {
        const double x = (*m)(m->rows() - 1, 0), y = (*m)(m->rows() - 1, 1);
        j.key("last").begin_array().value(x).value(y).end_array();
        j.key("f").value(rosenbrock(x, y));
      }
      j.end_object();
    }
    j.end_object();
  }
  j.end_array();
  if (p.plot.empty()) j.key("plot").null();
  else j.key("plot").value(p.plot);
  j.key("mlp").begin_array();
  for (const auto& c : p.mlp) {
    j.begin_object();
    j.key("name").value(c.name);
    j.key("at").begin_array();
    for (std::int64_t t : c.at) j.value(t);
    j.end_array();
    json_curve(j, "dev", c.dev);
    j.end_object();
  }
  j.end_array();
  if (p.mlp_plot.empty()) j.key("mlp_plot").null();
  else j.key("mlp_plot").value(p.mlp_plot);
  j.end_object();
}

}  // namespace

std::string json_report(const CheckResult& r) {
  const ExerciseInfo& info = *r.info;
  JsonWriter j;
  j.begin_object();
  j.key("schema").value("bpdojo.check/1");
  j.key("exercise").value(info.id());
  j.key("title").value(info.title);
  j.key("source").value(info.source);
  j.key("flavour").value(flavour_name(r.flavour));
  j.key("seed").value(r.seed);
  j.key("sizes").begin_object();
  for (const auto& [k, v] : r.sizes) j.key(k).value(v);
  j.end_object();
  j.key("threshold").value(r.threshold);
  json_build(j, r.build);
  json_runner(j, r);
  j.key("gradients").begin_array();
  for (const auto& g : r.gradients) json_gradient(j, g);
  j.end_array();
  json_summary(j, r);
  if (r.training) json_training(j, *r.training);
  if (r.rnn_training) json_rnn_training(j, *r.rnn_training);
  if (r.gpt_training) json_gpt_training(j, *r.gpt_training);
  if (r.experiment) json_experiment(j, *r.experiment);
  if (r.flow) json_flow(j, *r.flow);
  if (r.paths) json_paths(j, *r.paths);
  j.key("reproduce").value(r.reproduce);
  j.end_object();
  return j.str() + "\n";
}

namespace {

std::string bar(int done, int total, int width = 20) {
  const int filled = total > 0 ? done * width / total : 0;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '-') + "]";
}

}  // namespace

std::string progress_text(const std::vector<CheckResult>& results, const Style& st) {
  std::string out;
  int done = 0, total = 0, complete = 0;
  std::size_t wtitle = 0;
  for (const auto& r : results) wtitle = std::max(wtitle, r.info->title.size());
  for (const auto& r : results) {
    const int ok = r.correct(), n = static_cast<int>(r.gradients.size());
    done += ok, total += n;
    complete += r.complete() ? 1 : 0;
    char count[32];
    std::snprintf(count, sizeof count, "%3d/%-3d", ok, n);
    std::string state;
    if (!r.build.ok) state = paint(st, kRed, "does not compile");
    else if (r.complete()) state = paint(st, kGreen, "complete");
    else if (r.all_correct()) state = paint(st, kRed, "did not finish normally");
    else if (const GradientResult* next = r.next()) state = "next: " + next->name;
    out += r.info->id() + "  " + pad(r.info->title, wtitle) + "  " + bar(ok, n) + " " + count + " " + state + "\n";
  }
  char line[160];
  std::snprintf(line, sizeof line, " %d/%d gradients; %d of %zu exercises complete\n", done, total, complete, results.size());
  out += "\n" + paint(st, kBold, "overall") + "      " + bar(done, total, 40) + line;
  return out;
}

std::string progress_json(const std::vector<CheckResult>& results) {
  JsonWriter j;
  int done = 0, total = 0;
  j.begin_object();
  j.key("schema").value("bpdojo.list/1");
  j.key("exercises").begin_array();
  for (const auto& r : results) {
    done += r.correct(), total += static_cast<int>(r.gradients.size());
    j.begin_object();
    j.key("exercise").value(r.info->id());
    j.key("title").value(r.info->title);
    j.key("source").value(r.info->source);
    j.key("compiles").value(r.build.ok);
    j.key("correct").value(r.correct());
    j.key("total").value(static_cast<int>(r.gradients.size()));
    j.key("complete").value(r.complete());
    if (const GradientResult* next = r.next()) j.key("next").value(next->name);
    else j.key("next").null();
    j.key("gradients").begin_array();
    for (const auto& g : r.gradients)
      j.begin_object().key("name").value(g.name).key("verdict").value(to_string(g.verdict)).end_object();
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("correct").value(done);
  j.key("total").value(total);
  j.end_object();
  return j.str() + "\n";
}

}  // namespace bpdojo
