#include "judge/finite_diff.hpp"

#include "bpdojo/exercise.hpp"
#include "bpdojo/rng.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("derivatives of functions with known derivatives, to about 1e-13 relative (long double)") {
  struct Case {
    const char* what;
    Real (*f)(Real);
    Real (*df)(Real);
    Real x;
  };
  const Case cases[] = {
      {"sin", [](Real x) { return std::sin(x); }, [](Real x) { return std::cos(x); }, 0.7L},
      {"exp at 5", [](Real x) { return std::exp(x); }, [](Real x) { return std::exp(x); }, 5.0L},
      {"cube at 0", [](Real x) { return x * x * x + 2 * x; }, [](Real x) { return 3 * x * x + 2; }, 0.0L},
      {"tanh", [](Real x) { return std::tanh(x); }, [](Real x) { return 1 - std::tanh(x) * std::tanh(x); }, -1.3L},
      {"log near its singularity", [](Real x) { return std::log(x); }, [](Real x) { return 1 / x; }, 3e-4L},
      {"1/x at 0.05", [](Real x) { return 1 / x; }, [](Real x) { return -1 / (x * x); }, 0.05L},
      {"large argument", [](Real x) { return std::sqrt(x); }, [](Real x) { return 0.5L / std::sqrt(x); }, 1e6L},
      {"x^-1/2 + 1e-5 (batch norm)", [](Real x) { return std::pow(x + 1e-5L, -0.5L); },
       [](Real x) { return -0.5L * std::pow(x + 1e-5L, -1.5L); }, 0.02L},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    // The scale a node would give: here the value itself, or 1 for zero.
    const Real scale = c.x != 0 ? std::abs(c.x) : 1.0L;
    const fd::Estimate e = fd::derivative(c.f, c.x, scale);
    const Real want = c.df(c.x);
    CAPTURE(static_cast<double>(std::abs(e.value - want) / std::max(1.0L, std::abs(want))));
    CHECK(e.converged);
    CHECK(std::abs(e.value - want) <= 1e-13L * std::max(1.0L, std::abs(want)));
  }
}

TEST_CASE("a step that would leave the domain is refined instead of returning NaN") {
  // log(x) at 1e-5 with a neighbourhood scale of 1: the first step (1e-3) crosses zero.
  const fd::Estimate e = fd::derivative([](Real x) { return std::log(x); }, 1e-5L, 1.0L);
  CHECK(std::isfinite(e.value));
  CHECK(static_cast<double>(e.value) == doctest::Approx(1e5).epsilon(1e-10));
}

TEST_CASE("the gradient of a graph node recomputes only what is downstream, and leaves the graph as it was") {
  Graph g;
  Rng rng(3);
  const auto a = g.leaf("a", {{2, 3}, rng.normal_matrix(2, 3)});
  const auto b = g.leaf("b", {{3, 2}, rng.normal_matrix(3, 2)});
  const auto c = g.step("c", {2, 2}, {a, b}, [=](const Graph::Inputs& v) { return RMatrix(v[a] * v[b]); });
  const auto L = g.step("L", {}, {c}, [=](const Graph::Inputs& v) {
    return RMatrix::Constant(1, 1, v[c].array().sin().sum());
  });
  g.set_loss(L);
  g.forward();
  const double before = g.loss();
  const RMatrix da = fd::gradient(g, a);
  const RMatrix dc = fd::gradient(g, c);
  CHECK(g.loss() == before);
  // By hand: dL/dc = cos(c), dL/da = cos(c) b^T.
  const RMatrix dc_true = g.exact(c).array().cos().matrix();
  const RMatrix da_true = dc_true * g.exact(b).transpose();
  CHECK((dc - dc_true).cwiseAbs().maxCoeff() < 1e-14L);
  CHECK((da - da_true).cwiseAbs().maxCoeff() < 1e-14L);
  CHECK(g.downstream(a) == std::vector<Graph::NodeId>{c, L});
  CHECK(g.consumers(b) == std::vector<Graph::NodeId>{c});
}

