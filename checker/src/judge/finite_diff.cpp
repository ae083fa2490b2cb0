#include "judge/finite_diff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace bpdojo::fd {

Estimate derivative(const std::function<Real(Real)>& f, Real x, Real scale, const Options& options) {
  return derivative([&](Real v) -> Sample {
    const Real y = f(v);
    return {y, std::abs(y)};
  }, x, scale, options);
}

Estimate derivative(const std::function<Sample(Real)>& f, Real x, Real scale, const Options& options) {
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  Real h = static_cast<Real>(options.start_step) * std::max(std::abs(x), scale);
  if (!(h > 0.0L) || !std::isfinite(h)) h = static_cast<Real>(options.start_step);
  Estimate best;
  best.value = std::numeric_limits<Real>::quiet_NaN();
  Real best_error = std::numeric_limits<Real>::infinity();
  // f(x +- 2h) at one level is f(x +- h) of the level before (the step halves each time).
  Sample fp2{0.0L, 0.0L}, fm2{0.0L, 0.0L};
  Real prev_d5 = 0.0L;
  bool have_prev = false, have_wide = false;
  for (int level = 0; level <= options.max_levels; ++level, h /= 2) {
    volatile Real xh = x + h;  // a step exactly representable as a difference from x
    const Real hh = xh - x;
    if (!have_wide) fp2 = f(x + 2 * hh), fm2 = f(x - 2 * hh);
    const Sample fp1 = f(x + hh), fm1 = f(x - hh);
    const bool finite = std::isfinite(fp1.value) && std::isfinite(fm1.value) && std::isfinite(fp2.value) &&
                        std::isfinite(fm2.value) && std::isfinite(fp1.magnitude) && std::isfinite(fm1.magnitude);
    const Real d5 = (8 * (fp1.value - fm1.value) - (fp2.value - fm2.value)) / (12 * hh);
    const Real fmax = std::max({fp1.magnitude, fm1.magnitude, fp2.magnitude, fm2.magnitude});
    fp2 = fp1, fm2 = fm1, have_wide = true;
    if (!finite) {
      have_prev = false;
      continue;
    }
    const Real roundoff = 4 * eps * fmax / hh;
    if (!have_prev) {
      prev_d5 = d5, have_prev = true;
      if (!std::isfinite(best.value)) best = {d5, hh, std::numeric_limits<Real>::infinity(), false};
      continue;
    }
    // Halving the step divides the fourth-order error by 16: the change from the last level is
    // 15 times what is left in this one. The Richardson combination removes most of that too.
    const Real truncation = std::abs(d5 - prev_d5) / 15;
    const Real error = truncation + roundoff;
    if (error < best_error) {
      best_error = error;
      best = {(16 * d5 - prev_d5) / 15, hh, error, error <= 1e-9L * std::abs(d5) + 2 * roundoff};
    }
    // Past the balance of truncation and rounding, smaller steps only add noise; and once the
    // estimate is far more accurate than any use of it needs, they only cost time.
    if (truncation < roundoff || error > 8 * best_error || error <= static_cast<long double>(options.target) * std::abs(d5)) break;
    prev_d5 = d5;
  }
  return best;
}

Estimate derivative_affine(const std::function<Sample(Real)>& f, Real x, Real scale) {
  Real h = std::max(std::abs(x), scale);
  if (!(h > 0.0L) || !std::isfinite(h)) h = 1.0L;
  volatile Real xh = x + h;  // a step exactly representable as a difference from x
  const Real hh = xh - x;
  const Sample fp = f(x + hh), fm = f(x - hh);
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  return {(fp.value - fm.value) / (2 * hh), hh, 4 * eps * std::max(fp.magnitude, fm.magnitude) / hh, true};
}

Real node_scale(const RMatrix& values) {
  if (values.size() == 0) return 1.0L;
  const Real rms = std::sqrt(values.squaredNorm() / static_cast<Real>(values.size()));
  return (rms > 1.0L && std::isfinite(rms)) ? rms : 1.0L;
}

RMatrix gradient(const Graph& graph, Graph::NodeId node, const Options& options) {
  Graph::Perturbation p(graph, node);
  RMatrix out = RMatrix::Zero(graph.exact(node).rows(), graph.exact(node).cols());
  const Real scale = node_scale(graph.exact(node));
  for (std::int64_t i = 0; i < p.size(); ++i)
    out.data()[i] = derivative([&](Real v) { return p.loss_with(i, v); }, p.base(i), scale, options).value;
  return out;
}

