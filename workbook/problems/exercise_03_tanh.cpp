// Exercise 03: the problem. x (N,H) -> h = tanh(x) -> L = sum(h .* G).
#include "problems/exercise_03_tanh.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

Graph problem(std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), H = sizes.at("H");
  Rng rng(seed);
  Graph g;
  // Spread over (-2.5, 2.5) so tanh' ranges from about 0.03 to 1.
  const auto x = g.leaf("x", {{N, H}, rng.fork("x").uniform_matrix(N, H, -2.5, 2.5)});
  const auto G = g.data("G", {{N, H}, rng.fork("G").normal_matrix(N, H)});
  const auto h = g.step("h", {N, H}, {x}, [=](const Graph::Inputs& v) -> RMatrix { return v[x].array().tanh(); },
                        {Graph::kRows | Graph::kCols});
  add_upstream_loss(g, h, G);
  g.forward();
  return g;
}

}  // namespace

TanhInstance exercise_03_instance(std::uint64_t seed, const Sizes& sizes) {
  const Graph g = problem(seed, sizes);
  return {g.value(g.id("x")), {g.value(g.id("h"))}, g.value(g.id("G"))};
}

ExerciseInfo exercise_03_info() {
  return {3,
          "tanh",
          "tanh",
          "exercise_03_tanh.cpp",
          {{"N", "batch size", 8, 1, 512}, {"H", "hidden units", 16, 1, 512}},
          {{"dx", 0, "x", "tanh_backward"}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{problem(seed, sizes)}; }};
}

}  // namespace bpdojo
