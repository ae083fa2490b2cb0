// Exercise 05: the problem, the lecture's batch norm step by step (Bessel's correction, n-1):
// hprebn (N,H), bngain, bnbias (1,H) -> bnmeani -> bndiff -> bndiff2 -> bnvar -> bnvar_inv -> bnraw
// -> hpreact -> L = sum(hpreact .* G).
#include "problems/exercise_05_batch_norm.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

// How each step depends on each input (Graph::Dep): the checker's finite differences recompute
// only the rows (examples) or columns (units) a perturbed element reaches.
constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear;

Graph problem(std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), H = sizes.at("H");
  Rng rng(seed);
  Graph g;
  // Each unit with its own mean and spread, as pre-activations of a real layer have.
  Rng rx = rng.fork("hprebn");
  const Matrix offset = rx.normal_matrix(1, H, 0.5);
  const Matrix spread = rx.uniform_matrix(1, H, 0.5, 2.0);
  const Matrix hprebn0 = (rx.normal_matrix(N, H).array().rowwise() * spread.row(0).array()).rowwise() + offset.row(0).array();
  const auto hprebn = g.leaf("hprebn", {{N, H}, hprebn0});
  const auto bngain = g.leaf("bngain", {{1, H}, (1.0 + rng.fork("bngain").normal_matrix(1, H, 0.1).array()).matrix()});
  const auto bnbias = g.leaf("bnbias", {{1, H}, rng.fork("bnbias").normal_matrix(1, H, 0.1)});
  const auto G = g.data("G", {{N, H}, rng.fork("G").normal_matrix(N, H)});
  const Real n = static_cast<Real>(N), eps = static_cast<Real>(kBatchNormEps);
  const auto bnmeani = g.step("bnmeani", {1, H}, {hprebn}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[hprebn].colwise().sum() / n;
  }, {K | L});
  const auto bndiff = g.step("bndiff", {N, H}, {hprebn, bnmeani}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[hprebn].rowwise() - v[bnmeani].row(0);
  }, {R | K | L, K | L});
  const auto bndiff2 = g.step("bndiff2", {N, H}, {bndiff}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[bndiff].array().square();
  }, {R | K});
  const auto bnvar = g.step("bnvar", {1, H}, {bndiff2}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[bndiff2].colwise().sum() / (n - 1);
  }, {K | L});
  const auto bnvar_inv = g.step("bnvar_inv", {1, H}, {bnvar}, [=](const Graph::Inputs& v) -> RMatrix {
    return (v[bnvar].array() + eps).rsqrt();
  }, {K});
  const auto bnraw = g.step("bnraw", {N, H}, {bndiff, bnvar_inv}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[bndiff].array().rowwise() * v[bnvar_inv].row(0).array();
  }, {R | K | L, K | L});
  const auto hpreact = g.step("hpreact", {N, H}, {bngain, bnraw, bnbias}, [=](const Graph::Inputs& v) -> RMatrix {
    return (v[bnraw].array().rowwise() * v[bngain].row(0).array()).rowwise() + v[bnbias].row(0).array();
  }, {K | L, R | K | L, K | L});
  add_upstream_loss(g, hpreact, G);
  g.forward();
  return g;
}

}  // namespace

BatchNormInstance exercise_05_instance(std::uint64_t seed, const Sizes& sizes) {
  const Graph g = problem(seed, sizes);
  auto val = [&](const char* name) { return g.value(g.id(name)); };
  return {{val("hprebn"), val("bngain"), val("bnbias"), val("bnmeani"), val("bndiff"), val("bndiff2"), val("bnvar"),
           val("bnvar_inv"), val("bnraw"), val("hpreact")},
          val("G")};
}

ExerciseInfo exercise_05_info() {
  const char* step = "batch_norm_backward";
  return {5,
          "batch_norm",
          "batch normalization",
          "exercise_05_batch_norm.cpp",
          {{"N", "batch size", 32, 2, 512}, {"H", "hidden units", 16, 1, 512}},
          {{"dbngain", 0, "bngain", step},
           {"dbnbias", 0, "bnbias", step},
           {"dbnraw", 0, "bnraw", step},
           {"dbnvar_inv", 0, "bnvar_inv", step},
           {"dbnvar", 0, "bnvar", step},
           {"dbndiff2", 0, "bndiff2", step},
           {"dbndiff", 0, "bndiff", step},
           {"dbnmeani", 0, "bnmeani", step},
           {"dhprebn", 0, "hprebn", step},
           {"dhprebn_fused", 0, "hprebn", "batch_norm_backward_fused"}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{problem(seed, sizes)}; }};
}

}  // namespace bpdojo
