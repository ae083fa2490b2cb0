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

Walk::Walk(Real x, Real scale, const Options& options, bool affine)
    : x_(x), options_(options), affine_(affine), best_error_(std::numeric_limits<Real>::infinity()) {
  best_.value = std::numeric_limits<Real>::quiet_NaN();
  if (affine_) {
    h_ = std::max(std::abs(x), scale);
    if (!(h_ > 0.0L) || !std::isfinite(h_)) h_ = 1.0L;
  } else {
    h_ = static_cast<Real>(options.start_step) * std::max(std::abs(x), scale);
    if (!(h_ > 0.0L) || !std::isfinite(h_)) h_ = static_cast<Real>(options.start_step);
  }
  begin_level();
}

void Walk::begin_level() {
  if (level_ > options_.max_levels && !affine_) {
    done_ = true;
    return;
  }
  volatile Real xh = x_ + h_;  // a step exactly representable as a difference from x
  hh_ = xh - x_;
  // f(x +- 2h) at one level is f(x +- h) of the level before (the step halves each time).
  phase_ = (have_wide_ || affine_) ? 2 : 0;
}

Real Walk::point() const {
  switch (phase_) {
    case 0: return x_ + 2 * hh_;
    case 1: return x_ - 2 * hh_;
    case 2: return x_ + hh_;
    default: return x_ - hh_;
  }
}

void Walk::feed(const Sample& f) {
  switch (phase_) {
    case 0: fp2_ = f; break;
    case 1: fm2_ = f; break;
    case 2: fp1_ = f; break;
    default: fm1_ = f; break;
  }
  if (++phase_ == 4) end_level();
}

void Walk::end_level() {
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  if (affine_) {
    best_ = {(fp1_.value - fm1_.value) / (2 * hh_), hh_, 4 * eps * std::max(fp1_.magnitude, fm1_.magnitude) / hh_, true};
    done_ = true;
    return;
  }
  const auto next_level = [&] {
    ++level_, h_ /= 2;
    begin_level();
  };
  const bool finite = std::isfinite(fp1_.value) && std::isfinite(fm1_.value) && std::isfinite(fp2_.value) &&
                      std::isfinite(fm2_.value) && std::isfinite(fp1_.magnitude) && std::isfinite(fm1_.magnitude);
  const Real d5 = (8 * (fp1_.value - fm1_.value) - (fp2_.value - fm2_.value)) / (12 * hh_);
  const Real fmax = std::max({fp1_.magnitude, fm1_.magnitude, fp2_.magnitude, fm2_.magnitude});
  fp2_ = fp1_, fm2_ = fm1_, have_wide_ = true;
  if (!finite) {
    // A step that leaves the function's domain: on to the next, smaller one.
    have_prev_ = false;
    return next_level();
  }
  const Real roundoff = 4 * eps * fmax / hh_;
  if (!have_prev_) {
    prev_d5_ = d5, have_prev_ = true;
    if (!std::isfinite(best_.value)) best_ = {d5, hh_, std::numeric_limits<Real>::infinity(), false};
    return next_level();
  }
  // Halving the step divides the fourth-order error by 16: the change from the last level is
  // 15 times what is left in this one. The Richardson combination removes most of that too.
  const Real truncation = std::abs(d5 - prev_d5_) / 15;
  const Real error = truncation + roundoff;
  if (error < best_error_) {
    best_error_ = error;
    best_ = {(16 * d5 - prev_d5_) / 15, hh_, error, error <= 1e-9L * std::abs(d5) + 2 * roundoff};
  }
  // Past the balance of truncation and rounding, smaller steps only add noise; and once the
  // estimate is far more accurate than any use of it needs, they only cost time.
  if (truncation < roundoff || error > 8 * best_error_ ||
      error <= static_cast<long double>(options_.target) * std::abs(d5)) {
    done_ = true;
    return;
  }
  prev_d5_ = d5;
  next_level();
}

Estimate derivative(const std::function<Sample(Real)>& f, Real x, Real scale, const Options& options) {
  Walk walk(x, scale, options);
  while (!walk.done()) walk.feed(f(walk.point()));
  return walk.estimate();
}

