// Exercise 12: the problem, GPT-2's layer norm step by step (the biased variance, 1/C), each row
// normalized over its features: x (N,C), w, b (1,C) -> mean -> xmu -> var -> rstd -> norm -> out
// -> L = sum(out .* G).
#include "problems/exercise_12_layer_norm.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

// How each step depends on each input (Graph::Dep): every statistic is a row's own, so a perturbed
// element reaches its row alone; w and b reach their column.
constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear;

Graph problem(std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), C = sizes.at("C");
  Rng rng(seed);
  Graph g;
  // Each row with its own mean and spread, as the residual stream of a transformer has.
  Rng rx = rng.fork("x");
  const Matrix offset = rx.normal_matrix(N, 1, 0.5);
  const Matrix spread = rx.uniform_matrix(N, 1, 0.5, 2.0);
  const Matrix x0 = (rx.normal_matrix(N, C).array().colwise() * spread.col(0).array()).colwise() + offset.col(0).array();
  const auto x = g.leaf("x", {{N, C}, x0});
  const auto w = g.leaf("w", {{1, C}, (1.0 + rng.fork("w").normal_matrix(1, C, 0.1).array()).matrix()});
  const auto b = g.leaf("b", {{1, C}, rng.fork("b").normal_matrix(1, C, 0.1)});
  const auto G = g.data("G", {{N, C}, rng.fork("G").normal_matrix(N, C)});
  const Real c = static_cast<Real>(C), eps = static_cast<Real>(kLayerNormEps);
  const auto mean = g.step("mean", {N, 1}, {x}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[x].rowwise().sum() / c;
  }, {R | L});
  const auto xmu = g.step("xmu", {N, C}, {x, mean}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[x].colwise() - v[mean].col(0);
  }, {R | K | L, R | L});
  const auto var = g.step("var", {N, 1}, {xmu}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[xmu].array().square().rowwise().sum() / c;
  }, {R});
  const auto rstd = g.step("rstd", {N, 1}, {var}, [=](const Graph::Inputs& v) -> RMatrix {
    return (v[var].array() + eps).rsqrt();
  }, {R | K});
  const auto norm = g.step("norm", {N, C}, {xmu, rstd}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[xmu].array().colwise() * v[rstd].col(0).array();
  }, {R | K | L, R | L});
  const auto out = g.step("out", {N, C}, {w, norm, b}, [=](const Graph::Inputs& v) -> RMatrix {
    return (v[norm].array().rowwise() * v[w].row(0).array()).rowwise() + v[b].row(0).array();
  }, {K | L, R | K | L, K | L});
  add_upstream_loss(g, out, G);
  g.forward();
  return g;
}

}  // namespace

LayerNormInstance exercise_12_instance(std::uint64_t seed, const Sizes& sizes) {
  const Graph g = problem(seed, sizes);
  auto val = [&](const char* name) { return g.value(g.id(name)); };
  return {{val("x"), val("w"), val("b"), val("mean"), val("xmu"), val("var"), val("rstd"), val("norm"), val("out")}, val("G")};
}

ExerciseInfo exercise_12_info() {
  const char* step = "layer_norm_backward";
  return {12,
          "layer_norm",
          "layer normalization",
          "exercise_12_layer_norm.cpp",
          {{"N", "rows (examples or positions)", 8, 1, 512}, {"C", "features", 16, 2, 512}},
          {{"dw", 0, "w", step},
           {"db", 0, "b", step},
           {"dnorm", 0, "norm", step},
           {"drstd", 0, "rstd", step},
           {"dvar", 0, "var", step},
           {"dxmu", 0, "xmu", step},
           {"dmean", 0, "mean", step},
           {"dx", 0, "x", step},
           {"dx_fused", 0, "x", "layer_norm_backward_fused"}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{problem(seed, sizes)}; }};
}

}  // namespace bpdojo
