// Exercise 11: the problems and the experiment.
//  (a) init_std: one graph whose node "std" (K,1) has the formulas' values as its gradient
//      (L = sum(std .* formula), the formula a step of no inputs): the learner's values are judged against
//      the formulas, element by element, to rounding.
//  (b) three stacks, x (N,D) -> L blocks a = f(h W + b), h' = a or h + a -> L = sum(y .* G):
//      sigmoid (plain, 2 blocks), tanh (plain, 3 blocks), ReLU (residual, 3 blocks).
#include "problems/exercise_11_deep.hpp"
#include "bpdojo/rng.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <iterator>
#include <stdexcept>

namespace bpdojo {
namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, I = Graph::kInner;

const char* nonlinearity_name(Nonlinearity f) {
  switch (f) {
    case Nonlinearity::Linear: return "linear";
    case Nonlinearity::Sigmoid: return "sigmoid";
    case Nonlinearity::Tanh: return "tanh";
    case Nonlinearity::ReLU: return "relu";
    case Nonlinearity::LeakyReLU: return "leaky_relu";
  }
  return "?";
}

Real gain(Nonlinearity f) {
  switch (f) {
    case Nonlinearity::Linear:
    case Nonlinearity::Sigmoid: return 1.0L;
    case Nonlinearity::Tanh: return 5.0L / 3.0L;
    case Nonlinearity::ReLU: return std::sqrt(2.0L);
    case Nonlinearity::LeakyReLU: {
      const Real s = static_cast<Real>(kLeakyReluNegativeSlope);
      return std::sqrt(2.0L / (1.0L + s * s));
    }
  }
  return 1.0L;
}

RMatrix activate(Nonlinearity f, const RMatrix& z) {
  switch (f) {
    case Nonlinearity::Sigmoid: return (1.0L / (1.0L + (-z.array()).exp())).matrix();
    case Nonlinearity::Tanh: return z.array().tanh().matrix();
    case Nonlinearity::ReLU: return z.array().max(0.0L).matrix();
    default: throw std::logic_error("a stack uses sigmoid, tanh or ReLU");
  }
}

// ReLU's kink: every pre-activation of a ReLU stack stays this far from 0, so that no finite
// difference straddles it (the stencil spans about 1e-2 at most). Each column's bias is set to
// put the kink in a gap of that column's values at least twice this wide.
constexpr Real kKinkMargin = 0.05L;

// The bias of one column whose values before the bias are `v`: the kink goes in the middle of a
// gap of at least 2 kKinkMargin between two sorted values, the one nearest the quantile `q`; a
// column without such a gap is put wholly on or off (below or above every value).
Real kink_free_bias(std::vector<Real> v, double q, bool on_if_none) {
  std::sort(v.begin(), v.end());
  const Real target = v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
  Real best = 0.0L, best_distance = std::numeric_limits<Real>::infinity();
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (v[i + 1] - v[i] >= 2.0L * kKinkMargin) {
      const Real mid = (v[i] + v[i + 1]) / 2.0L;
      if (std::fabs(mid - target) < best_distance) best = mid, best_distance = std::fabs(mid - target);
    }
  if (best_distance == std::numeric_limits<Real>::infinity())
    best = on_if_none ? v.front() - 2.0L * kKinkMargin : v.back() + 2.0L * kKinkMargin;
  return -best;  // z = v + b is 0 at v = best
}

struct StackKind {
  const char* name;
  Nonlinearity f;
  bool residual;
  int depth;
};
constexpr StackKind kStacks[] = {{"sigmoid", Nonlinearity::Sigmoid, false, 2},
                                 {"tanh", Nonlinearity::Tanh, false, 3},
                                 {"relu", Nonlinearity::ReLU, true, 3}};

std::string layer_name(const char* what, int l) { return what + std::to_string(l); }

// x ~ N(0, 1); W ~ N(0, gain^2 / D) (Kaiming), so each block's pre-activations spread over about
// (-2, 2); b ~ N(0, 0.1^2), or for ReLU set per column away from the kink.
Graph stack_problem(const StackKind& kind, std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), D = sizes.at("D");
  const Rng rng = Rng(seed).fork(kind.name);
  Graph g;
  const auto x = g.leaf("x", {{N, D}, rng.fork("x").normal_matrix(N, D)});
  RMatrix h = g.exact(x);  // the forward pass so far, for the ReLU biases
  auto hid = x;
  Rng kinks = rng.fork("kinks");
  for (int l = 1; l <= kind.depth; ++l) {
    Rng rl = rng.fork(layer_name("layer", l).c_str());
    const Matrix Wv = rl.fork("W").normal_matrix(D, D, static_cast<double>(gain(kind.f)) / std::sqrt(static_cast<double>(D)));
    Matrix bv = rl.fork("b").normal_matrix(1, D, 0.1);
    if (kind.f == Nonlinearity::ReLU) {
      const RMatrix pre = h * Wv.cast<Real>();
      for (Index j = 0; j < D; ++j) {
        std::vector<Real> col(static_cast<std::size_t>(N));
        for (Index n = 0; n < N; ++n) col[static_cast<std::size_t>(n)] = pre(n, j);
        const double q = kinks.uniform(0.2, 0.8);
        bv(0, j) = static_cast<double>(kink_free_bias(std::move(col), q, kinks.uniform() < 0.5));
      }
    }
    const auto W = g.leaf(layer_name("W", l), {{D, D}, Wv});
    const auto b = g.leaf(layer_name("b", l), {{1, D}, bv});
    const auto in = hid;
    const auto z = g.step(layer_name("z", l), {N, D}, {in, W, b}, [=](const Graph::Inputs& v) -> RMatrix {
      return linear_step(v[in], v[W], v[b]);
    }, {R | L | I, K | L | I, K | L});
    const Nonlinearity f = kind.f;
    const auto a = g.step(layer_name("a", l), {N, D}, {z}, [=](const Graph::Inputs& v) -> RMatrix { return activate(f, v[z]); }, {R | K});
    hid = a;
    if (kind.residual)
      hid = g.step(layer_name("h", l), {N, D}, {in, a}, [=](const Graph::Inputs& v) -> RMatrix { return v[in] + v[a]; },
                   {R | K | L, R | K | L});
    // The same values in long double, for the next layer's biases.
    const RMatrix av = activate(kind.f, (h * Wv.cast<Real>()).rowwise() + bv.cast<Real>().row(0));
    h = kind.residual ? RMatrix(h + av) : av;
  }
  const auto G = g.data("G", {{N, D}, rng.fork("G").normal_matrix(N, D)});
  add_upstream_loss(g, hid, G);
  g.forward();
  return g;
}

