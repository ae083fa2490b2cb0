#include "judge/finite_diff.hpp"

#include "bpdojo/exercise.hpp"
#include "bpdojo/rng.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("derivatives of functions with known derivatives, to about 1e-10 relative") {
  struct Case {
    const char* what;
    double (*f)(double);
    double (*df)(double);
    double x;
  };
  const Case cases[] = {
      {"sin", [](double x) { return std::sin(x); }, [](double x) { return std::cos(x); }, 0.7},
      {"exp at 5", [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, 5.0},
      {"cube at 0", [](double x) { return x * x * x + 2 * x; }, [](double x) { return 3 * x * x + 2; }, 0.0},
      {"tanh", [](double x) { return std::tanh(x); }, [](double x) { return 1 - std::tanh(x) * std::tanh(x); }, -1.3},
      {"log near its singularity", [](double x) { return std::log(x); }, [](double x) { return 1 / x; }, 3e-4},
      {"1/x at 0.05", [](double x) { return 1 / x; }, [](double x) { return -1 / (x * x); }, 0.05},
      {"large argument", [](double x) { return std::sqrt(x); }, [](double x) { return 0.5 / std::sqrt(x); }, 1e6},
      {"x^-1/2 + 1e-5 (batch norm)", [](double x) { return std::pow(x + 1e-5, -0.5); },
       [](double x) { return -0.5 * std::pow(x + 1e-5, -1.5); }, 0.02},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    // The scale a node would give: here the value itself, or 1 for zero.
    const double scale = c.x != 0 ? std::abs(c.x) : 1.0;
    const fd::Estimate e = fd::derivative(c.f, c.x, scale);
    CHECK(e.converged);
    CHECK(std::abs(e.value - c.df(c.x)) <= 1e-10 * std::max(1.0, std::abs(c.df(c.x))));
  }
}

TEST_CASE("a step that would leave the domain is refined instead of returning NaN") {
  // log(x) at 1e-5 with a neighbourhood scale of 1: the first step (1e-3) crosses zero.
  const fd::Estimate e = fd::derivative([](double x) { return std::log(x); }, 1e-5, 1.0);
  CHECK(std::isfinite(e.value));
  CHECK(e.value == doctest::Approx(1e5).epsilon(1e-8));
}

TEST_CASE("the gradient of a graph node recomputes only what is downstream, and leaves the graph as it was") {
  Graph g;
  Rng rng(3);
  const auto a = g.leaf("a", {{2, 3}, rng.normal_matrix(2, 3)});
  const auto b = g.leaf("b", {{3, 2}, rng.normal_matrix(3, 2)});
  const auto c = g.step("c", {2, 2}, {a, b}, [=](const Graph::Inputs& v) { return Matrix(v[a] * v[b]); });
  const auto L = g.step("L", {}, {c}, [=](const Graph::Inputs& v) {
    return Matrix::Constant(1, 1, v[c].array().sin().sum());
  });
  g.set_loss(L);
  g.forward();
  const double before = g.loss();
  const Tensor da = fd::gradient(g, a);
  const Tensor dc = fd::gradient(g, c);
  CHECK(g.loss() == before);
  // By hand: dL/dc = cos(c), dL/da = cos(c) b^T.
  const Matrix dc_true = g.value(c).array().cos().matrix();
  const Matrix da_true = dc_true * g.value(b).transpose();
  CHECK((dc.value - dc_true).cwiseAbs().maxCoeff() < 1e-11);
  CHECK((da.value - da_true).cwiseAbs().maxCoeff() < 1e-11);
  CHECK(g.downstream(a) == std::vector<Graph::NodeId>{c, L});
  CHECK(g.consumers(b) == std::vector<Graph::NodeId>{c});
}

TEST_CASE("a step that reads an undeclared node is refused") {
  Graph g;
  const auto a = g.leaf("a", Tensor::scalar(1.0));
  const auto b = g.leaf("b", Tensor::scalar(2.0));
  g.step("c", {}, {a}, [=](const Graph::Inputs& v) { return Matrix(v[a] + v[b]); });
  CHECK_THROWS_AS(g.forward(), std::logic_error);
}

