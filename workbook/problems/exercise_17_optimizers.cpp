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

#include <algorithm>
#include <cmath>
#include <optional>

namespace bpdojo {

namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum;
using Id = Graph::NodeId;
using In = Graph::Inputs;

// A log-uniform draw in [lo, hi].
double log_uniform(Rng& rng, double lo, double hi) { return std::exp(rng.uniform(std::log(lo), std::log(hi))); }

// Sizes spanning 1e-4 to 1e2: element k's in the decade 10^(-4 + k mod 7) (a one-element
// parameter's gradient is the smallest, where eps matters most), at a log-uniform place in it.
Matrix magnitudes(Rng& rng, Index rows, Index cols) {
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = std::pow(10.0, static_cast<double>(k % 7) - 4.0 + rng.uniform());
  return m;
}

// A gradient of those sizes, each with a random sign.
Matrix spread(Rng& rng, const Matrix& size) {
  Matrix m = size;
  for (Index k = 0; k < m.size(); ++k)
    if (rng.uniform() < 0.5) m.data()[k] = -m.data()[k];
  return m;
}

// A running average of the squares of such gradients: positive, each near its element's size squared.
Matrix squares(Rng& rng, const Matrix& size) {
  Matrix m(size.rows(), size.cols());
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = size.data()[k] * size.data()[k] * rng.uniform(0.25, 2.0);
  return m;
}

UpdateCase draw_case(Rng rng, Optimizer o, bool late, Index N, Index D) {
  UpdateCase c;
  c.name = std::string(optimizer_name(o)) + (late ? ".late" : ".first");
  c.optimizer = o;
  c.t = late ? 500 + static_cast<int>(rng.below(1501)) : 1;
  c.param = rng.normal_matrix(N, D);
  const Matrix size = magnitudes(rng, N, D);
  c.grad = spread(rng, size);
  const Matrix zero = Matrix::Zero(N, D);
  switch (o) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: c.state = {late ? spread(rng, size) : zero}; break;
    case Optimizer::Rmsprop: c.state = {late ? squares(rng, size) : zero}; break;
    case Optimizer::Adam:
    case Optimizer::AdamW:
      if (late) c.state = {spread(rng, size), squares(rng, size)};
      else c.state = {zero, zero};
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
  // The case's inputs, read by no step: for a --dump (another implementation, torch.optim in
  // tests/torch_optim_crosscheck.py, redoes the update from them). hyper: t, lr, then momentum,
  // alpha or beta1, beta2, eps, weight_decay, nesterov (0 where the optimizer has none).
  const Shape shape_in{c.param.rows(), c.param.cols()};
  g.data("input_param", {shape_in, c.param});
  g.data("input_grad", {shape_in, c.grad});
  for (std::size_t k = 1; k < names.size(); ++k) g.data("input_" + names[k], {shape_in, c.state[k - 1]});
  Matrix hyper = Matrix::Zero(1, 7);
  switch (c.optimizer) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: {
      const SgdConfig& h = c.optimizer == Optimizer::Sgd ? in.sgd : in.nesterov;
      hyper << c.t, h.lr, h.momentum, 0.0, 0.0, h.weight_decay, h.nesterov ? 1.0 : 0.0;
      break;
    }
    case Optimizer::Rmsprop:
      hyper << c.t, in.rmsprop.lr, in.rmsprop.alpha, 0.0, in.rmsprop.eps, in.rmsprop.weight_decay, 0.0;
      break;
    case Optimizer::Adam:
    case Optimizer::AdamW: {
      const AdamConfig& h = c.optimizer == Optimizer::Adam ? in.adam : in.adamw;
      hyper << c.t, h.lr, h.beta1, h.beta2, h.eps, h.weight_decay, 0.0;
      break;
    }
  }
  g.data("hyper", {Shape{1, 7}, hyper});
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
  add_sum_loss(g, terms);
  g.forward();
  return g;
}

}  // namespace

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