StackCache cache_of(const StackKind& kind, const Graph& g) {
  StackCache c;
  c.f = kind.f;
  c.residual = kind.residual;
  c.h.push_back(g.value(g.id("x")));
  for (int l = 1; l <= kind.depth; ++l) {
    c.layers.push_back({g.value(g.id(layer_name("W", l))), g.value(g.id(layer_name("b", l)))});
    c.a.push_back(g.value(g.id(layer_name("a", l))));
    c.h.push_back(g.value(g.id(kind.residual ? layer_name("h", l) : layer_name("a", l))));
  }
  return c;
}

Graph init_problem(std::uint64_t seed) {
  const std::vector<InitCase> cases = exercise_11_init_cases(seed);
  const Index n = static_cast<Index>(cases.size());
  Matrix formula(n, 1);
  for (Index k = 0; k < n; ++k) formula(k, 0) = static_cast<double>(init_std_formula(cases[static_cast<std::size_t>(k)]));
  Graph g;
  const auto std_node = g.leaf("std", {{n, 1}, formula});
  // The formula in long double, a step of no inputs (never perturbed): the gradient of L is the
  // formula to its last bit.
  const auto F = g.step("formula", {n, 1}, {}, [cases](const Graph::Inputs&) -> RMatrix {
    RMatrix out(static_cast<Index>(cases.size()), 1);
    for (std::size_t k = 0; k < cases.size(); ++k) out(static_cast<Index>(k), 0) = init_std_formula(cases[k]);
    return out;
  });
  add_upstream_loss(g, std_node, F);
  g.forward();
  return g;
}