TEST_CASE("numeric backward, one step at a time, agrees with finite differences of the loss on every node") {
  // Exercises 04 and 05: every node's gradient from local steps against the global one.
  for (int number : {4, 5}) {
    const ExerciseInfo& info = *find_exercise(number);
    for (std::uint64_t seed : {0, 1}) {
      CAPTURE(number);
      CAPTURE(seed);
      const auto problems = info.problems(seed, complete_sizes(info, {}));
      const Graph& g = problems[0];
      const std::vector<Tensor> local = fd::backward(g);
      for (Graph::NodeId k = 0; k < static_cast<Graph::NodeId>(g.size()); ++k) {
        if (k == g.loss_id() || g.name(k) == "G" || g.name(k) == "Y") continue;  // data: no gradient asked
        CAPTURE(g.name(k));
        const Tensor global = fd::gradient(g, k);
        const double scale = std::max(1e-3, global.value.cwiseAbs().maxCoeff());
        CHECK((local[static_cast<std::size_t>(k)].value - global.value).cwiseAbs().maxCoeff() / scale < 1e-8);
      }
    }
  }
}

// Exercises 06 and 07 take their numeric gradients from fd::backward, which trusts each step's
// Dep flags (rows, columns, affine) to recompute less. Global finite differences ignore the flags:
// a flag that does not hold shows here.
TEST_CASE("the whole network: every node's chained numeric gradient equals the global one") {
  for (int number : {6, 7}) {
    const ExerciseInfo& info = *find_exercise(number);
    for (const Sizes& sizes : {Sizes{{"N", 8}, {"H", 16}}, Sizes{{"N", 3}, {"H", 5}}}) {
      for (std::uint64_t seed : {0, 1}) {
        CAPTURE(number);
        CAPTURE(seed);
        const auto problems = info.problems(seed, complete_sizes(info, sizes));
        const Graph& g = problems[0];
        const std::vector<Tensor> chained = fd::backward(g);
        double worst = 0.0;
        for (Graph::NodeId k = 0; k < static_cast<Graph::NodeId>(g.size()); ++k) {
          if (k == g.loss_id() || g.is_data(k)) continue;
          CAPTURE(g.name(k));
          const Tensor global = fd::gradient(g, k);
          const double scale = std::max(1e-3, global.value.cwiseAbs().maxCoeff());
          const double err = (chained[static_cast<std::size_t>(k)].value - global.value).cwiseAbs().maxCoeff() / scale;
          CHECK(err < 1e-8);
          worst = std::max(worst, err);
        }
        MESSAGE("exercise " << number << " seed " << seed << ": chained vs global, worst " << worst);
      }
    }
  }
}

TEST_CASE("a local gradient with a wrong upstream gradient is wrong by exactly that line's share") {
  // probs = counts * counts_sum_inv: with dprobs doubled, the local dcounts_sum_inv doubles.
  const ExerciseInfo& info = *find_exercise(4);
  const auto problems = info.problems(3, complete_sizes(info, {}));
  const Graph& g = problems[0];
  const std::vector<Tensor> truth = fd::backward(g);
  const auto csi = g.id("counts_sum_inv");
  REQUIRE(g.consumers(csi) == std::vector<Graph::NodeId>{g.id("probs")});
  const Tensor right = fd::local_gradient(g, csi, {truth[static_cast<std::size_t>(g.id("probs"))].value});
  const Tensor doubled = fd::local_gradient(g, csi, {2.0 * truth[static_cast<std::size_t>(g.id("probs"))].value});
  CHECK((doubled.value - 2.0 * right.value).cwiseAbs().maxCoeff() < 1e-9 * right.value.cwiseAbs().maxCoeff());
  CHECK_THROWS_AS(fd::local_gradient(g, csi, {}), std::invalid_argument);
}

TEST_SUITE_END();