// kInner (graph.hpp): a product's operands, each perturbed on the row or column of the product its
// element reaches, against the global differences that ignore every flag; and misdeclared, refused.
TEST_CASE("a product declared on its inner dimension differences one row or column, exactly as globally") {
  Rng rng(11);
  Graph g;
  constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, I = Graph::kInner;
  const auto x = g.leaf("x", {{4, 3}, rng.normal_matrix(4, 3)});
  const auto W = g.leaf("W", {{3, 5}, rng.normal_matrix(3, 5)});
  const auto b = g.leaf("b", {{1, 5}, rng.normal_matrix(1, 5)});
  const auto y = g.step("y", {4, 5}, {x, W, b}, [=](const Graph::Inputs& v) -> RMatrix {
    return (v[x] * v[W]).rowwise() + v[b].row(0);
  }, {R | L | I, K | L | I, K | L});
  g.set_loss(g.step("loss", {}, {y}, [=](const Graph::Inputs& v) {
    return RMatrix::Constant(1, 1, v[y].array().tanh().square().sum());
  }));
  g.forward();
  const std::vector<fd::NodeGradient> chained = fd::backward(g);
  for (const auto node : {x, W, b}) {
    CAPTURE(g.name(node));
    const RMatrix global = fd::gradient(g, node);
    CHECK((chained[static_cast<std::size_t>(node)].value - global).cwiseAbs().maxCoeff() <= 1e-13L * global.cwiseAbs().maxCoeff());
  }
  const auto identity = [](const Graph::Inputs&) { return RMatrix(RMatrix::Zero(4, 5)); };
  CHECK_THROWS_AS(g.step("one", {4, 5}, {x, W, b}, identity, {R | L | I, K | L, K | L}), std::logic_error);
  CHECK_THROWS_AS(g.step("three", {4, 5}, {x, W, b}, identity, {R | L | I, K | L | I, K | L | I}), std::logic_error);
  CHECK_THROWS_AS(g.step("nonlinear", {4, 5}, {x, W, b}, identity, {R | I, K | L | I, K | L}), std::logic_error);
}

TEST_CASE("a stack names nodes of one shape, in order, as one tensor, and refuses anything else") {
  Graph g;
  const auto x = g.leaf("x", {{2, 3}, Matrix::Ones(2, 3)});
  const auto y = g.data("y", {{2, 3}, Matrix::Zero(2, 3)});
  auto twice = [](Graph::NodeId in) { return [in](const Graph::Inputs& v) { return RMatrix(2 * v[in]); }; };
  const auto h1 = g.step("h@1", {2, 3}, {x}, twice(x));
  const auto h2 = g.step("h@2", {2, 3}, {h1}, twice(h1));
  const auto odd = g.step("h@3", {3, 2}, {x}, [=](const Graph::Inputs& v) { return RMatrix(v[x].transpose()); });
  g.stack("h", {h1, h2});
  CHECK(g.is_stack("h"));
  CHECK_FALSE(g.is_stack("x"));
  CHECK(g.stack_members("h") == std::vector<Graph::NodeId>{h1, h2});
  CHECK(g.nodes_of("h") == std::vector<Graph::NodeId>{h1, h2});
  CHECK(g.nodes_of("x") == std::vector<Graph::NodeId>{x});
  CHECK(g.shape_of("h") == Shape{4, 3});
  CHECK(g.shape_of("h@1") == Shape{2, 3});
  CHECK_THROWS_AS(g.stack_members("x"), std::out_of_range);
  CHECK_THROWS_AS(g.stack("h", {h1, h2}), std::logic_error);     // the name is taken
  CHECK_THROWS_AS(g.stack("x", {h1}), std::logic_error);         // a node's name
  CHECK_THROWS_AS(g.stack("k", {}), std::logic_error);           // no members
  CHECK_THROWS_AS(g.stack("g", {h1, h2}), std::logic_error);     // members not named g@1, g@2
  Graph other;
  const auto a1 = other.leaf("a@1", {{2, 3}, Matrix::Ones(2, 3)});
  const auto a2 = other.leaf("a@2", {{2, 3}, Matrix::Ones(2, 3)});
  const auto b1 = other.leaf("b@1", {{2, 3}, Matrix::Ones(2, 3)});
  const auto b2 = other.leaf("b@2", {{3, 2}, Matrix::Ones(3, 2)});
  CHECK_THROWS_AS(other.stack("a", {a2, a1}), std::logic_error);  // out of order
  CHECK_THROWS_AS(other.stack("b", {b1, b2}), std::logic_error);  // two shapes
  other.stack("a", {a1, a2});
  CHECK(other.shape_of("a") == Shape{4, 3});
  (void)y, (void)odd;
}