std::vector<Graph> problems(std::uint64_t seed, const Sizes& sizes) {
  std::vector<Graph> out;
  out.push_back(init_problem(seed));
  for (const StackKind& kind : kStacks) out.push_back(stack_problem(kind, seed, sizes));
  return out;
}

// ---- The experiment, in double ----

double std_of(const Matrix& m) {
  const double mean = m.mean();
  return std::sqrt((m.array() - mean).square().mean());
}

Matrix activate(Nonlinearity f, const Matrix& z) {
  switch (f) {
    case Nonlinearity::Sigmoid: return (1.0 / (1.0 + (-z.array()).exp())).matrix();
    case Nonlinearity::Tanh: return z.array().tanh().matrix();
    case Nonlinearity::ReLU: return z.array().max(0.0).matrix();
    default: throw std::logic_error("a stack uses sigmoid, tanh or ReLU");
  }
}

// The local derivative from the output: sigmoid a(1 - a), tanh 1 - a^2, ReLU [a > 0].
Matrix derivative(Nonlinearity f, const Matrix& a) {
  switch (f) {
    case Nonlinearity::Sigmoid: return (a.array() * (1.0 - a.array())).matrix();
    case Nonlinearity::Tanh: return (1.0 - a.array().square()).matrix();
    case Nonlinearity::ReLU: return (a.array() > 0.0).cast<double>().matrix();
    default: throw std::logic_error("a stack uses sigmoid, tanh or ReLU");
  }
}

// Two interleaved spirals: class k's i-th point at radius r = (i + 1) / n, angle k pi + 3 pi r.
void spirals(std::uint64_t seed, Matrix& points, std::vector<int>& labels) {
  Rng rng = Rng(seed).fork("spirals");
  const Index n = kExperimentPoints / 2;
  points.resize(kExperimentPoints, 2);
  labels.assign(static_cast<std::size_t>(kExperimentPoints), 0);
  for (int k = 0; k < 2; ++k)
    for (Index i = 0; i < n; ++i) {
      const double r = static_cast<double>(i + 1) / static_cast<double>(n);
      const double t = k * 3.141592653589793 + 3.0 * 3.141592653589793 * r + 0.15 * rng.normal();
      const Index row = k * n + i;
      points(row, 0) = 2.0 * r * std::cos(t);
      points(row, 1) = 2.0 * r * std::sin(t);
      labels[static_cast<std::size_t>(row)] = k;
    }
}

void require_shape(const Matrix& m, Index rows, Index cols, const std::string& what) {
  if (m.rows() != rows || m.cols() != cols)
    throw std::invalid_argument("stack_backward set " + what + " to " + std::to_string(m.rows()) + "x" +
                                std::to_string(m.cols()) + ", it must be " + std::to_string(rows) + "x" + std::to_string(cols));
}

}  // namespace

std::vector<InitCase> exercise_11_init_cases(std::uint64_t seed) {
  Rng rng = Rng(seed).fork("init");
  std::vector<InitCase> out;
  for (Nonlinearity f : {Nonlinearity::Linear, Nonlinearity::Sigmoid, Nonlinearity::Tanh, Nonlinearity::ReLU, Nonlinearity::LeakyReLU})
    for (InitScheme s : {InitScheme::Naive, InitScheme::Xavier, InitScheme::Kaiming})
      for (int k = 0; k < 2; ++k) {
        const Index fan_in = 1 + static_cast<Index>(rng.below(1024)), fan_out = 1 + static_cast<Index>(rng.below(1024));
        out.push_back({fan_in, fan_out, f, s});
      }
  return out;
}

