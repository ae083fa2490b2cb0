// Exercise 09: the problems. For each activation f, x (N,D) -> y = f(x) -> L = sum(y .* G): one
// graph per activation, each with its own x and G.
#include "problems/exercise_09_activations.hpp"
#include "bpdojo/rng.hpp"

#include <cmath>

namespace bpdojo {
namespace {

using Activation = std::function<RMatrix(const RMatrix&)>;

const Real kSqrt2OverPi = std::sqrt(2.0L / 3.141592653589793238462643383279502884L);
const Real kSlope = static_cast<Real>(kLeakySlope), kCubic = static_cast<Real>(kGeluCubic);

RMatrix sigmoid(const RMatrix& x) { return (1.0L / (1.0L + (-x.array()).exp())).matrix(); }
RMatrix relu(const RMatrix& x) { return x.array().max(0.0L).matrix(); }
RMatrix leaky_relu(const RMatrix& x) { return (x.array() > 0.0L).select(x.array(), kSlope * x.array()).matrix(); }
RMatrix gelu(const RMatrix& x) {
  const auto a = x.array();
  return (0.5L * a * (1.0L + (kSqrt2OverPi * (a + kCubic * a.cube())).tanh())).matrix();
}

struct Case {
  const char* name;  // the prefix of the gradient's name: "sigmoid" -> "sigmoid.dx"
  const char* function;
  Activation f;
};
const std::vector<Case>& cases() {
  static const std::vector<Case> all = {{"sigmoid", "sigmoid_backward", sigmoid},
                                        {"relu", "relu_backward", relu},
                                        {"leaky_relu", "leaky_relu_backward", leaky_relu},
                                        {"gelu", "gelu_backward", gelu}};
  return all;
}

// Inputs over (-4, 4) with |x| >= kKinkMargin: far enough into the tails that sigmoid' falls to
// about 0.018, and never close enough to 0 that a finite difference straddles ReLU's kink.
Matrix inputs(Rng rng, Index N, Index D) {
  const Matrix u = rng.uniform_matrix(N, D, -1.0, 1.0);
  return u.unaryExpr([](double v) { return (v < 0.0 ? -1.0 : 1.0) * (kKinkMargin + (4.0 - kKinkMargin) * std::abs(v)); });
}

Graph problem(const Case& c, std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), D = sizes.at("D");
  const Rng rng = Rng(seed).fork(c.name);
  Graph g;
  const auto x = g.leaf("x", {{N, D}, inputs(rng.fork("x"), N, D)});
  const auto G = g.data("G", {{N, D}, rng.fork("G").normal_matrix(N, D)});
  const Activation f = c.f;
  const auto y = g.step("y", {N, D}, {x}, [=](const Graph::Inputs& v) -> RMatrix { return f(v[x]); }, {Graph::kRows | Graph::kCols});
  add_upstream_loss(g, y, G);
  g.forward();
  return g;
}

}  // namespace

ActivationsInstance exercise_09_instance(std::uint64_t seed, const Sizes& sizes) {
  std::vector<Graph> g;
  for (const Case& c : cases()) g.push_back(problem(c, seed, sizes));
  auto value = [&](std::size_t k, const char* node) { return g[k].value(g[k].id(node)); };
  return {{value(0, "y")}, value(0, "G"), {value(1, "x")}, value(1, "G"),
          {value(2, "x")}, value(2, "G"), {value(3, "x")}, value(3, "G")};
}

ExerciseInfo exercise_09_info() {
  std::vector<GradientSpec> grads;
  for (std::size_t k = 0; k < cases().size(); ++k)
    grads.push_back({std::string(cases()[k].name) + ".dx", static_cast<int>(k), "x", cases()[k].function});
  return {9,
          "activations",
          "activations: sigmoid, ReLU, leaky ReLU, GELU",
          "exercise_09_activations.cpp",
          {{"N", "batch size", 8, 1, 512}, {"D", "features", 16, 1, 512}},
          grads,
          [](std::uint64_t seed, const Sizes& sizes) {
            std::vector<Graph> out;
            for (const Case& c : cases()) out.push_back(problem(c, seed, sizes));
            return out;
          }};
}

}  // namespace bpdojo