TEST_CASE("a step that reads an undeclared node is refused") {
  Graph g;
  const auto a = g.leaf("a", Tensor::scalar(1.0));
  const auto b = g.leaf("b", Tensor::scalar(2.0));
  g.step("c", {}, {a}, [=](const Graph::Inputs& v) { return RMatrix(v[a] + v[b]); });
  CHECK_THROWS_AS(g.forward(), std::logic_error);
}

// Graph::LocalPerturbation changes a batch of elements at once (one evaluation of each consumer
// serves them all); each must get what it gets alone, and the batches must cover every element once.
void batches_as_alone(int number, const Sizes& sizes) {
  const ExerciseInfo& info = *find_exercise(number);
  CAPTURE(number);
  Rng rng(17);
  for (const Graph& g : info.problems(0, complete_sizes(info, sizes))) {
    for (Graph::NodeId k = 0; k < static_cast<Graph::NodeId>(g.size()); ++k) {
      if (k == g.loss_id() || g.is_data(k)) continue;
      CAPTURE(g.name(k));
      Graph::LocalPerturbation batched(g, k), alone(g, k);
      std::vector<RMatrix> weights, also;
      for (Graph::NodeId c : batched.consumers()) {
        weights.push_back(rng.normal_matrix(g.exact(c).rows(), g.exact(c).cols()).cast<Real>());
        also.push_back(weights.back().cwiseAbs() * 0.5L);
      }
      std::vector<int> seen(static_cast<std::size_t>(batched.size()), 0);
      for (const std::vector<std::int64_t>& batch : batched.batches()) {
        std::vector<Real> xs, hs, out, magnitude, terms, carried;
        for (std::int64_t e : batch) {
          ++seen[static_cast<std::size_t>(e)];
          xs.push_back(batched.base(e) * 1.001L + 0.01L * static_cast<Real>(e % 7 + 1));
          hs.push_back(1e-6L * static_cast<Real>(e % 5 + 1));
        }
        batched.weighted_with(batch, xs, weights, out, &magnitude);
        // The terms' sizes as the backward sweep takes them: absolute, and root-sum-square.
        batched.term_sizes(batch, hs, {{&weights, false, &terms}, {&also, true, &carried}});
        for (std::size_t i = 0; i < batch.size(); ++i) {
          CAPTURE(batch[i]);
          Real m1 = 0.0L;
          std::vector<Real> t1, c1;
          const Real v1 = alone.weighted_with(batch[i], xs[i], weights, &m1);
          alone.term_sizes({batch[i]}, {hs[i]}, {{&weights, false, &t1}, {&also, true, &c1}});
          // The same sums of the same terms, up to the rounding of a differently shaped evaluation.
          CHECK(std::abs(out[i] - v1) <= 1e-16L * m1 + 1e-300L);
          CHECK(std::abs(magnitude[i] - m1) <= 1e-16L * m1 + 1e-300L);
          CHECK(std::abs(terms[i] - t1[0]) <= 1e-9L * t1[0] + 1e-300L);
          CHECK(std::abs(carried[i] - c1[0]) <= 1e-9L * c1[0] + 1e-300L);
        }
      }
      CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    }
  }
}

TEST_CASE("a batch of elements changed at once gives each element what it gives alone") {
  for (const ExerciseInfo& info : all_exercises()) {
    batches_as_alone(info.number, {});
    if (std::any_of(info.sizes.begin(), info.sizes.end(), [](const auto& s) { return s.letter == "N"; }))
      batches_as_alone(info.number, {{"N", 3}});
  }
  // The batches are what makes a layer's size affordable: x W + b differences a column of x, and
  // a row of W, in one evaluation each.
  const Graph g = find_exercise(2)->problems(0, complete_sizes(*find_exercise(2), {{"N", 6}, {"D", 4}, {"H", 5}}))[0];
  CHECK(Graph::LocalPerturbation(g, g.id("x")).batches() ==
        std::vector<std::vector<std::int64_t>>{{0, 4, 8, 12, 16, 20}, {1, 5, 9, 13, 17, 21}, {2, 6, 10, 14, 18, 22},
                                               {3, 7, 11, 15, 19, 23}});
  CHECK(Graph::LocalPerturbation(g, g.id("W")).batches().size() == 4);
  CHECK(Graph::LocalPerturbation(g, g.id("W")).batches()[1] == std::vector<std::int64_t>{5, 6, 7, 8, 9});
}

