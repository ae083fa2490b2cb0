// Exercise 10: the problems. x (N,D), W (D,D), b (1,D) -> a = tanh(x W + b) -> y = a (plain) or
// y = x + a (residual) -> L = sum(y .* G). One graph per block, each with its own draws.
#include "problems/exercise_10_residual.hpp"
#include "bpdojo/rng.hpp"

#include <cmath>

namespace bpdojo {
namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, I = Graph::kInner;

// W ~ N(0, 1/D) (Xavier's variance for tanh), b ~ N(0, 0.1^2), x ~ N(0, 1): the branch's
// pre-activations spread over about (-2, 2), so tanh is neither flat nor linear.
Graph problem(bool residual, std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), D = sizes.at("D");
  const Rng rng = Rng(seed).fork(residual ? "residual" : "plain");
  Graph g;
  const auto x = g.leaf("x", {{N, D}, rng.fork("x").normal_matrix(N, D)});
  const auto W = g.leaf("W", {{D, D}, rng.fork("W").normal_matrix(D, D, 1.0 / std::sqrt(static_cast<double>(D)))});
  const auto b = g.leaf("b", {{1, D}, rng.fork("b").normal_matrix(1, D, 0.1)});
  const auto G = g.data("G", {{N, D}, rng.fork("G").normal_matrix(N, D)});
  const auto z = g.step("z", {N, D}, {x, W, b}, [=](const Graph::Inputs& v) -> RMatrix {
    return linear_step(v[x], v[W], v[b]);
  }, {R | L | I, K | L | I, K | L});
  const auto a = g.step("a", {N, D}, {z}, [=](const Graph::Inputs& v) -> RMatrix { return v[z].array().tanh(); }, {R | K});
  auto y = a;
  if (residual)
    y = g.step("y", {N, D}, {x, a}, [=](const Graph::Inputs& v) -> RMatrix { return v[x] + v[a]; }, {R | K | L, R | K | L});
  add_upstream_loss(g, y, G);
  g.forward();
  return g;
}

BlockCache cache_of(const Graph& g) {
  return {g.value(g.id("x")), g.value(g.id("W")), g.value(g.id("b")), g.value(g.id("a"))};
}

}  // namespace

ResidualInstance exercise_10_instance(std::uint64_t seed, const Sizes& sizes) {
  const Graph plain = problem(false, seed, sizes), residual = problem(true, seed, sizes);
  return {cache_of(plain), plain.value(plain.id("G")), cache_of(residual), residual.value(residual.id("G"))};
}

ExerciseInfo exercise_10_info() {
  return {10,
          "residual",
          "a residual block beside a plain one",
          "exercise_10_residual.cpp",
          {{"N", "batch size", 8, 1, 512}, {"D", "features", 16, 1, 256}},
          {{"plain.dx", 0, "x", "plain_block_backward"},
           {"plain.dW", 0, "W", "plain_block_backward"},
           {"plain.db", 0, "b", "plain_block_backward"},
           {"residual.dx", 1, "x", "residual_block_backward"},
           {"residual.dW", 1, "W", "residual_block_backward"},
           {"residual.db", 1, "b", "residual_block_backward"}},
          [](std::uint64_t seed, const Sizes& sizes) {
            return std::vector<Graph>{problem(false, seed, sizes), problem(true, seed, sizes)};
          }};
}

}  // namespace bpdojo