namespace {

// The terms of one element: a small central difference (only their size matters, to a few
// digits), moved closer where it leaves the function's domain.
Real element_terms(Graph::LocalPerturbation& p, std::int64_t i, Real scale, const std::vector<RMatrix>& weights,
                   const std::vector<RMatrix>* uncertainty, Real* carried) {
  Real h = 1e-7L * std::max(std::abs(p.base(i)), scale);
  for (int tries = 0; tries < 8; ++tries, h /= 64) {
    const Real t = p.abs_terms(i, h, weights, uncertainty, carried);
    if (std::isfinite(t)) return t;
  }
  if (carried) *carried = 0.0L;
  return 0.0L;
}

}  // namespace

NodeGradient local_gradient(const Graph& graph, Graph::NodeId node, const std::vector<RMatrix>& consumer_grads,
                            const Options& options, bool with_terms, const std::vector<RMatrix>* consumer_uncertainty,
                            const std::vector<RMatrix>* consumer_terms) {
  Graph::LocalPerturbation p(graph, node);
  if (consumer_grads.size() != p.consumers().size())
    throw std::invalid_argument("local_gradient: one gradient per consumer of '" + graph.name(node) + "'");
  NodeGradient out;
  out.value = RMatrix::Zero(graph.exact(node).rows(), graph.exact(node).cols());
  out.element_uncertainty = out.value;
  out.element_terms = out.value;
  const Real scale = node_scale(graph.exact(node));
  const bool affine = p.linear();
  for (std::int64_t i = 0; i < p.size(); ++i) {
    const auto f = [&](Real v) -> Sample {
      Real magnitude = 0.0L;
      const Real y = p.weighted_with(i, v, consumer_grads, &magnitude);
      return {y, magnitude};
    };
    const Estimate e = affine ? derivative_affine(f, p.base(i), scale) : derivative(f, p.base(i), scale, options);
    out.value.data()[i] = e.value;
    Real carried = 0.0L;
    if (with_terms) {
      out.element_terms.data()[i] =
          element_terms(p, i, scale, consumer_terms ? *consumer_terms : consumer_grads, consumer_uncertainty, &carried);
      out.terms = std::max(out.terms, out.element_terms.data()[i]);
    }
    out.element_uncertainty.data()[i] = (std::isfinite(e.error) ? e.error : std::abs(e.value)) + carried;
    out.uncertainty = std::max(out.uncertainty, out.element_uncertainty.data()[i]);
  }
  return out;
}

std::vector<NodeGradient> backward(const Graph& graph, const Options& options, const NodeProgress& on_node) {
  const auto n = static_cast<Graph::NodeId>(graph.size());
  if (const Graph* twin = graph.reference_twin()) {
    // The same function in smaller steps: its gradients, and the terms its steps sum (Graph).
    std::vector<NodeGradient> all = backward(*twin, options, on_node), out;
    for (Graph::NodeId k = 0; k < n; ++k) out.push_back(std::move(all[static_cast<std::size_t>(twin->id(graph.name(k)))]));
    return out;
  }
  std::vector<NodeGradient> grads;
  for (Graph::NodeId k = 0; k < n; ++k) {
    const RMatrix zero = RMatrix::Zero(graph.exact(k).rows(), graph.exact(k).cols());
    grads.push_back({zero, 0.0L, zero, 0.0L, zero});
  }
  std::vector<bool> reaches(static_cast<std::size_t>(n), false);
  reaches[static_cast<std::size_t>(graph.loss_id())] = true;
  grads[static_cast<std::size_t>(graph.loss_id())] = {RMatrix::Ones(1, 1), 1.0L, RMatrix::Zero(1, 1), 0.0L, RMatrix::Ones(1, 1)};
  for (Graph::NodeId k = graph.loss_id() - 1; k >= 0; --k) {
    std::vector<RMatrix> weights, uncertainty, terms;
    bool any = false;
    for (Graph::NodeId c : graph.consumers(k)) {
      weights.push_back(grads[static_cast<std::size_t>(c)].value);
      uncertainty.push_back(grads[static_cast<std::size_t>(c)].element_uncertainty);
      terms.push_back(grads[static_cast<std::size_t>(c)].element_terms);
      any = any || reaches[static_cast<std::size_t>(c)];
    }
    if (!any || graph.is_data(k)) continue;
    reaches[static_cast<std::size_t>(k)] = true;
    if (on_node) on_node(graph, k, static_cast<std::size_t>(graph.loss_id() - 1 - k), static_cast<std::size_t>(graph.loss_id()));
    grads[static_cast<std::size_t>(k)] = local_gradient(graph, k, weights, options, true, &uncertainty, &terms);
  }
  return grads;
}

}  // namespace bpdojo::fd