// The checker takes every numeric gradient from fd::backward, which trusts each step's Dep flags
// (rows, columns, affine, sums) to recompute less. Global finite differences ignore the flags: a
// flag that does not hold shows here.
// Only the first `problems` problems of each instance (all by default).
void chained_equals_global(int number, const std::vector<Sizes>& shapes, std::size_t problems = SIZE_MAX) {
  const ExerciseInfo& info = *find_exercise(number);
  double worst = 0.0;
  for (const Sizes& sizes : shapes) {
    for (std::uint64_t seed : {0, 1}) {
      CAPTURE(number);
      CAPTURE(seed);
      auto graphs = info.problems(seed, complete_sizes(info, sizes));
      graphs.resize(std::min(graphs.size(), problems));
      for (const Graph& g : graphs) {
        const std::vector<fd::NodeGradient> chained = fd::backward(g);
        for (Graph::NodeId k = 0; k < static_cast<Graph::NodeId>(g.size()); ++k) {
          if (k == g.loss_id() || g.is_data(k)) continue;  // no gradient asked
          CAPTURE(g.name(k));
          const RMatrix global = fd::gradient(g, k);
          const Real scale = std::max(1e-3L, global.cwiseAbs().maxCoeff());
          const double err =
              static_cast<double>((chained[static_cast<std::size_t>(k)].value - global).cwiseAbs().maxCoeff() / scale);
          CHECK(err < 1e-11);
          worst = std::max(worst, err);
          // The terms summed into a gradient are at least as large as the gradient.
          CHECK(chained[static_cast<std::size_t>(k)].terms >= 0.999L * global.cwiseAbs().maxCoeff());
        }
      }
    }
  }
  MESSAGE("exercise " << number << ": chained against global finite differences, worst " << worst);
}

TEST_CASE("every node's chained numeric gradient equals the global one: the layers") {
  chained_equals_global(1, {Sizes{}});
  for (int number : {2, 3, 4, 5, 9, 10, 12}) chained_equals_global(number, {Sizes{}, Sizes{{"N", 3}}});
  // The RNN: each step of the recurrence, its detached copies and the masked loss of every name.
  // Its gradient-flow problems (4 and 5) are problem 0's graph at fixed sizes (H = 32, 16 steps):
  // the same flags, a chaotic recurrence with the large Whh (over 16 steps global differences no
  // longer resolve 1e-11), and minutes of global differences; problems 0 to 3 only.
  chained_equals_global(13, {Sizes{{"N", 3}, {"H", 5}}, Sizes{{"N", 2}, {"H", 3}, {"K", 2}}}, 4);
  // Attention: one sequence's nodes per b, row flags within it, the causal mask as data read
  // element for element.
  chained_equals_global(14, {Sizes{{"B", 2}, {"T", 4}, {"H", 2}, {"D", 3}}, Sizes{{"B", 1}, {"T", 3}, {"H", 3}, {"D", 2}}});
  // The autograd engine: each operation alone, the expressions, the shallowest chain.
  chained_equals_global(16, {Sizes{{"D", 100000}}, Sizes{{"K", 1}, {"E", 8}, {"D", 100000}}});
}

TEST_CASE("every node's chained numeric gradient equals the global one: the whole network") {
  for (int number : {6, 7}) chained_equals_global(number, {Sizes{{"N", 8}, {"H", 16}}, Sizes{{"N", 3}, {"H", 5}}});
}

