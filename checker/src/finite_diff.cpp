#include "finite_diff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bpdojo::fd {

Estimate derivative(const std::function<double(double)>& f, double x, double scale, const Options& options) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double h = options.rel_step * std::max(std::abs(x), scale);
  if (!(h > 0.0) || !std::isfinite(h)) h = options.rel_step;
  Estimate best;
  bool have_finite = false;
  for (int attempt = 0; attempt <= options.max_refinements; ++attempt, h /= 4.0) {
    // Make the step exactly representable as a difference from x.
    volatile double xh = x + h;
    const double hh = xh - x;
    const double fp1 = f(x + hh), fm1 = f(x - hh), fp2 = f(x + 2 * hh), fm2 = f(x - 2 * hh);
    if (!std::isfinite(fp1) || !std::isfinite(fm1) || !std::isfinite(fp2) || !std::isfinite(fm2)) continue;
    const double d3 = (fp1 - fm1) / (2 * hh);
    const double d5 = (8 * (fp1 - fm1) - (fp2 - fm2)) / (12 * hh);
    const double fmax = std::max({std::abs(fp1), std::abs(fm1), std::abs(fp2), std::abs(fm2)});
    const double roundoff = 32 * eps * fmax / hh;
    best = {d5, hh, false};
    have_finite = true;
    if (std::abs(d5 - d3) <= 1e-6 * std::abs(d5) + roundoff) {
      best.converged = true;
      return best;
    }
  }
  if (!have_finite) best.value = std::numeric_limits<double>::quiet_NaN();
  return best;
}

double node_scale(const Matrix& values) {
  if (values.size() == 0) return 1.0;
  const double rms = std::sqrt(values.squaredNorm() / static_cast<double>(values.size()));
  return (rms > 1.0 && std::isfinite(rms)) ? rms : 1.0;
}

Tensor gradient(const Graph& graph, Graph::NodeId node, const Options& options) {
  Graph::Perturbation p(graph, node);
  Tensor out = Tensor::zeros(graph.shape(node));
  const double scale = node_scale(graph.value(node));
  for (std::int64_t i = 0; i < p.size(); ++i) {
    out.data()[i] = derivative([&](double v) { return p.loss_with(i, v); }, p.base(i), scale, options).value;
  }
  return out;
}

}  // namespace bpdojo::fd