std::vector<RMatrix> exact_update(const OptimizersInstance& in, const UpdateCase& c, Slip slip) {
  RMatrix p = c.param.cast<Real>();
  const RMatrix grad = c.grad.cast<Real>();
  const auto R1 = [](double x) { return static_cast<Real>(x); };
  const Real wd_l2 = slip == Slip::NoWeightDecay ? 0.0L : 1.0L;  // times the L2 term
  switch (c.optimizer) {
    case Optimizer::Sgd:
    case Optimizer::Nesterov: {
      const SgdConfig& h = c.optimizer == Optimizer::Sgd ? in.sgd : in.nesterov;
      const Real mu = R1(h.momentum);
      const RMatrix g = grad + wd_l2 * R1(h.weight_decay) * p;
      const Real fresh = slip == Slip::Dampened ? 1.0L - mu : 1.0L;
      const RMatrix buf = c.t == 1 ? g : RMatrix(mu * c.state[0].cast<Real>() + fresh * g);
      const bool nesterov = h.nesterov && slip != Slip::NesterovIgnored;
      const RMatrix d = nesterov ? RMatrix(g + mu * buf) : buf;
      if (slip == Slip::MomentumOnParam) p = mu * p - R1(h.lr) * g;
      else p -= R1(h.lr) * d;
      return {p, buf};
    }
    case Optimizer::Rmsprop: {
      const RmspropConfig& h = in.rmsprop;
      const RMatrix g = grad + wd_l2 * R1(h.weight_decay) * p;
      const Real keep = slip == Slip::AlphaSwapped ? 1.0L - R1(h.alpha) : R1(h.alpha);
      const RMatrix sq = keep * c.state[0].cast<Real>() + (1.0L - keep) * g.cwiseAbs2();
      const RMatrix avg = slip == Slip::EpsInsideSqrt ? RMatrix((sq.array() + R1(h.eps)).sqrt())
                                                      : RMatrix(sq.array().sqrt() + R1(h.eps));
      p.array() -= R1(h.lr) * g.array() / avg.array();
      return {p, sq};
    }
    case Optimizer::Adam:
    case Optimizer::AdamW: {
      const bool decoupled = c.optimizer == Optimizer::AdamW && slip != Slip::DecayInGradient;
      const AdamConfig& h = c.optimizer == Optimizer::AdamW ? in.adamw : in.adam;
      RMatrix g = grad;
      if (decoupled) p *= 1.0L - (slip == Slip::DecayWithoutLr ? 1.0L : R1(h.lr)) * R1(h.weight_decay);
      else g += wd_l2 * R1(h.weight_decay) * p;
      const Real b1 = R1(h.beta1), b2 = R1(h.beta2);
      const RMatrix m = b1 * c.state[0].cast<Real>() + (1.0L - b1) * g;
      RMatrix v = b2 * c.state[1].cast<Real>() + (1.0L - b2) * g.cwiseAbs2();
      Real bc1 = 1.0L - std::pow(b1, static_cast<Real>(c.t)), bc2 = 1.0L - std::pow(b2, static_cast<Real>(c.t));
      if (slip == Slip::NoBiasCorrection) bc1 = bc2 = 1.0L;
      const RMatrix m_hat = m / bc1, v_hat = v / bc2;
      const RMatrix denom = slip == Slip::EpsInsideSqrt ? RMatrix((v_hat.array() + R1(h.eps)).sqrt())
                                                        : RMatrix(v_hat.array().sqrt() + R1(h.eps));
      p.array() -= R1(h.lr) * m_hat.array() / denom.array();
      if (slip == Slip::CorrectedState) v = v_hat;
      return {p, m, v};
    }
  }
  return {};
}

