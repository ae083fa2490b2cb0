// Exercise 02: the problem. x (N,D), W (D,H), b (1,H) -> y = x W + b -> L = sum(y .* G).
#include "problems/exercise_02_linear.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

Graph problem(std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), D = sizes.at("D"), H = sizes.at("H");
  Rng rng(seed);
  Graph g;
  const auto x = g.leaf("x", {{N, D}, rng.fork("x").normal_matrix(N, D)});
  const auto W = g.leaf("W", {{D, H}, rng.fork("W").normal_matrix(D, H, 0.5)});
  const auto b = g.leaf("b", {{1, H}, rng.fork("b").normal_matrix(1, H, 0.5)});
  const auto G = g.data("G", {{N, H}, rng.fork("G").normal_matrix(N, H)});
  const auto y = g.step("y", {N, H}, {x, W, b}, [=](const Graph::Inputs& v) -> RMatrix {
    return linear_step(v[x], v[W], v[b]);
  }, {Graph::kRows | Graph::kLinear | Graph::kInner, Graph::kCols | Graph::kLinear | Graph::kInner,
      Graph::kCols | Graph::kLinear});
  add_upstream_loss(g, y, G);
  g.forward();
  return g;
}

}  // namespace

LinearInstance exercise_02_instance(std::uint64_t seed, const Sizes& sizes) {
  const Graph g = problem(seed, sizes);
  return {{g.value(g.id("x")), g.value(g.id("W"))}, g.value(g.id("b")), g.value(g.id("G"))};
}

ExerciseInfo exercise_02_info() {
  return {2,
          "linear",
          "linear layer",
          "exercise_02_linear.cpp",
          {{"N", "batch size", 8, 1, 512}, {"D", "input features", 5, 1, 512}, {"H", "outputs", 4, 1, 512}},
          {{"dx", 0, "x", "linear_backward"}, {"dW", 0, "W", "linear_backward"}, {"db", 0, "b", "linear_backward"}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{problem(seed, sizes)}; }};
}

}  // namespace bpdojo
