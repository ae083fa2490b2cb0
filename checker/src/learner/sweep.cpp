#include "learner/sweep.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "common/text.hpp"
#include "judge/compare.hpp"
#include "judge/finite_diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bpdojo {

Sweep sweep(const CheckResult& result, const std::string& gradient, const std::filesystem::path& svg) {
  const ExerciseInfo& info = *result.info;
  const GradientSpec* spec = nullptr;
  std::size_t index = 0;
  for (std::size_t i = 0; i < info.gradients.size(); ++i)
    if (info.gradients[i].name == gradient) spec = &info.gradients[i], index = i;
  if (!spec)
    throw SetupError(info.id() + " has no gradient '" + gradient + "' (its gradients: " +
                     join(info.gradients, [](const GradientSpec& s) { return s.name; }) + ")");
  const GradientResult& g = result.gradients.at(index);
  if (!g.analytic || !g.comparison || !g.comparison->shape_ok)
    throw SetupError("--sweep compares your " + gradient + " with finite differences, and it is " + to_string(g.verdict) +
                     " (" + (g.message.empty() ? "no value" : g.message) + "); with --solutions it sweeps the reference's");
  const std::vector<Graph> problems = info.problems(result.seed, result.sizes);
  const Graph& graph = problems.at(static_cast<std::size_t>(spec->problem));
  // Every node of the gradient: a stack's members (Graph::stack) one after the other.
  std::vector<Graph::Perturbation> nodes;
  std::vector<double> scales;
  for (Graph::NodeId node : graph.nodes_of(spec->node)) {
    nodes.emplace_back(graph, node);
    scales.push_back(static_cast<double>(fd::node_scale(graph.exact(node))));
  }
  Sweep out;
  out.exercise = info.id();
  out.gradient = gradient;
  for (int k = 1; k <= 12; ++k) {
    const double rel = std::pow(10.0, -k);
    Tensor numeric = Tensor::zeros(graph.shape_of(spec->node));
    std::int64_t at = 0;
    for (std::size_t m = 0; m < nodes.size(); ++m) {
      Graph::Perturbation& p = nodes[m];
      // The loss as a double-precision forward pass has it: the sweep shows what one central
      // difference can do in double (the checker's own differences run in long double).
      auto loss = [&](std::int64_t i, double x) { return static_cast<double>(p.loss_with(i, static_cast<Real>(x))); };
      for (std::int64_t i = 0; i < p.size(); ++i) {
        const double x = static_cast<double>(p.base(i));
        volatile double xh = x + rel * std::max(std::abs(x), scales[m]);
        const double h = xh - x;
        numeric.data()[at++] = (loss(i, x + h) - loss(i, x - h)) / (2 * h);
      }
    }
    out.steps.push_back(rel);
    out.errors.push_back(compare_blocks(g.analytic->value, numeric, g.floors, g.threshold).rel_error);
  }
  if (write_file(svg, sweep_svg(out))) out.plot = svg.string();
  return out;
}

namespace {

// log10 of an error, clamped to the chart (an exact 0 is drawn at the bottom).
double lg(double v) { return v > 0 && std::isfinite(v) ? std::log10(v) : -17.0; }

}  // namespace

std::string sweep_text(const Sweep& s) {
  double lo = 0, hi = -17;
  for (double e : s.errors) lo = std::min(lo, std::floor(lg(e))), hi = std::max(hi, std::ceil(lg(e)));
  hi = std::max(hi, lo + 1);
  std::string out = s.exercise + "  " + s.gradient + ": relative error against the central difference, by step\n\n";
  const int rows = static_cast<int>(hi - lo);
  for (int r = 0; r <= rows; ++r) {
    const double level = hi - r;
    char label[16];
    std::snprintf(label, sizeof label, " 1e%+03d |", static_cast<int>(level));
    out += label;
    for (double e : s.errors) out += std::lround(lg(e)) == std::lround(level) ? "  *  " : "     ";
    out += "\n";
  }
  out += "        +" + std::string(5 * s.errors.size(), '-') + "\n         ";
  for (double h : s.steps) {
    char col[16];
    std::snprintf(col, sizeof col, "%-5s", ("e" + std::to_string(static_cast<int>(std::lround(std::log10(h))))).c_str());
    out += col;
  }
  out += "  step (times the value's scale)\n\n";
  std::size_t best = 0;
  for (std::size_t i = 0; i < s.errors.size(); ++i)
    if (lg(s.errors[i]) < lg(s.errors[best])) best = i;
  char tail[200];
  std::snprintf(tail, sizeof tail, "smallest error %.1e at step 1e%d. Large steps: truncation (falls as h^2); small steps: "
                "rounding (grows as 1/h).\n", s.errors[best], static_cast<int>(std::lround(std::log10(s.steps[best]))));
  out += tail;
  out += "A V reaching down to about 1e-10 means your gradient is right; a floor far above it is the size of a mistake.\n";
  if (!s.plot.empty()) out += "plot: " + s.plot + "\n";
  return out;
}

std::string sweep_svg(const Sweep& s) {
  plot::Figure f;
  f.id = "sweep";
  f.title = s.exercise + " " + s.gradient + ": relative error against the step (log-log)";
  f.x.title = "step h, times the value's scale";
  f.x.scale = plot::Scale::Log;
  f.x.reversed = true;  // from large steps on the left to small ones, as the text chart reads
  f.y.title = "relative error";
  f.y.scale = plot::Scale::Log;
  f.legend = false;
  plot::Series error{"relative error", s.steps, {}};
  for (double e : s.errors) error.y.push_back(std::pow(10.0, lg(e)));  // an exact 0 at the bottom, as in the text
  error.points = true;
  error.colour = 4;  // blue
  f.series.push_back(std::move(error));
  return plot::svg(f);
}

}  // namespace bpdojo
