#include "judge/experiment.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "problems/exercise_11_deep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

namespace bpdojo {
namespace {

const char* const kRows[] = {"experiment.agrees", "experiment.vanishing", "experiment.residual", "experiment.init"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= kAgreement * std::max(std::fabs(a), std::fabs(b));
}

// First over last block's gradient RMS at step 0.
double flow_ratio(const std::vector<double>& rms) { return rms.empty() ? std::nan("") : rms.front() / rms.back(); }

double spread(const std::vector<double>& stds) {
  if (stds.empty()) return std::nan("");
  const auto [lo, hi] = std::minmax_element(stds.begin(), stds.end());
  return *hi / *lo;
}

// The mean over blocks of a per-step, per-block series (S * depth values), one value per step.
std::vector<double> block_means(const std::vector<double>& v, std::size_t depth) {
  std::vector<double> out;
  for (std::size_t t = 0; t + depth <= v.size(); t += depth) {
    double s = 0.0;
    for (std::size_t l = 0; l < depth; ++l) s += v[t + l];
    out.push_back(s / static_cast<double>(depth));
  }
  return out;
}

const ExperimentResult::Config* find(const ExperimentResult& e, const std::string& name) {
  for (const auto& c : e.configs)
    if (c.name == name) return &c;
  return nullptr;
}

GradientResult row(const std::string& name) {
  GradientResult gr;
  gr.name = name;
  gr.function = "stack_backward";
  gr.run_row = true;
  return gr;
}

void set(GradientResult& gr, bool ok, std::string message) {
  gr.verdict = ok ? Verdict::Correct : Verdict::Wrong;
  gr.message = std::move(message);
}

}  // namespace

void reference_stack_backward(const StackCache& cache, const Matrix& dy, StackGrads& grads) {
  const std::size_t L = cache.layers.size();
  grads.dW.assign(L, Matrix());
  grads.db.assign(L, Matrix());
  Matrix dh = dy;
  for (std::size_t l = L; l-- > 0;) {
    const auto a = cache.a[l].array();
    Matrix dz;  // f' from the output: sigmoid a(1 - a), tanh 1 - a^2, ReLU [a > 0]
    if (cache.f == Nonlinearity::Sigmoid) dz = (a * (1.0 - a) * dh.array()).matrix();
    else if (cache.f == Nonlinearity::Tanh) dz = ((1.0 - a.square()) * dh.array()).matrix();
    else dz = ((a > 0.0).cast<double>() * dh.array()).matrix();
    grads.dW[l] = cache.h[l].transpose() * dz;
    grads.db[l] = dz.colwise().sum();
    Matrix dprev = dz * cache.layers[l].W.transpose();
    if (cache.residual) dprev += dh;
    dh = std::move(dprev);
  }
  grads.dx = std::move(dh);
}

double reference_init_std(Index fan_in, Index fan_out, Nonlinearity f, InitScheme scheme) {
  return static_cast<double>(init_std_formula({fan_in, fan_out, f, scheme}));
}

std::vector<std::string> experiment_row_names() { return {std::begin(kRows), std::end(kRows)}; }

std::vector<DeepFigures> reference_experiment(std::uint64_t seed, std::int64_t steps, const std::atomic<bool>* cancel) {
  std::vector<DeepFigures> out;
  if (steps <= 0) return out;
  for (const DeepConfig& c : deep_configs()) {
    if (cancel && *cancel) break;
    out.push_back(run_deep_experiment(c, seed, steps, reference_stack_backward, reference_init_std));
  }
  return out;
}

bool experiment_reported(const protocol::ParseResult& parsed) {
  const std::string first = deep_configs().front().name() + ".";
  for (const auto& m : parsed.messages)
    if (m.kind == protocol::Kind::Series && m.name.rfind(first, 0) == 0) return true;
  return false;
}

void judge_experiment(CheckResult& result, const protocol::ParseResult& parsed, const std::vector<DeepFigures>& reference,
                      const std::string& plot) {
  ExperimentResult e;
  e.steps = result.sizes.at("S");
  if (e.steps <= 0) {
    result.experiment = std::move(e);
    return;
  }
  std::map<std::string, const std::vector<double>*> series;
  const protocol::Message* stopped = nullptr;
  for (const auto& m : parsed.messages) {
    if (m.kind == protocol::Kind::Series) series[m.name] = &m.series;
    if (m.name == kExperimentRow && (m.kind == protocol::Kind::NotImplemented || m.kind == protocol::Kind::Error)) stopped = &m;
  }
  const auto S = static_cast<std::size_t>(e.steps);
  bool all_reported = true;
  std::string disagreement;
  const bool have_reference = reference.size() == deep_configs().size();
  for (std::size_t k = 0; k < deep_configs().size(); ++k) {
    const DeepConfig& c = deep_configs()[k];
    ExperimentResult::Config out;
    out.name = c.name();
    out.depth = c.depth;
    out.residual = c.residual;
    out.learner_init = c.learner_init;
    out.sigmoid_or_tanh = c.f != Nonlinearity::ReLU;
    out.colour = c.f == Nonlinearity::Sigmoid ? 0 : c.f == Nonlinearity::Tanh ? 4 : 2;
    const auto depth = static_cast<std::size_t>(c.depth);
    if (have_reference) {
      const DeepFigures& ref = reference[k];
      out.ref_grad_rms.assign(ref.grad_rms.begin(), ref.grad_rms.begin() + static_cast<std::ptrdiff_t>(depth));
      out.ref_bias_rms.assign(ref.bias_rms.begin(), ref.bias_rms.begin() + static_cast<std::ptrdiff_t>(depth));
      out.ref_act_std = ref.act_std;
      out.ref_loss = ref.loss;
    }
    const std::size_t want[] = {S, S * depth, S * depth, depth, S, S * depth};
    static_assert(std::size(want) == std::size(kDeepFields));
    bool reported = true;
    for (std::size_t field = 0; field < std::size(kDeepFields); ++field) {
      const auto it = series.find(out.name + "." + kDeepFields[field]);
      reported = reported && it != series.end() && it->second->size() == want[field];
    }
    if (reported && !have_reference) throw std::logic_error("judge_experiment: figures reported and no reference to compare them with");
    if (reported) {
      const auto& rms = *series.at(out.name + ".grad_rms");
      out.grad_rms.assign(rms.begin(), rms.begin() + static_cast<std::ptrdiff_t>(depth));
      const auto& bias = *series.at(out.name + ".bias_rms");
      out.bias_rms.assign(bias.begin(), bias.begin() + static_cast<std::ptrdiff_t>(depth));
      out.act_std = *series.at(out.name + ".act_std");
      out.saturation = *series.at(out.name + ".saturation");
      out.loss = *series.at(out.name + ".loss");
      out.update_ratio = block_means(*series.at(out.name + ".update_ratio"), depth);
      for (std::size_t l = 0; l < depth && disagreement.empty(); ++l) {
        if (!same(out.grad_rms[l], out.ref_grad_rms[l]))
          disagreement = out.name + ", block " + std::to_string(l + 1) + ": your dW's RMS at step 0 is " + num(out.grad_rms[l]) +
                         ", the reference's " + num(out.ref_grad_rms[l]);
        else if (!same(out.bias_rms[l], out.ref_bias_rms[l]))
          disagreement = out.name + ", block " + std::to_string(l + 1) + ": your db's RMS at step 0 is " + num(out.bias_rms[l]) +
                         ", the reference's " + num(out.ref_bias_rms[l]);
        else if (!same(out.act_std[l], out.ref_act_std[l]))
          disagreement = out.name + ", block " + std::to_string(l + 1) + ": its output's std at step 0 is " + num(out.act_std[l]) +
                         " with your init_std, " + num(out.ref_act_std[l]) + " with the reference's";
      }
    }
    out.reported = reported;
    all_reported = all_reported && reported;
    e.configs.push_back(std::move(out));
  }

  std::vector<GradientResult> rows;
  for (const char* name : kRows) rows.push_back(row(name));
  if (!all_reported) {
    for (auto& gr : rows) {
      if (stopped) {
        gr.verdict = stopped->kind == protocol::Kind::NotImplemented ? Verdict::NotImplemented : Verdict::Error;
        gr.message = "the experiment stopped: " + stopped->text;
      } else {
        gr.verdict = result.runner.finished ? Verdict::Error : verdict_for_unreported(result.runner);
        gr.message = result.runner.finished ? "the runner did not report every stack's figures"
                                            : "the experiment did not finish: " + result.runner.summary;
      }
    }
  } else {
    set(rows[0], disagreement.empty(),
        disagreement.empty() ? "every stack's gradients and activations at step 0 equal the reference's (to " + num(kAgreement) + ")"
                             : disagreement + ": check stack_backward and init_std against their rows above");
    const auto* plain = find(e, "sigmoid_plain_kaiming_20");
    const auto* residual = find(e, "sigmoid_residual_kaiming_20");
    const double pr = flow_ratio(plain->bias_rms), rr = flow_ratio(residual->bias_rms);
    set(rows[1], pr < kVanishedBelow,
        "plain sigmoid, 20 blocks: the gradient reaching block 1 (db) is " + num(pr) + " of block 20's (reference " +
            num(flow_ratio(plain->ref_bias_rms)) + "); vanished means below " + num(kVanishedBelow));
    set(rows[2], rr > kFlowsAbove,
        "residual sigmoid, 20 blocks: the gradient reaching block 1 (db) is " + num(rr) + " of block 20's (reference " +
            num(flow_ratio(residual->ref_bias_rms)) + "); flowing means above " + num(kFlowsAbove));
    const auto* tanh = find(e, "tanh_plain_kaiming_20");
    const auto* tanh_naive = find(e, "tanh_plain_naive_20");
    const auto* relu = find(e, "relu_plain_kaiming_20");
    const auto* relu_naive = find(e, "relu_plain_naive_20");
    const double ts = spread(tanh->act_std), sat = tanh->saturation.front(), rs = spread(relu->act_std);
    set(rows[3], ts <= kTanhStdSpread && sat <= kTanhSaturated && rs <= kReluStdSpread,
        "plain, 20 blocks, your init: tanh's largest over smallest block output std " + num(ts) + " (reference " +
            num(spread(tanh->ref_act_std)) + ", at most " + num(kTanhStdSpread) + "), saturated " + num(100.0 * sat) +
            "% (naive init " + num(100.0 * tanh_naive->saturation.front()) + "%, at most " + num(100.0 * kTanhSaturated) +
            "%); ReLU's " + num(rs) + " (reference " + num(spread(relu->ref_act_std)) + ", naive init " +
            num(spread(relu_naive->act_std)) + ", at most " + num(kReluStdSpread) + ")");
  }
  for (auto& gr : rows) result.gradients.push_back(std::move(gr));

  if (!plot.empty()) {
    const std::string stem = plot.size() > 4 && plot.substr(plot.size() - 4) == ".svg" ? plot.substr(0, plot.size() - 4) : plot;
    for (const auto& [suffix, svg] : {std::pair{"_gradients.svg", gradient_plot_svg(e)}, std::pair{"_updates.svg", update_plot_svg(e)}}) {
      if (write_file(stem + suffix, svg)) e.plots.push_back(stem + suffix);
    }
  }
  result.experiment = std::move(e);
}

namespace {

plot::Series line_of(const ExperimentResult::Config& c, std::vector<double> x, std::vector<double> y) {
  plot::Series s;
  s.name = c.name;
  s.x = std::move(x);
  s.y = std::move(y);
  s.colour = c.colour;
  s.dashed = c.residual;
  s.width = c.learner_init ? 2.0 : 1.0;
  s.opacity = c.learner_init ? 0.9 : 0.45;
  return s;
}

const char* const kKey = "orange sigmoid, blue tanh, green ReLU; dashed: residual; thin: naive init";

}  // namespace

std::string gradient_plot_svg(const ExperimentResult& e) {
  plot::Figure f;
  f.title = "the gradient reaching each block (its bias's, db) at initialisation, every stack";
  f.x.title = "block (1 = nearest the input); " + std::string(kKey);
  f.y.title = "RMS of db (log scale)";
  f.y.scale = plot::Scale::Log;
  f.legend = false;
  f.width = 900;
  f.height = 520;
  f.id = "gradients";
  for (const auto& c : e.configs) {
    const auto& y = c.reported ? c.bias_rms : c.ref_bias_rms;
    std::vector<double> x;
    for (std::size_t l = 0; l < y.size(); ++l) x.push_back(static_cast<double>(l + 1));
    f.series.push_back(line_of(c, std::move(x), y));
  }
  return plot::svg(f);
}

std::string update_plot_svg(const ExperimentResult& e) {
  plot::Figure f;
  f.title = "update-to-data ratio log10(lr std(dW) / std(W)), the mean over blocks, every stack";
  f.x.title = "step; " + std::string(kKey);
  f.y.title = "log10 ratio (clipped to -12 ... 2)";
  f.y.min = -12.0;
  f.y.max = 2.0;
  f.legend = false;
  f.width = 900;
  f.height = 520;
  f.id = "updates";
  for (const auto& c : e.configs) {
    std::vector<double> x, y;
    for (std::size_t t = 0; t < c.update_ratio.size(); ++t) {
      x.push_back(static_cast<double>(t));
      y.push_back(c.update_ratio[t]);
    }
    f.series.push_back(line_of(c, std::move(x), std::move(y)));
  }
  // The rule of thumb as a flat line.
  plot::Series thumb;
  thumb.name = "-3, the rule of thumb of Karpathy's lecture 4";
  thumb.x = {0.0, static_cast<double>(std::max<std::int64_t>(e.steps - 1, 1))};
  thumb.y = {-3.0, -3.0};
  thumb.colour = 5;
  thumb.width = 1.0;
  f.series.push_back(thumb);
  return plot::svg(f);
}

// The loss at the last step, or "diverged@t" at the first step whose loss was not finite.
static std::string last_loss(const std::vector<double>& loss) {
  if (loss.empty()) return "-";
  for (std::size_t t = 0; t < loss.size(); ++t)
    if (!std::isfinite(loss[t])) return "diverged@" + std::to_string(t);
  return num(loss.back());
}

std::string experiment_table(const ExperimentResult& e) {
  std::string out = "  stack                        block 1 / last grad        std max/min       saturated   loss at the last step\n"
                    "                                 yours  reference        yours     ref.   at step 0      yours       ref.\n";
  char buf[256];
  for (const auto& c : e.configs) {
    const std::string sat = !c.reported ? "-" : c.sigmoid_or_tanh ? num(100.0 * c.saturation.front()) + "%" : "n/a";
    const bool ref = !c.ref_bias_rms.empty();
    std::snprintf(buf, sizeof buf, "  %-28s %9s %9s    %9s %8s   %9s  %-12s %s\n", c.name.c_str(),
                  c.reported ? num(flow_ratio(c.bias_rms)).c_str() : "-", ref ? num(flow_ratio(c.ref_bias_rms)).c_str() : "-",
                  c.reported ? num(spread(c.act_std)).c_str() : "-", ref ? num(spread(c.ref_act_std)).c_str() : "-", sat.c_str(),
                  c.reported ? last_loss(c.loss).c_str() : "-", last_loss(c.ref_loss).c_str());
    out += buf;
  }
  return out;
}

}  // namespace bpdojo
