// Exercise 04: the problem, the lecture's forward pass step by step:
// logits (N,V), Y -> logit_maxes -> norm_logits -> counts -> counts_sum -> counts_sum_inv -> probs
// -> logprobs -> loss = -mean_n logprobs[n][Y[n]].
#include "problems/exercise_04_cross_entropy.hpp"
#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

// How each step depends on each input (Graph::Dep): the checker's finite differences recompute
// only the rows (examples) or columns (classes) a perturbed element reaches.
constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum;

struct Problem {
  Graph graph;
  Labels Y;
};

Problem problem(std::uint64_t seed, const Sizes& sizes) {
  const Index N = sizes.at("N"), V = sizes.at("V");
  Rng rng(seed);
  Problem p;
  Rng ry = rng.fork("Y");
  for (Index n = 0; n < N; ++n) p.Y.push_back(static_cast<int>(ry.below(static_cast<std::uint64_t>(V))));
  Graph& g = p.graph;
  // The labels are a leaf too (data, never perturbed), so a dump of the instance holds them.
  Matrix y(N, 1);
  for (Index n = 0; n < N; ++n) y(n, 0) = p.Y[static_cast<std::size_t>(n)];
  const auto Y = g.data("Y", {{N, 1}, y});
  // Scaled so the softmax is far from uniform and the labels' probabilities vary.
  const auto logits = g.leaf("logits", {{N, V}, rng.fork("logits").normal_matrix(N, V, 1.5)});
  const auto logit_maxes = g.step("logit_maxes", {N, 1}, {logits}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[logits].rowwise().maxCoeff();
  }, {R});
  const auto norm_logits = g.step("norm_logits", {N, V}, {logits, logit_maxes}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[logits].colwise() - v[logit_maxes].col(0);
  }, {R | K | L, R | L});
  const auto counts = g.step("counts", {N, V}, {norm_logits}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[norm_logits].array().exp();
  }, {R | K});
  const auto counts_sum = g.step("counts_sum", {N, 1}, {counts}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[counts].rowwise().sum();
  }, {R | L});
  const auto counts_sum_inv = g.step("counts_sum_inv", {N, 1}, {counts_sum}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[counts_sum].array().inverse();
  }, {R | K});
  const auto probs = g.step("probs", {N, V}, {counts, counts_sum_inv}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[counts].array().colwise() * v[counts_sum_inv].col(0).array();
  }, {R | K | L, R | L});
  const auto logprobs = g.step("logprobs", {N, V}, {probs}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[probs].array().log();
  }, {R | K});
  // A sum over the rows (kSum): called on some rows, it returns their share of the mean.
  const Real n = static_cast<Real>(N);
  const auto loss = g.step("loss", {}, {logprobs, Y}, [=](const Graph::Inputs& v) {
    Real sum = 0.0L;
    for (Index r = 0; r < v[logprobs].rows(); ++r) sum += v[logprobs](r, static_cast<Index>(v[Y](r, 0)));
    return RMatrix::Constant(1, 1, -sum / n);
  }, {S | R | L, S | R});
  g.set_loss(loss);
  g.forward();
  return p;
}

}  // namespace

CrossEntropyCache exercise_04_instance(std::uint64_t seed, const Sizes& sizes) {
  const Problem p = problem(seed, sizes);
  const Graph& g = p.graph;
  auto val = [&](const char* name) { return g.value(g.id(name)); };
  return {val("logits"), p.Y,     val("logit_maxes"), val("norm_logits"), val("counts"), val("counts_sum"),
          val("counts_sum_inv"), val("probs"), val("logprobs"), g.loss()};
}

ExerciseInfo exercise_04_info() {
  const char* step = "cross_entropy_backward";
  return {4,
          "cross_entropy",
          "softmax cross-entropy",
          "exercise_04_cross_entropy.cpp",
          {{"N", "batch size", 32, 1, 512}, {"V", "classes", 27, 2, 512}},
          {{"dlogprobs", 0, "logprobs", step},
           {"dprobs", 0, "probs", step},
           {"dcounts_sum_inv", 0, "counts_sum_inv", step},
           {"dcounts_sum", 0, "counts_sum", step},
           {"dcounts", 0, "counts", step},
           {"dnorm_logits", 0, "norm_logits", step},
           {"dlogit_maxes", 0, "logit_maxes", step},
           {"dlogits", 0, "logits", step},
           {"dlogits_fused", 0, "logits", "cross_entropy_backward_fused"}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{problem(seed, sizes).graph}; }};
}

}  // namespace bpdojo
