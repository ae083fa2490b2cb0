#include "judge/training.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "common/text.hpp"
#include "problems/exercise_08_train.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>

namespace bpdojo {
namespace {

Matrix MlpParams::*field(std::size_t k) { return kMlpParams[k].field; }

bool finite(const MlpParams& p) {
  for (std::size_t k = 0; k < kMlpParams.size(); ++k)
    if (!(p.*field(k)).allFinite()) return false;
  return true;
}

bool same(const MlpParams& a, const MlpParams& b) {
  for (std::size_t k = 0; k < kMlpParams.size(); ++k)
    if ((a.*field(k)).rows() != (b.*field(k)).rows() || (a.*field(k)).cols() != (b.*field(k)).cols() ||
        a.*field(k) != b.*field(k))
      return false;
  return true;
}

// The parameters reported at each checkpoint ("step.<t>.<name>"), where all seven arrived with the
// initial parameters' shapes.
std::map<std::int64_t, MlpParams> reported_checkpoints(const protocol::ParseResult& parsed, const MlpParams& shape) {
  std::map<std::int64_t, std::map<std::string, Matrix>> parts;
  for (const auto& m : parsed.messages) {
    if (m.kind != protocol::Kind::Tensor || m.name.rfind("step.", 0) != 0) continue;
    const auto dot = m.name.find('.', 5);
    if (dot == std::string::npos) continue;
    try {
      const std::int64_t t = std::stoll(m.name.substr(5, dot - 5));
      parts[t][m.name.substr(dot + 1)] = m.tensor.value;
    } catch (const std::exception&) {
      continue;  // a malformed name: ignore it
    }
  }
  std::map<std::int64_t, MlpParams> out;
  for (const auto& [t, named] : parts) {
    MlpParams p;
    bool ok = true;
    for (std::size_t k = 0; k < kMlpParams.size() && ok; ++k) {
      const auto it = named.find(kMlpParams[k].name);
      ok = it != named.end() && it->second.rows() == (shape.*field(k)).rows() &&
           it->second.cols() == (shape.*field(k)).cols();
      if (ok) p.*field(k) = it->second;
    }
    if (ok) out.emplace(t, std::move(p));
  }
  return out;
}

double nan() { return std::numeric_limits<double>::quiet_NaN(); }


// One call of sgd_step: `got` against `before` - lr * `grad`, element by element, within
// kUpdateUlps of rounding. worst_analytic is the learner's value, worst_numeric the exact update.
Comparison compare_update(const Matrix& got, const Matrix& before, const Matrix& grad, double lr) {
  Comparison c;
  c.shape_ok = got.rows() == before.rows() && got.cols() == before.cols();
  if (!c.shape_ok) return c;
  const Matrix step = lr * grad;
  const Matrix want = before - step;  // as a correct sgd_step computes it
  const double eps = std::numeric_limits<double>::epsilon();
  c.correct = true;
  for (Index i = 0; i < got.size(); ++i) {
    const double diff = std::abs(got.data()[i] - want.data()[i]);
    const double scale = std::max(std::abs(before.data()[i]) + std::abs(step.data()[i]), std::numeric_limits<double>::min());
    const double rel = std::isfinite(got.data()[i]) ? diff / scale : std::numeric_limits<double>::infinity();
    if (!std::isfinite(got.data()[i])) ++c.nonfinite;
    if (!(rel <= kUpdateUlps * eps)) c.correct = false;
    if (i == 0 || rel > c.rel_error) {
      c.rel_error = rel;
      c.worst = i;
    }
    if (std::isfinite(diff)) c.max_abs_diff = std::max(c.max_abs_diff, diff);
  }
  c.analytic_norm = got.cwiseAbs().maxCoeff();
  c.numeric_norm = want.cwiseAbs().maxCoeff();
  c.worst_index = {c.worst / got.cols(), c.worst % got.cols()};
  c.worst_analytic = got.data()[c.worst];
  c.worst_numeric = want.data()[c.worst];
  return c;
}

// How a wrong update moved parameter `name`, when it is one of the usual mistakes.
std::optional<Diagnosis> diagnose_update(const std::string& name, const Matrix& got, const Matrix& before,
                                         const Matrix& grad, double lr, const Matrix* previous_grad) {
  const std::string d = "d" + name;
  if (compare_update(got, before, grad, 0.0).correct)
    return Diagnosis{"not_updated", name + " did not move: sgd_step must update every parameter (p." + name + " -= lr * g." + d + ")"};
  if (compare_update(got, before, grad, -lr).correct)
    return Diagnosis{"sign", name + " moved by +lr * " + d + ": an update goes against the gradient"};
  if (previous_grad && compare_update(got, before, *previous_grad, lr).correct)
    return Diagnosis{"previous_gradient", name + " moved by -lr times the previous call's " + d +
                                              ": sgd_step must use the gradients it is given, not keep old ones"};
  if (compare_update(got, before, grad, 1.0).correct)
    return Diagnosis{"no_lr", name + " moved by the whole gradient " + d + ": multiply it by the learning rate"};
  return std::nullopt;
}


}  // namespace

const protocol::Message* last_message(const protocol::ParseResult& parsed, const std::string& name) {
  const protocol::Message* found = nullptr;
  for (const auto& m : parsed.messages)
    if (m.kind != protocol::Kind::End && m.name == name) found = &m;
  return found;
}

StepLosses read_step_losses(const protocol::ParseResult& parsed, const std::string& name, std::int64_t steps) {
  StepLosses out;
  const protocol::Message* m = last_message(parsed, name);
  if (!m || m->kind != protocol::Kind::Series || m->series.empty() || steps <= 0) return out;
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>({static_cast<std::int64_t>(m->series.size()), steps, kMaxStepLosses}));
  const std::vector<double> values(m->series.begin(), m->series.begin() + static_cast<std::ptrdiff_t>(n));
  out.window = std::max<std::int64_t>(1, std::min<std::int64_t>(1000, steps / 100));
  const plot::Windowed w = plot::window_means(values, static_cast<std::size_t>(out.window));
  out.at = w.at;
  out.mean = w.mean;
  return out;
}