// A fused step's numeric reference comes from its reference twin, the same function in smaller
// steps (Graph::set_reference_twin): the same gradients, and the terms the smaller steps sum.
TEST_CASE("a graph with a reference twin takes its numeric gradients and terms from the twin") {
  const Tensor x0{{1, 3}, (Matrix(1, 3) << 0.5, -1.25, 2.0).finished()};
  // loss = sum(x - mean(x))^2, fused; and in steps (mean, diff, square, sum).
  auto fused = [&](const Tensor& x) {
    Graph g;
    const auto x_id = g.leaf("x", x);
    g.set_loss(g.step("loss", {}, {x_id}, [=](const Graph::Inputs& v) -> RMatrix {
      return RMatrix::Constant(1, 1, (v[x_id].array() - v[x_id].mean()).square().sum());
    }));
    g.forward();
    return g;
  };
  auto steps = [&](const Tensor& x, const std::string& loss_name) {
    Graph g;
    const auto x_id = g.leaf("x", x);
    const auto mean = g.step("mean", {1, 1}, {x_id}, [=](const Graph::Inputs& v) -> RMatrix {
      return RMatrix::Constant(1, 1, v[x_id].mean());
    });
    const auto diff = g.step("diff", {1, 3}, {x_id, mean}, [=](const Graph::Inputs& v) -> RMatrix {
      return v[x_id].array() - v[mean](0, 0);
    });
    g.set_loss(g.step(loss_name, {}, {diff}, [=](const Graph::Inputs& v) -> RMatrix {
      return RMatrix::Constant(1, 1, v[diff].squaredNorm());
    }));
    g.forward();
    return g;
  };
  Graph g = fused(x0);
  const std::vector<fd::NodeGradient> alone = fd::backward(g);
  g.set_reference_twin(steps(x0, "loss"));
  REQUIRE(g.reference_twin() != nullptr);
  const std::vector<fd::NodeGradient> chained = fd::backward(g), twin = fd::backward(*g.reference_twin());
  REQUIRE(chained.size() == g.size());
  const auto x = static_cast<std::size_t>(g.id("x"));
  // d/dx = 2 (x - mean(x)): mean 0.4166..., so (0.1667, -3.3333, 3.1667).
  const RMatrix want = 2.0L * (x0.value.cast<Real>().array() - x0.value.cast<Real>().mean()).matrix();
  CHECK((chained[x].value - want).cwiseAbs().maxCoeff() < 1e-12L);
  CHECK((chained[x].value - twin[static_cast<std::size_t>(g.reference_twin()->id("x"))].value).cwiseAbs().maxCoeff() == 0.0L);
  CHECK(chained[x].terms == twin[static_cast<std::size_t>(g.reference_twin()->id("x"))].terms);
  // The steps show terms the fused step hides. Fused, x_i's terms are the loss's |2 diff_i|. In
  // steps, the mean's gradient -sum_j 2 diff_j cancels to 0 while its terms are sum_j |2 diff_j|
  // (the sum it adds up), and x_i receives those, divided by 3, beside diff_i's |2 diff_i|, as
  // independent errors: sqrt((2 diff_i)^2 + (sum_j |2 diff_j| / 3)^2).
  const RArray diff2 = 2.0L * (x0.value.cast<Real>().array() - x0.value.cast<Real>().mean());
  for (Index i = 0; i < 3; ++i) {
    CAPTURE(i);
    const Real expected = std::sqrt(diff2(0, i) * diff2(0, i) + std::pow(diff2.abs().sum() / 3.0L, 2.0L));
    CHECK(std::abs(chained[x].element_terms(0, i) - expected) <= 1e-6L * expected);
    CHECK(std::abs(alone[x].element_terms(0, i) - std::abs(diff2(0, i))) <= 1e-6L * std::abs(diff2(0, i)));
  }
  CHECK(chained[x].terms > 1.15L * alone[x].terms);
  // A twin must be the same function of the same leaves.
  Graph other = fused(x0);
  CHECK_THROWS_AS(other.set_reference_twin(steps(x0, "L")), std::logic_error);
  CHECK_THROWS_AS(other.set_reference_twin(steps({{1, 3}, (Matrix(1, 3) << 0.5, -1.25, 2.5).finished()}, "loss")),
                  std::logic_error);
  CHECK_THROWS_AS(other.set_reference_twin(fused({{1, 2}, (Matrix(1, 2) << 0.5, -1.25).finished()})), std::logic_error);
  CHECK(other.reference_twin() == nullptr);
}

TEST_CASE("a local gradient with a wrong upstream gradient is wrong by exactly that line's share") {
  // probs = counts * counts_sum_inv: with dprobs doubled, the local dcounts_sum_inv doubles.
  const ExerciseInfo& info = *find_exercise(4);
  const auto problems = info.problems(3, complete_sizes(info, {}));
  const Graph& g = problems[0];
  const std::vector<fd::NodeGradient> truth = fd::backward(g);
  const auto csi = g.id("counts_sum_inv");
  REQUIRE(g.consumers(csi) == std::vector<Graph::NodeId>{g.id("probs")});
  const RMatrix dprobs = truth[static_cast<std::size_t>(g.id("probs"))].value;
  const RMatrix right = fd::local_gradient(g, csi, {dprobs}).value;
  const RMatrix doubled = fd::local_gradient(g, csi, {RMatrix(2.0L * dprobs)}).value;
  CHECK((doubled - 2.0L * right).cwiseAbs().maxCoeff() < 1e-12L * right.cwiseAbs().maxCoeff());
  CHECK_THROWS_AS(fd::local_gradient(g, csi, {}), std::invalid_argument);
}

TEST_SUITE_END();