long double init_std_formula(const InitCase& c) {
  const Real fan_in = static_cast<Real>(c.fan_in), fan_out = static_cast<Real>(c.fan_out);
  switch (c.scheme) {
    case InitScheme::Naive: return 1.0L;
    case InitScheme::Xavier: return gain(c.f) * std::sqrt(2.0L / (fan_in + fan_out));
    case InitScheme::Kaiming: return gain(c.f) / std::sqrt(fan_in);
  }
  return 1.0L;
}

DeepInstance exercise_11_instance(std::uint64_t seed, const Sizes& sizes) {
  DeepInstance in;
  in.init_cases = exercise_11_init_cases(seed);
  for (const StackKind& kind : kStacks) {
    const Graph g = stack_problem(kind, seed, sizes);
    in.stacks.push_back({kind.name, cache_of(kind, g), g.value(g.id("G"))});
  }
  return in;
}

std::string DeepConfig::name() const {
  return std::string(nonlinearity_name(f)) + (residual ? "_residual_" : "_plain_") + (learner_init ? "kaiming_" : "naive_") +
         std::to_string(depth);
}

const std::vector<DeepConfig>& deep_configs() {
  static const std::vector<DeepConfig> all = [] {
    std::vector<DeepConfig> out;
    for (Nonlinearity f : {Nonlinearity::Sigmoid, Nonlinearity::Tanh, Nonlinearity::ReLU})
      for (bool residual : {false, true})
        for (bool learner_init : {true, false})
          for (int depth : {2, 5, 10, 20}) out.push_back({f, residual, learner_init, depth});
    return out;
  }();
  return all;
}