Verdict unfinished_verdict(const RunnerStatus& runner) {
  switch (runner.end) {
    case ProcessResult::End::TimedOut: return Verdict::TimedOut;
    case ProcessResult::End::Exited: return Verdict::Error;
    case ProcessResult::End::MemoryLimit:
    case ProcessResult::End::OutputLimit: return Verdict::Killed;
    default: return Verdict::Crashed;
  }
}

std::vector<std::string> update_row_names() {
  std::vector<std::string> names;
  for (const auto& f : kMlpParams) names.push_back(std::string("update.") + f.name);
  return names;
}

void judge_update(CheckResult& result, const protocol::ParseResult& parsed) {
  const UpdateCheck u = exercise_08_update_check(result.seed, result.sizes);
  for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
    const std::string name = kMlpParams[k].name;
    const Matrix& start = u.start.*field(k);
    GradientResult gr;
    gr.name = "update." + name;
    gr.node = name;
    gr.function = "sgd_step";
    gr.expected_shape = {start.rows(), start.cols()};
    gr.numeric = Tensor(gr.expected_shape, start - u.lr1 * (u.g1.*(kMlpParamGrads[k])));
    // The two calls: (state before, gradient, lr, the gradient of the call before).
    const Matrix* before = &start;
    for (int call = 1; call <= 2; ++call) {
      const std::string reported = "update." + std::to_string(call) + "." + name;
      const Matrix& grad = (call == 1 ? u.g1 : u.g2).*(kMlpParamGrads[k]);
      const double lr = call == 1 ? u.lr1 : u.lr2;
      const protocol::Message* m = last_message(parsed, reported);
      if (std::find(parsed.after_end.begin(), parsed.after_end.end(), reported) != parsed.after_end.end()) {
        gr.verdict = Verdict::Crashed;
        gr.message = "malformed protocol: " + reported + " was sent again after end";
        break;
      }
      if (!m) {
        gr.verdict = result.runner.finished ? Verdict::NotImplemented : verdict_for_unreported(result.runner);
        gr.message = result.runner.finished ? "not reported" : result.runner.summary;
        break;
      }
      if (m->kind == protocol::Kind::NotImplemented) {
        gr.verdict = Verdict::NotImplemented;
        gr.message = "TODO(\"" + m->text + "\")";
        break;
      }
      if (m->kind != protocol::Kind::Tensor) {
        gr.verdict = Verdict::Error;
        gr.message = m->kind == protocol::Kind::Error ? m->text.substr(0, 300) : "the runner sent no tensor";
        break;
      }
      gr.analytic = m->tensor;
      gr.got_shape = m->tensor.shape;
      const Comparison c = compare_update(m->tensor.value, *before, grad, lr);
      gr.comparison = c;
      if (!c.shape_ok) {
        gr.verdict = Verdict::WrongShape;
        gr.message = "sgd_step changed the shape of " + name + " to " + to_string(m->tensor.shape);
        break;
      }
      const std::string which = call == 1 ? "the first call of sgd_step" : "the second call (new gradients, lr " + fixed(lr, 2) + ")";
      if (!c.correct) {
        gr.verdict = Verdict::Wrong;
        gr.message = "after " + which + ", " + name + " is not " + name + " - lr * d" + name;
        gr.diagnosis = diagnose_update(name, m->tensor.value, *before, grad, lr,
                                       call == 2 ? &(u.g1.*(kMlpParamGrads[k])) : nullptr);
        break;
      }
      gr.verdict = Verdict::Correct;
      before = &m->tensor.value;  // the next call starts from the learner's own parameters
    }
    result.gradients.push_back(std::move(gr));
  }
}