Estimate derivative_affine(const std::function<Sample(Real)>& f, Real x, Real scale) {
  Walk walk(x, scale, Options{}, true);
  while (!walk.done()) walk.feed(f(walk.point()));
  return walk.estimate();
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

// The terms of each element of a batch (terms[i]) and the consumers' uncertainty carried back
// (carried[i], 0 without `uncertainty`): a small central difference (only their size matters, to
// a few digits), moved closer where it leaves the function's domain. An affine node's are in the
// two evaluations its derivative took (`walks`, just finished).
//
// An element's terms are the larger of two sizes. The terms this step sums, |dc_j/dk| |g_j| over
// the consumers' elements j with their gradients g (`grads`): what its own rounding is relative to,
// and where they cancel (dlogit_maxes, db1 before batch norm) the size of a correct result. And the
// consumers' own terms carried back (`terms`, absent: none), where a cancellation further on left
// its rounding: as independent errors, sqrt(sum_j (dc_j/dk terms_j)^2), and so the uncertainty.
// Summed in absolute value along every path instead, both grow as the product of |W| along the
// paths: through a recurrence (an RNN's Whh at every step) that is exponential in the number of steps
// (10^8 times the gradient after 16 steps of H = 128), where the errors, of both signs, grow as W's
// own norm does.
void batch_terms(Graph::LocalPerturbation& p, const std::vector<std::int64_t>& batch, const std::vector<Walk>& walks,
                 bool affine, Real scale, const std::vector<RMatrix>& grads, const std::vector<RMatrix>* consumer_terms,
                 const std::vector<RMatrix>* uncertainty, std::vector<Real>& terms, std::vector<Real>& carried) {
  const std::size_t n = batch.size();
  std::vector<Real> step(n), hs(n), local, far, also;
  std::vector<Graph::LocalPerturbation::TermSizes> sets{{&grads, false, &local}};
  if (consumer_terms) sets.push_back({consumer_terms, true, &far});
  if (uncertainty) sets.push_back({uncertainty, true, &also});
  std::vector<bool> active(n, true);
  terms.assign(n, 0.0L), carried.assign(n, 0.0L);
  // Keeps what the last evaluation found for the elements still looking, where it is finite.
  const auto take = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      const Real t = consumer_terms ? std::max(local[i], far[i]) : local[i];
      if (active[i] && std::isfinite(t)) terms[i] = t, carried[i] = uncertainty ? also[i] : 0.0L, active[i] = false;
    }
  };
  if (affine) {
    for (std::size_t i = 0; i < n; ++i) hs[i] = walks[i].estimate().step;
    p.term_sizes_of_last_two(batch, hs, sets);
    take();
  }
  for (std::size_t i = 0; i < n; ++i) step[i] = 1e-7L * std::max(std::abs(p.base(batch[i])), scale);
  for (int tries = 0; tries < 8 && std::find(active.begin(), active.end(), true) != active.end(); ++tries) {
    for (std::size_t i = 0; i < n; ++i) hs[i] = active[i] ? step[i] : 0.0L;
    p.term_sizes(batch, hs, sets);
    take();
    for (std::size_t i = 0; i < n; ++i) step[i] /= 64;
  }
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
  std::vector<Real> xs, ys, magnitudes, terms, carried;
  std::vector<Walk> walks;
  std::vector<bool> active;
  const auto f_alone = [&](std::int64_t e, Real v) -> Sample {
    Real magnitude = 0.0L;
    const Real y = p.weighted_with(e, v, consumer_grads, &magnitude);
    return {y, magnitude};
  };
  // The elements of a batch walk in step: one evaluation of the consumers serves them all.
  for (const std::vector<std::int64_t>& batch : p.batches()) {
    const std::size_t n = batch.size();
    walks.clear();
    for (std::int64_t e : batch) walks.emplace_back(p.base(e), scale, options, affine);
    xs.resize(n), active.assign(n, false);
    // Each walk takes as many steps as its element needs: once few are left, an evaluation of the
    // whole batch costs more than theirs one by one (a call costs about as much as 32 values).
    const std::int64_t whole = n > 1 ? p.cost(batch) : 0, one = n > 1 ? p.cost({batch.front()}) + 32 : 0;
    for (;;) {
      std::size_t left = 0;
      for (std::size_t i = 0; i < n; ++i) {
        active[i] = !walks[i].done();
        xs[i] = active[i] ? walks[i].point() : p.base(batch[i]);
        left += active[i] ? 1 : 0;
      }
      if (left == 0) break;
      if (n == 1 || static_cast<std::int64_t>(left) * one < whole) {
        for (std::size_t i = 0; i < n; ++i)
          while (!walks[i].done()) walks[i].feed(f_alone(batch[i], walks[i].point()));
        break;
      }
      p.weighted_with(batch, xs, consumer_grads, ys, &magnitudes);
      for (std::size_t i = 0; i < n; ++i)
        if (active[i]) walks[i].feed({ys[i], magnitudes[i]});
    }
    carried.assign(n, 0.0L);
    if (with_terms) {
      batch_terms(p, batch, walks, affine, scale, consumer_grads, consumer_terms, consumer_uncertainty, terms, carried);
      for (std::size_t i = 0; i < n; ++i) {
        out.element_terms.data()[batch[i]] = terms[i];
        out.terms = std::max(out.terms, terms[i]);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Estimate& e = walks[i].estimate();
      out.value.data()[batch[i]] = e.value;
      out.element_uncertainty.data()[batch[i]] = (std::isfinite(e.error) ? e.error : std::abs(e.value)) + carried[i];
      out.uncertainty = std::max(out.uncertainty, out.element_uncertainty.data()[batch[i]]);
    }
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