DeepFigures run_deep_experiment(const DeepConfig& c, std::uint64_t seed, std::int64_t steps, const StackBackwardFn& backward,
                                const InitStdFn& init) {
  const Index D = kExperimentWidth, P = kExperimentPoints;
  const auto depth = static_cast<std::size_t>(c.depth);
  Matrix points;
  std::vector<int> labels;
  spirals(seed, points, labels);
  // The same draws for every configuration of a seed, scaled by the configuration's std.
  const Rng rng = Rng(seed).fork("experiment");
  const Matrix W_in = rng.fork("W_in").normal_matrix(2, D), b_in = rng.fork("b_in").normal_matrix(1, D, 0.5);
  const Matrix h0 = (points * W_in).rowwise() + b_in.row(0);
  const double sd = c.learner_init ? init(D, D, c.f, InitScheme::Kaiming) : 1.0;
  StackCache cache;
  cache.f = c.f;
  cache.residual = c.residual;
  for (std::size_t l = 0; l < depth; ++l)
    cache.layers.push_back({rng.fork(layer_name("W", static_cast<int>(l) + 1).c_str()).normal_matrix(D, D, sd), Matrix::Zero(1, D)});
  Matrix W_out = rng.fork("W_out").normal_matrix(D, 2, 1.0 / std::sqrt(static_cast<double>(D))), b_out = Matrix::Zero(1, 2);

  DeepFigures out;
  const auto S = static_cast<std::size_t>(std::max<std::int64_t>(steps, 0));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.loss.assign(S, nan);
  out.saturation.assign(S, nan);
  out.grad_rms.assign(S * depth, nan);
  out.bias_rms.assign(S * depth, nan);
  out.update_ratio.assign(S * depth, nan);
  out.act_std.assign(depth, nan);
  for (std::size_t t = 0; t < S; ++t) {
    cache.h.assign(1, h0);
    cache.a.clear();
    for (std::size_t l = 0; l < depth; ++l) {
      const Matrix z = (cache.h[l] * cache.layers[l].W).rowwise() + cache.layers[l].b.row(0);
      cache.a.push_back(activate(c.f, z));
      cache.h.push_back(c.residual ? Matrix(cache.h[l] + cache.a[l]) : cache.a[l]);
    }
    const Matrix logits = (cache.h[depth] * W_out).rowwise() + b_out.row(0);
    Matrix dlogits(P, 2);
    double loss = 0.0;
    for (Index n = 0; n < P; ++n) {
      const double m = logits.row(n).maxCoeff();
      const double e0 = std::exp(logits(n, 0) - m), e1 = std::exp(logits(n, 1) - m), s = e0 + e1;
      const int y = labels[static_cast<std::size_t>(n)];
      loss += m + std::log(s) - logits(n, y);  // log-sum-exp minus the true class's logit: finite for any finite logits
      dlogits(n, 0) = (e0 / s - (y == 0)) / static_cast<double>(P);
      dlogits(n, 1) = (e1 / s - (y == 1)) / static_cast<double>(P);
    }
    out.loss[t] = loss / static_cast<double>(P);
    if (!std::isfinite(out.loss[t])) break;  // diverged: the rest stays NaN
    const Matrix dy = dlogits * W_out.transpose();
    StackGrads g;
    backward(cache, dy, g);
    if (g.dW.size() != depth || g.db.size() != depth)
      throw std::invalid_argument("stack_backward set " + std::to_string(g.dW.size()) + " dW and " + std::to_string(g.db.size()) +
                                  " db for a stack of " + std::to_string(depth) + " blocks");
    double saturated = 0.0;
    for (std::size_t l = 0; l < depth; ++l) {
      require_shape(g.dW[l], D, D, "dW[" + std::to_string(l) + "]");
      require_shape(g.db[l], 1, D, "db[" + std::to_string(l) + "]");
      out.grad_rms[t * depth + l] = g.dW[l].norm() / static_cast<double>(D);
      out.bias_rms[t * depth + l] = g.db[l].norm() / std::sqrt(static_cast<double>(D));
      out.update_ratio[t * depth + l] = std::log10(kExperimentLr * std_of(g.dW[l]) / std_of(cache.layers[l].W));
      if (t == 0) out.act_std[l] = std_of(cache.h[l + 1]);
      if (c.f != Nonlinearity::ReLU)
        saturated += static_cast<double>(
            ((derivative(c.f, cache.a[l]).array() / (c.f == Nonlinearity::Tanh ? 1.0 : 0.25)) < kSaturatedDerivative).count());
    }
    out.saturation[t] = saturated / static_cast<double>(depth * static_cast<std::size_t>(P * D));
    for (std::size_t l = 0; l < depth; ++l) {
      cache.layers[l].W -= kExperimentLr * g.dW[l];
      cache.layers[l].b -= kExperimentLr * g.db[l];
    }
    W_out -= kExperimentLr * (cache.h[depth].transpose() * dlogits);
    b_out -= kExperimentLr * dlogits.colwise().sum();
  }
  return out;
}

ExerciseInfo exercise_11_info() {
  std::vector<GradientSpec> grads{{"init_std", 0, "std", "init_std"}};
  for (std::size_t k = 0; k < std::size(kStacks); ++k) {
    const StackKind& kind = kStacks[k];
    const int problem = static_cast<int>(k) + 1;
    const std::string p = std::string(kind.name) + ".";
    for (int l = kind.depth; l >= 1; --l) {
      grads.push_back({p + layer_name("dW", l), problem, layer_name("W", l), "stack_backward"});
      grads.push_back({p + layer_name("db", l), problem, layer_name("b", l), "stack_backward"});
    }
    grads.push_back({p + "dx", problem, "x", "stack_backward"});
  }
  ExerciseInfo info{11,
                    "deep",
                    "deep stacks: initialisation and gradient flow",
                    "exercise_11_deep.cpp",
                    {{"N", "batch size", 8, 1, 512},
                     {"D", "features", 16, 1, 256},
                     {"S", "steps of the experiment (0: the gradient check alone)", 200, 0, 5000, false}},
                    std::move(grads),
                    problems};
  info.experiment = true;
  info.timeout_seconds = 60.0;
  return info;
}

}  // namespace bpdojo