namespace {

// The loss curves at the checkpoints that arrived: a sample of the training split and the dev
// split, batch norm calibrated on the data evaluated (NaN where the parameters are not finite).
void evaluate_checkpoints(TrainingResult& t, const std::map<std::int64_t, MlpParams>& ckpt, const NamesDataset& data) {
  const Index M = std::min<Index>(kCurveSample, data.train.X.rows());
  const IntMatrix curve_X = data.train.X.topRows(M);
  const Labels curve_Y(data.train.Y.begin(), data.train.Y.begin() + M);
  for (const auto& [step, p] : ckpt) {
    t.at.push_back(step);
    if (!finite(p)) {
      t.train_curve.push_back(nan());
      t.dev_curve.push_back(nan());
      continue;
    }
    const BnStats bn = bn_calibrate(p, curve_X);
    t.train_curve.push_back(mlp_eval_loss(p, bn, curve_X, curve_Y));
    t.dev_curve.push_back(mlp_eval_loss(p, bn, data.dev.X, data.dev.Y));
  }
}

// A run that did not finish: why it stopped.
void judge_unfinished(const CheckResult& result, const TrainingResult& t, const protocol::Message* stopped, GradientResult& gr) {
  const std::string where = t.at.empty() ? "" : " (the last parameters reported: after step " + std::to_string(t.at.back()) + ")";
  if (stopped && stopped->kind == protocol::Kind::NotImplemented) {
    gr.verdict = Verdict::NotImplemented;
    gr.message = "not reached: training stopped at TODO(\"" + stopped->text + "\")";
  } else if (stopped) {
    gr.verdict = Verdict::Error;
    gr.message = "training stopped: " + stopped->text.substr(0, 300) + where;
  } else {
    gr.verdict = unfinished_verdict(result.runner);
    gr.message = "training did not finish: " + result.runner.summary + where;
    if (gr.verdict == Verdict::TimedOut) gr.message += "; a longer run needs a longer --timeout";
  }
}

// The final figures of a run that trained, with batch norm recalibrated over the whole training
// split, and the dev loss against the threshold (for a run as long as the default one).
void judge_final(TrainingResult& t, const MlpParams& last, const NamesDataset& data, GradientResult& gr) {
  const BnStats bn = bn_calibrate(last, data.train.X);
  t.train_loss = mlp_eval_loss(last, bn, data.train.X, data.train.Y);
  t.dev_loss = mlp_eval_loss(last, bn, data.dev.X, data.dev.Y);
  t.test_loss = mlp_eval_loss(last, bn, data.test.X, data.test.Y);
  Rng rng = Rng(kSampleSeed).fork("sample");
  for (int i = 0; i < 20; ++i) t.samples.push_back(mlp_sample(last, bn, data.vocab, rng));
  const std::int64_t default_steps = 20000;
  if (!(t.dev_loss < kDevLossThreshold) && t.steps >= default_steps) {
    gr.verdict = Verdict::Wrong;
    gr.message = "dev loss " + fixed(t.dev_loss, 4) + " is not below " + fixed(kDevLossThreshold, 2);
  } else {
    gr.verdict = Verdict::Correct;
    gr.message = "dev loss " + fixed(t.dev_loss, 4) +
                 (t.steps >= default_steps ? " < " + fixed(kDevLossThreshold, 2) : " (no threshold for runs shorter than 20000 steps)");
  }
}

// A run that finished: did the parameters move, and the right way?
void judge_finished(TrainingResult& t, const MlpParams& last, const MlpParams& init, const NamesDataset& data,
                    GradientResult& gr) {
  const bool rose = t.dev_curve.size() > 1 && !(t.dev_curve[1] < t.dev_curve[0]);
  if (same(last, init)) {
    gr.verdict = Verdict::Wrong;
    gr.message = "the parameters never changed: sgd_step does not update them (or the learning rate is 0)";
  } else if (rose) {
    gr.verdict = Verdict::Wrong;
    gr.message = "the dev loss rose from " + fixed(t.dev_curve[0], 4) + " to " + fixed(t.dev_curve[1], 4) +
                 " in the first stretch of training: does sgd_step subtract lr times the gradient?";
  } else if (!finite(last)) {
    gr.verdict = Verdict::Wrong;
    gr.message = "the parameters became NaN or Inf during training";
  } else {
    judge_final(t, last, data, gr);
  }
}

}  // namespace

