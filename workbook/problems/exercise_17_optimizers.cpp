// Exercise 17: the problem, one update of each optimizer at t = 1 and at a large t, judged exactly.
// The checker computes each update itself in long double from the same inputs (exact_update) and
// holds the learner's to it within kUpdateThreshold. It does so through the machinery of gradients:
// each case is a graph with a leaf u of zeros per result (the parameter, each state tensor) and the
// loss L = sum over the results of <u, expected>, affine in the leaves, so the numeric gradient of
// u is the expected value itself: L at u = 0 is 0, its differences are h * expected rounded in long
// double (1e-19 of it), far below the bar of 1e-13. The expected values are data of the graph, each
// in two doubles (its rounding and the rest), so that their long double survives.
#include "problems/exercise_17_optimizers.hpp"
#include "bpdojo/rng.hpp"

#include <cmath>

namespace bpdojo {

namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum;
using Id = Graph::NodeId;
using In = Graph::Inputs;

const char* optimizer_name(Optimizer o) {
  switch (o) {
    case Optimizer::Sgd: return "sgd";
    case Optimizer::Nesterov: return "nesterov";
    case Optimizer::Rmsprop: return "rmsprop";
    case Optimizer::Adam: return "adam";
    case Optimizer::AdamW: return "adamw";
  }
  return "?";
}

// A log-uniform draw in [lo, hi].
double log_uniform(Rng& rng, double lo, double hi) { return std::exp(rng.uniform(std::log(lo), std::log(hi))); }

// Gradients whose elements span 1e-4 to 1e2 in size: a normal times a log-uniform scale, each its own.
Matrix spread(Rng& rng, Index rows, Index cols) {
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = rng.normal() * log_uniform(rng, 1e-4, 1e2);
  return m;
}

// A running average of squares, as after many steps of such gradients: positive, 1e-8 to 1e4.
Matrix squares(Rng& rng, Index rows, Index cols) {
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) {
    const double s = log_uniform(rng, 1e-4, 1e2);
    m.data()[k] = s * s * rng.uniform(0.5, 1.5);
  }
  return m;
}

UpdateCase draw_case(Rng rng, Optimizer o, bool late, Index N, Index D) {
  UpdateCase c;
  c.name = std::string(optimizer_name(o)) + (late ? ".late" : ".first");
  c.optimizer = o;
  c.t = late ? 500 + static_cast<int>(rng.below(1501)) : 1;
  c.param = rng.normal_matrix(N, D);
  c.grad = spread(rng, N, D);
  switch (o) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: c.state = {late ? spread(rng, N, D) : Matrix::Zero(N, D)}; break;
    case Optimizer::Rmsprop: c.state = {late ? squares(rng, N, D) : Matrix::Zero(N, D)}; break;
    case Optimizer::Adam:
    case Optimizer::AdamW:
      if (late) c.state = {spread(rng, N, D), squares(rng, N, D)};
      else c.state = {Matrix::Zero(N, D), Matrix::Zero(N, D)};
      break;
  }
  return c;
}

AdamConfig draw_adam(Rng rng, double wd_lo, double wd_hi) {
  AdamConfig c;
  c.lr = log_uniform(rng, 1e-3, 1e-2);
  c.beta1 = rng.uniform(0.8, 0.95);
  c.beta2 = rng.uniform(0.995, 0.9995);
  c.eps = log_uniform(rng, 1e-8, 1e-6);
  c.weight_decay = log_uniform(rng, wd_lo, wd_hi);
  return c;
}

OptimizersInstance draw(std::uint64_t seed, const Sizes& sizes) {
  const Rng rng(seed);
  const Index N = sizes.at("N"), D = sizes.at("D");
  OptimizersInstance in;
  Rng h = rng.fork("hyper");
  in.sgd.lr = log_uniform(h, 1e-3, 1e-1);
  in.sgd.momentum = h.uniform(0.8, 0.99);
  in.sgd.weight_decay = log_uniform(h, 1e-3, 1e-1);
  in.nesterov = in.sgd;
  in.nesterov.nesterov = true;
  in.rmsprop.lr = log_uniform(h, 1e-3, 1e-2);
  in.rmsprop.alpha = h.uniform(0.9, 0.999);
  in.rmsprop.eps = log_uniform(h, 1e-8, 1e-6);
  in.rmsprop.weight_decay = log_uniform(h, 1e-3, 1e-1);
  in.adam = draw_adam(h.fork("adam"), 1e-3, 1e-1);
  in.adamw = draw_adam(h.fork("adamw"), 1e-2, 1e-1);
  for (Optimizer o : {Optimizer::Sgd, Optimizer::Nesterov, Optimizer::Rmsprop, Optimizer::Adam, Optimizer::AdamW})
    for (bool late : {false, true}) {
      const std::string label = std::string(optimizer_name(o)) + (late ? ".late" : ".first");
      in.cases.push_back(draw_case(rng.fork(label.c_str()), o, late, N, D));
    }
  return in;
}

