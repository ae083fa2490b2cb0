#include "judge/finite_diff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace bpdojo::fd {

Estimate derivative(const std::function<double(double)>& f, double x, double scale, const Options& options) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double h = options.start_step * std::max(std::abs(x), scale);
  if (!(h > 0.0) || !std::isfinite(h)) h = options.start_step;
  Estimate best;
  best.value = std::numeric_limits<double>::quiet_NaN();
  double best_error = std::numeric_limits<double>::infinity();
  // f(x +- 2h) at one level is f(x +- h) of the level before (the step halves each time).
  double fp2 = 0.0, fm2 = 0.0, prev_d5 = 0.0;
  bool have_prev = false, have_wide = false;
  for (int level = 0; level <= options.max_levels; ++level, h /= 2.0) {
    volatile double xh = x + h;  // a step exactly representable as a difference from x
    const double hh = xh - x;
    if (!have_wide) fp2 = f(x + 2 * hh), fm2 = f(x - 2 * hh);
    const double fp1 = f(x + hh), fm1 = f(x - hh);
    const bool finite = std::isfinite(fp1) && std::isfinite(fm1) && std::isfinite(fp2) && std::isfinite(fm2);
    const double d5 = (8 * (fp1 - fm1) - (fp2 - fm2)) / (12 * hh);
    fp2 = fp1, fm2 = fm1, have_wide = true;
    if (!finite) {
      have_prev = false;
      continue;
    }
    const double fmax = std::max({std::abs(fp1), std::abs(fm1), std::abs(fp2), std::abs(fm2)});
    const double roundoff = 4 * eps * fmax / hh;
    if (!have_prev) {
      prev_d5 = d5, have_prev = true;
      if (!std::isfinite(best.value)) best = {d5, hh, false};
      continue;
    }
    // Halving the step divides the fourth-order error by 16: the change from the last level is
    // 15 times what is left in this one. The Richardson combination removes most of that too.
    const double truncation = std::abs(d5 - prev_d5) / 15;
    const double error = truncation + roundoff;
    if (error < best_error) {
      best_error = error;
      best = {(16 * d5 - prev_d5) / 15, hh, error <= 1e-6 * std::abs(d5) + 2 * roundoff};
    }
    // Past the balance of truncation and rounding, smaller steps only add noise.
    if (truncation < roundoff || error > 8 * best_error) break;
    prev_d5 = d5;
  }
  return best;
}

Estimate derivative_affine(const std::function<double(double)>& f, double x, double scale) {
  double h = std::max(std::abs(x), scale);
  if (!(h > 0.0) || !std::isfinite(h)) h = 1.0;
  volatile double xh = x + h;  // a step exactly representable as a difference from x
  const double hh = xh - x;
  return {(f(x + hh) - f(x - hh)) / (2 * hh), hh, true};
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

Tensor local_gradient(const Graph& graph, Graph::NodeId node, const std::vector<Matrix>& consumer_grads,
                      const Options& options) {
  Graph::LocalPerturbation p(graph, node);
  if (consumer_grads.size() != p.consumers().size())
    throw std::invalid_argument("local_gradient: one gradient per consumer of '" + graph.name(node) + "'");
  Tensor out = Tensor::zeros(graph.shape(node));
  const double scale = node_scale(graph.value(node));
  const bool affine = p.linear();
  for (std::int64_t i = 0; i < p.size(); ++i) {
    const auto f = [&](double v) { return p.weighted_with(i, v, consumer_grads); };
    out.data()[i] = affine ? derivative_affine(f, p.base(i), scale).value : derivative(f, p.base(i), scale, options).value;
  }
  return out;
}

std::vector<Tensor> backward(const Graph& graph, const Options& options) {
  const auto n = static_cast<Graph::NodeId>(graph.size());
  std::vector<Tensor> grads;
  for (Graph::NodeId k = 0; k < n; ++k) grads.push_back(Tensor::zeros(graph.shape(k)));
  std::vector<bool> reaches(static_cast<std::size_t>(n), false);
  reaches[static_cast<std::size_t>(graph.loss_id())] = true;
  grads[static_cast<std::size_t>(graph.loss_id())].value.setOnes();
  for (Graph::NodeId k = graph.loss_id() - 1; k >= 0; --k) {
    std::vector<Matrix> weights;
    bool any = false;
    for (Graph::NodeId c : graph.consumers(k)) {
      weights.push_back(grads[static_cast<std::size_t>(c)].value);
      any = any || reaches[static_cast<std::size_t>(c)];
    }
    if (!any || graph.is_data(k)) continue;
    reaches[static_cast<std::size_t>(k)] = true;
    grads[static_cast<std::size_t>(k)] = local_gradient(graph, k, weights, options);
  }
  return grads;
}

}  // namespace bpdojo::fd