void judge_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot) {
  const NamesDataset& data = builtin_names();
  TrainingResult t;
  t.steps = result.sizes.at("S");
  t.lr = lr;
  t.threshold = kDevLossThreshold;
  GradientResult gr;
  gr.name = kTrainingRow;
  gr.function = "sgd_step";
  gr.run_row = true;

  if (t.steps == 0) {
    // No training asked for (S = 0 checks the gradients and the update alone): no training row.
    result.training = std::move(t);
    return;
  }
  const TrainInstance in = exercise_08_instance(result.seed, result.sizes);
  const std::map<std::int64_t, MlpParams> ckpt = reported_checkpoints(parsed, in.init);
  evaluate_checkpoints(t, ckpt, data);
  t.complete = ckpt.count(t.steps) == 1;
  const StepLosses losses = read_step_losses(parsed, "step_loss", t.steps);
  t.step_loss_window = losses.window;
  t.step_loss_at = losses.at;
  t.step_loss = losses.mean;

  // Why the run stopped, when it did not finish.
  const protocol::Message* stopped = nullptr;
  for (const auto& m : parsed.messages)
    if (m.name == kTrainingRow && (m.kind == protocol::Kind::NotImplemented || m.kind == protocol::Kind::Error)) stopped = &m;
  if (stopped || !t.complete) judge_unfinished(result, t, stopped, gr);
  else judge_finished(t, ckpt.at(t.steps), in.init, data, gr);

  if (!plot.empty() && t.at.size() >= 2) {
    if (write_file(plot, loss_plot_svg(t))) t.plot = plot;
  }
  result.gradients.push_back(std::move(gr));
  result.training = std::move(t);
}

std::string loss_plot_svg(const TrainingResult& t) {
  plot::Figure f;
  f.id = "exercise_08_loss";
  f.title = "exercise_08: loss during training (" + std::to_string(t.steps) + " steps)";
  f.x.title = "step";
  f.x.min = 0.0;
  f.x.max = static_cast<double>(std::max<std::int64_t>(1, t.steps));
  f.y.title = "loss (log scale)";
  f.y.scale = plot::Scale::Log;
  if (!t.step_loss.empty()) {
    plot::Series per_step;
    per_step.name = "train, per step (runner's batches, mean of " + std::to_string(t.step_loss_window) + ")";
    per_step.x = t.step_loss_at;
    per_step.y = t.step_loss;
    per_step.colour = 1;  // sky blue, under the checkpoints
    per_step.width = 1.2;
    f.series.push_back(std::move(per_step));
  }
  const std::vector<double> at(t.at.begin(), t.at.end());
  plot::Series train{"train (checkpoints, " + std::to_string(kCurveSample) + " examples)", at, t.train_curve};
  train.points = true;
  train.colour = 4;  // blue
  plot::Series dev{"dev (checkpoints)", at, t.dev_curve};
  dev.points = true;
  dev.colour = 5;  // vermillion
  f.series.push_back(std::move(train));
  f.series.push_back(std::move(dev));
  if (t.steps >= 2) {
    // learning_rate(): lr for steps < S/2, lr/10 from step S/2.
    f.markers.push_back({static_cast<double>(t.steps / 2), "lr " + shortest(t.lr) + " -> " + shortest(t.lr / 10)});
  }
  return plot::svg(f);
}

std::string loss_chart_text(const TrainingResult& t, int width, int height) {
  if (t.at.size() < 2) return "";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* c : {&t.train_curve, &t.dev_curve})
    for (double v : *c)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) return "";
  if (hi - lo < 1e-9) hi = lo + 1e-9;
  std::vector<std::string> grid(static_cast<std::size_t>(height), std::string(static_cast<std::size_t>(width), ' '));
  const double last = static_cast<double>(std::max<std::int64_t>(1, t.at.back()));
  auto plot = [&](const std::vector<double>& c, char mark) {
    for (std::size_t i = 0; i < t.at.size(); ++i) {
      if (!std::isfinite(c[i])) continue;
      const auto col = static_cast<std::size_t>(std::lround((width - 1) * static_cast<double>(t.at[i]) / last));
      const auto row = static_cast<std::size_t>(std::lround((height - 1) * (hi - c[i]) / (hi - lo)));
      char& cell = grid[row][col];
      cell = (cell == ' ' || cell == mark) ? mark : '*';
    }
  };
  plot(t.train_curve, 't');
  plot(t.dev_curve, 'd');
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
  char axis[128];
  std::snprintf(axis, sizeof axis, "          0%*lld steps   t train, d dev, * both\n", width - 1,
                static_cast<long long>(t.at.back()));
  out += axis;
  return out;
}

}  // namespace bpdojo