// The case as a graph: a leaf of zeros per result, L = sum of <u, expected> (see the top).
Graph update_graph(const OptimizersInstance& in, const UpdateCase& c) {
  const std::vector<RMatrix> expected = exact_update(in, c);
  std::vector<std::string> names = {"param"};
  for (const std::string& s : state_names(c.optimizer)) names.push_back(s);
  Graph g;
  std::vector<Id> terms;
  for (std::size_t k = 0; k < names.size(); ++k) {
    // The expected value as data, in two doubles: its rounding and what the rounding left out
    // (hi + lo holds the long double's 64 bits).
    const RMatrix& e = expected[k];
    const Matrix hi = e.cast<double>();
    const Matrix lo = (e - hi.cast<Real>()).cast<double>();
    const Shape shape{e.rows(), e.cols()};
    const Id h = g.data("expected_" + names[k], {shape, hi});
    const Id l = g.data("expected_" + names[k] + "_rest", {shape, lo});
    const Id u = g.leaf(names[k], {shape, Matrix::Zero(e.rows(), e.cols())});
    terms.push_back(g.step("updated_" + names[k], {}, {u, h, l}, [=](const In& v) -> RMatrix {
      return RMatrix::Constant(1, 1, (v[u].array() * (v[h].array() + v[l].array())).sum());
    }, {S | R | K | L, S | R | K, S | R | K}));
  }
  g.set_loss(g.step("loss", {}, terms, [=](const In& v) -> RMatrix {
    Real sum = 0.0L;
    for (Id t : terms) sum += v[t](0, 0);
    return RMatrix::Constant(1, 1, sum);
  }, std::vector<unsigned>(terms.size(), L)));
  g.forward();
  return g;
}

}  // namespace

std::vector<std::string> state_names(Optimizer o) {
  switch (o) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: return {"buf"};
    case Optimizer::Rmsprop: return {"square_avg"};
    case Optimizer::Adam:
    case Optimizer::AdamW: return {"m", "v"};
  }
  return {};
}

std::vector<RMatrix> exact_update(const OptimizersInstance& in, const UpdateCase& c) {
  RMatrix p = c.param.cast<Real>();
  const RMatrix grad = c.grad.cast<Real>();
  const auto R1 = [](double x) { return static_cast<Real>(x); };
  switch (c.optimizer) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: {
      const SgdConfig& h = c.optimizer == Optimizer::Sgd ? in.sgd : in.nesterov;
      const RMatrix g = grad + R1(h.weight_decay) * p;
      RMatrix buf = c.t == 1 ? g : RMatrix(R1(h.momentum) * c.state[0].cast<Real>() + g);
      const RMatrix d = h.nesterov ? RMatrix(g + R1(h.momentum) * buf) : buf;
      p -= R1(h.lr) * d;
      return {p, buf};
    }
    case Optimizer::Rmsprop: {
      const RmspropConfig& h = in.rmsprop;
      const RMatrix g = grad + R1(h.weight_decay) * p;
      const RMatrix sq = R1(h.alpha) * c.state[0].cast<Real>() + (1.0L - R1(h.alpha)) * g.cwiseAbs2();
      p.array() -= R1(h.lr) * g.array() / (sq.array().sqrt() + R1(h.eps));
      return {p, sq};
    }
    case Optimizer::Adam:
    case Optimizer::AdamW: {
      const bool decoupled = c.optimizer == Optimizer::AdamW;
      const AdamConfig& h = decoupled ? in.adamw : in.adam;
      RMatrix g = grad;
      if (decoupled) p *= 1.0L - R1(h.lr) * R1(h.weight_decay);
      else g += R1(h.weight_decay) * p;
      const Real b1 = R1(h.beta1), b2 = R1(h.beta2);
      const RMatrix m = b1 * c.state[0].cast<Real>() + (1.0L - b1) * g;
      const RMatrix v = b2 * c.state[1].cast<Real>() + (1.0L - b2) * g.cwiseAbs2();
      const Real bc1 = 1.0L - std::pow(b1, static_cast<Real>(c.t)), bc2 = 1.0L - std::pow(b2, static_cast<Real>(c.t));
      p.array() -= (R1(h.lr) / bc1) * m.array() / (v.array().sqrt() / std::sqrt(bc2) + R1(h.eps));
      return {p, m, v};
    }
  }
  return {};
}

OptimizersInstance exercise_17_instance(std::uint64_t seed, const Sizes& sizes) { return draw(seed, sizes); }

ExerciseInfo exercise_17_info() {
  const OptimizersInstance shape = draw(0, {{"N", 1}, {"D", 1}});
  std::vector<GradientSpec> grads;
  for (std::size_t k = 0; k < shape.cases.size(); ++k) {
    const UpdateCase& c = shape.cases[k];
    const char* fn = c.optimizer == Optimizer::Sgd || c.optimizer == Optimizer::Nesterov ? "sgd_step"
                     : c.optimizer == Optimizer::Rmsprop                                 ? "rmsprop_step"
                     : c.optimizer == Optimizer::Adam                                    ? "adam_step"
                                                                                         : "adamw_step";
    std::vector<std::string> names = {"param"};
    for (const std::string& s : state_names(c.optimizer)) names.push_back(s);
    for (const std::string& n : names) {
      GradientSpec spec{c.name + "." + n, static_cast<int>(k), n, fn};
      spec.threshold = kUpdateThreshold;
      grads.push_back(std::move(spec));
    }
  }
  ExerciseInfo info{17,
                    "optimizers",
                    "optimizers: SGD with momentum, Nesterov, RMSprop, Adam and AdamW, one update each",
                    "exercise_17_optimizers.cpp",
                    {{"N", "rows of the parameter", 4, 1, 64}, {"D", "columns of the parameter", 6, 1, 64}},
                    std::move(grads),
                    [](std::uint64_t seed, const Sizes& sizes) {
                      const OptimizersInstance in = draw(seed, sizes);
                      std::vector<Graph> out;
                      for (const UpdateCase& c : in.cases) out.push_back(update_graph(in, c));
                      return out;
                    }};
  return info;
}

}  // namespace bpdojo