namespace {

struct Known {
  Slip slip;
  const char* kind;
  const char* text;
};
const Known kKnown[] = {
    {Slip::MomentumOnParam, "momentum_on_param",
     "momentum multiplies the parameter (param = momentum * param - lr * g): it belongs to the velocity, buf = momentum * buf + g, and param -= lr * buf"},
    {Slip::NesterovIgnored, "nesterov_ignored", "this is plain momentum's update: Nesterov steps by g + momentum * buf, not buf"},
    {Slip::Dampened, "dampened",
     "the velocity is an average, buf = momentum * buf + (1 - momentum) * g: torch's SGD (dampening 0) adds g whole, buf = momentum * buf + g"},
    {Slip::NoWeightDecay, "no_weight_decay", "the weight decay is missing: add weight_decay * param to the gradient first (L2, as torch.optim does)"},
    {Slip::EpsInsideSqrt, "eps_inside_sqrt", "eps is inside the square root: torch adds it outside, sqrt(avg) + eps"},
    {Slip::AlphaSwapped, "alpha_swapped", "alpha and 1 - alpha are swapped: square_avg = alpha * square_avg + (1 - alpha) * g^2"},
    {Slip::NoBiasCorrection, "no_bias_correction", "no bias correction: divide m by 1 - beta1^t and v by 1 - beta2^t before the update"},
    {Slip::CorrectedState, "corrected_state",
     "v is stored bias-corrected: keep v itself as the state and correct a copy (v_hat) for the update"},
    {Slip::DecayInGradient, "decay_in_gradient",
     "the weight decay is added to the gradient (Adam's L2): AdamW decouples it, param *= 1 - lr * weight_decay, and leaves the gradient alone"},
    {Slip::DecayWithoutLr, "decay_without_lr", "the decay is param *= 1 - weight_decay: AdamW scales it by the learning rate, 1 - lr * weight_decay"},
};

// Which known slip gives the learner's value of `row` ("adam.late.param"), if one does (and the
// correct update does not).
std::optional<KnownSlip> recognise(std::uint64_t seed, const Sizes& sizes, const std::string& row, const Matrix& yours) {
  const OptimizersInstance in = draw(seed, sizes);
  for (const UpdateCase& c : in.cases) {
    if (row.compare(0, c.name.size() + 1, c.name + ".") != 0) continue;
    const std::string what = row.substr(c.name.size() + 1);
    std::vector<std::string> names = {"param"};
    for (const std::string& s : state_names(c.optimizer)) names.push_back(s);
    const auto at = std::find(names.begin(), names.end(), what);
    if (at == names.end()) return std::nullopt;
    const auto k = static_cast<std::size_t>(at - names.begin());
    const auto same = [&](const RMatrix& e) {
      if (e.rows() != yours.rows() || e.cols() != yours.cols() || !yours.allFinite()) return false;
      const Real scale = std::max(e.cwiseAbs().maxCoeff(), yours.cast<Real>().cwiseAbs().maxCoeff());
      return (e - yours.cast<Real>()).cwiseAbs().maxCoeff() <= 1e-11L * scale;
    };
    if (same(exact_update(in, c)[k])) return std::nullopt;
    for (const Known& known : kKnown)
      if (same(exact_update(in, c, known.slip)[k])) return KnownSlip{known.kind, known.text};
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

OptimizersInstance exercise_17_instance(std::uint64_t seed, const Sizes& sizes) { return draw(seed, sizes); }

double rosenbrock(double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); }

Matrix rosenbrock_grad(const Matrix& p) {
  const double x = p(0, 0), y = p(0, 1);
  Matrix g(1, 2);
  g << -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x);
  return g;
}

OptimizersInstance path_configs() {
  OptimizersInstance in;
  in.sgd = {5e-4, 0.9, 0.0, false};
  in.nesterov = {5e-4, 0.9, 0.0, true};
  in.rmsprop = {0.02, 0.99, 1e-8, 0.0};
  in.adam = {0.1, 0.9, 0.999, 1e-8, 0.0};
  in.adamw = {0.1, 0.9, 0.999, 1e-8, 0.1};
  return in;
}

Matrix reference_path(Optimizer o, std::int64_t steps) {
  const OptimizersInstance in = path_configs();
  UpdateCase c;
  c.optimizer = o;
  c.param = Matrix(1, 2);
  c.param << kRosenbrockStart[0], kRosenbrockStart[1];
  c.state.assign(state_names(o).size(), Matrix::Zero(1, 2));
  Matrix path(steps + 1, 2);
  path.row(0) = c.param;
  for (std::int64_t t = 1; t <= steps; ++t) {
    c.t = static_cast<int>(t);
    c.grad = rosenbrock_grad(c.param);
    const std::vector<RMatrix> next = exact_update(in, c);
    c.param = next[0].cast<double>();
    for (std::size_t k = 0; k < c.state.size(); ++k) c.state[k] = next[k + 1].cast<double>();
    if (!c.param.allFinite()) return path.topRows(t);
    path.row(t) = c.param;
  }
  return path;
}

MlpParams mlp_path_init(std::uint64_t seed) {
  return mlp_init(Rng(seed).fork("mlp"), static_cast<Index>(builtin_names().vocab.size()), kMlpPathHidden);
}

Rng mlp_path_batches(std::uint64_t seed) { return Rng(seed).fork("mlp batches"); }

OptimizersInstance mlp_path_configs() {
  OptimizersInstance in;
  in.sgd = {0.05, 0.9, 0.0, false};
  in.nesterov = {0.05, 0.9, 0.0, true};
  in.rmsprop = {0.003, 0.99, 1e-8, 0.0};
  in.adam = {0.01, 0.9, 0.999, 1e-8, 0.0};
  in.adamw = {0.01, 0.9, 0.999, 1e-8, 0.1};
  return in;
}

std::array<Matrix, 7> mlp_reference_grads(const MlpParams& p, const MlpBatch& batch) {
  const MlpCache c = mlp_forward(p, batch);
  const Index N = c.logits.rows();
  const double n = static_cast<double>(N);
  Matrix dlogits = c.probs;
  for (Index i = 0; i < N; ++i) dlogits(i, c.Yb[static_cast<std::size_t>(i)]) -= 1.0;
  dlogits /= n;
  std::array<Matrix, 7> g;  // C, W1, b1, bngain, bnbias, W2, b2
  g[5] = c.h.transpose() * dlogits;
  g[6] = dlogits.colwise().sum();
  const Matrix dh = dlogits * c.W2.transpose();
  const Matrix dhpreact = ((1.0 - c.h.array().square()) * dh.array()).matrix();
  g[3] = (c.bnraw.array() * dhpreact.array()).colwise().sum();
  g[4] = dhpreact.colwise().sum();
  const Eigen::ArrayXXd sum_d = dhpreact.colwise().sum().array().replicate(N, 1);
  const Eigen::ArrayXXd sum_draw = (dhpreact.array() * c.bnraw.array()).colwise().sum().replicate(N, 1);
  const Eigen::ArrayXXd scale = (c.bngain.array() * c.bnvar_inv.array() / n).replicate(N, 1);
  const Matrix dhprebn = (scale * (n * dhpreact.array() - sum_d - n / (n - 1.0) * c.bnraw.array() * sum_draw)).matrix();
  g[1] = c.embcat.transpose() * dhprebn;
  g[2] = dhprebn.colwise().sum();
  const Matrix dembcat = dhprebn * c.W1.transpose();
  g[0] = Matrix::Zero(c.C.rows(), c.C.cols());
  const Index B = c.Xb.cols(), E = c.C.cols();
  for (Index i = 0; i < N; ++i)
    for (Index k = 0; k < B; ++k) g[0].row(c.Xb(i, k)) += dembcat.block(i, k * E, 1, E);
  return g;
}

std::vector<std::int64_t> mlp_path_checkpoints(std::int64_t steps) {
  std::vector<std::int64_t> out;
  for (std::int64_t t = 0; t < steps; t += kMlpCheckpointEvery) out.push_back(t);
  out.push_back(steps);
  return out;
}

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
  info.recognise = recognise;
  // Then the paths over the Rosenbrock function and the MLP's training, S steps of each optimizer
  // (shown, never judged).
  info.sizes.push_back({"S", "steps of each optimizer over the Rosenbrock function and on the MLP (0: none)", kDefaultPathSteps, 0, 10000, false});
  info.optimizer_paths = true;
  return info;
}

}  // namespace bpdojo
