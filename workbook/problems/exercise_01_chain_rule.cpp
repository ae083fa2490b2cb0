// Exercise 01: three problems on scalars. Seed 0 holds the worked examples.
#include "problems/exercise_01_chain_rule.hpp"
#include "bpdojo/rng.hpp"

#include <array>
#include <cmath>
#include <string>

namespace bpdojo {
namespace {

using Id = Graph::NodeId;
RMatrix scalar(Real v) { return RMatrix::Constant(1, 1, v); }
Real s(const Graph::Inputs& v, Id id) { return v[id](0, 0); }
Real logistic(Real z) { return 1.0L / (1.0L + std::exp(-z)); }

// (a) L = (w x - y)^2
Graph problem_a(std::uint64_t seed) {
  double w = 2, x = 3, y = 10;
  if (seed != kDefaultSeed) {
    Rng r = Rng(seed).fork("a");
    w = r.uniform(-3, 3), x = r.uniform(-3, 3), y = r.uniform(-10, 10);
  }
  Graph g;
  const Id W = g.leaf("w", Tensor::scalar(w)), X = g.leaf("x", Tensor::scalar(x)), Y = g.leaf("y", Tensor::scalar(y));
  const Id wx = g.step("wx", {}, {W, X}, [=](const Graph::Inputs& v) { return scalar(s(v, W) * s(v, X)); });
  const Id diff = g.step("diff", {}, {wx, Y}, [=](const Graph::Inputs& v) { return scalar(s(v, wx) - s(v, Y)); });
  const Id L = g.step("L", {}, {diff}, [=](const Graph::Inputs& v) { return scalar(s(v, diff) * s(v, diff)); });
  g.set_loss(L);
  g.forward();
  return g;
}

// (b) 2-2-1 sigmoid network, binary cross-entropy.
Graph problem_b(std::uint64_t seed) {
  Matrix x(1, 2), W1(2, 2), b1(1, 2), W2(1, 2);
  double y = 1, b2 = 0.1;
  x << 0.5, 0.3;
  W1 << 0.1, 0.3, 0.2, 0.4;
  b1 << 0.1, 0.2;
  W2 << 0.5, 0.6;
  if (seed != kDefaultSeed) {
    Rng r = Rng(seed).fork("b");
    x = r.uniform_matrix(1, 2, -1, 1), W1 = r.uniform_matrix(2, 2, -1, 1), b1 = r.uniform_matrix(1, 2, -1, 1);
    W2 = r.uniform_matrix(1, 2, -1, 1), b2 = r.uniform(-1, 1), y = static_cast<double>(r.below(2));
  }
  Graph g;
  const Id X = g.leaf("x", {{1, 2}, x}), Y = g.leaf("y", Tensor::scalar(y));
  const Id w1 = g.leaf("W1", {{2, 2}, W1}), c1 = g.leaf("b1", {{1, 2}, b1});
  const Id w2 = g.leaf("W2", {{1, 2}, W2}), c2 = g.leaf("b2", Tensor::scalar(b2));
  const Id z1 = g.step("z1", {1, 2}, {X, w1, c1}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[X] * v[w1].transpose() + v[c1];
  });
  const Id a1 = g.step("a1", {1, 2}, {z1}, [=](const Graph::Inputs& v) -> RMatrix {
    return v[z1].unaryExpr([](Real z) { return logistic(z); });
  });
  const Id z2 = g.step("z2", {}, {a1, w2, c2}, [=](const Graph::Inputs& v) {
    return scalar(v[a1].row(0).dot(v[w2].row(0)) + s(v, c2));
  });
  const Id yhat = g.step("yhat", {}, {z2}, [=](const Graph::Inputs& v) { return scalar(logistic(s(v, z2))); });
  const Id L = g.step("L", {}, {yhat, Y}, [=](const Graph::Inputs& v) {
    const Real p = s(v, yhat), t = s(v, Y);
    return scalar(-(t * std::log(p) + (1 - t) * std::log(1 - p)));
  });
  g.set_loss(L);
  g.forward();
  return g;
}

// (c) the classic 2-2-2 network, squared error, shared biases.
Graph problem_c(std::uint64_t seed) {
  std::array<double, 4> in = {0.05, 0.10, 0.01, 0.99};  // i1 i2 t1 t2
  std::array<double, 10> p = {0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, 0.35, 0.60};  // w1..w8 b1 b2
  if (seed != kDefaultSeed) {
    Rng r = Rng(seed).fork("c");
    for (double& v : in) v = r.uniform(0, 1);
    for (double& v : p) v = r.uniform(-1, 1);
  }
  Graph g;
  const Id i1 = g.leaf("i1", Tensor::scalar(in[0])), i2 = g.leaf("i2", Tensor::scalar(in[1]));
  const Id t1 = g.leaf("t1", Tensor::scalar(in[2])), t2 = g.leaf("t2", Tensor::scalar(in[3]));
  std::array<Id, 10> P{};
  const char* names[10] = {"w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"};
  for (std::size_t k = 0; k < 10; ++k) P[k] = g.leaf(names[k], Tensor::scalar(p[k]));
  const Id w1 = P[0], w2 = P[1], w3 = P[2], w4 = P[3], w5 = P[4], w6 = P[5], w7 = P[6], w8 = P[7], b1 = P[8], b2 = P[9];
  // net = wa * a + wb * b + bias, out = sigmoid(net)
  auto unit = [&g](const char* name, Id wa, Id a, Id wb, Id b, Id bias) {
    const Id net = g.step(std::string("net_") + name, {}, {wa, a, wb, b, bias}, [=](const Graph::Inputs& v) {
      return scalar(s(v, wa) * s(v, a) + s(v, wb) * s(v, b) + s(v, bias));
    });
    return g.step(std::string("out_") + name, {}, {net}, [=](const Graph::Inputs& v) { return scalar(logistic(s(v, net))); });
  };
  const Id h1 = unit("h1", w1, i1, w2, i2, b1), h2 = unit("h2", w3, i1, w4, i2, b1);
  const Id o1 = unit("o1", w5, h1, w6, h2, b2), o2 = unit("o2", w7, h1, w8, h2, b2);
  const Id E = g.step("E", {}, {o1, o2, t1, t2}, [=](const Graph::Inputs& v) {
    const Real e1 = s(v, t1) - s(v, o1), e2 = s(v, t2) - s(v, o2);
    return scalar(0.5L * e1 * e1 + 0.5L * e2 * e2);
  });
  g.set_loss(E);
  g.forward();
  return g;
}

}  // namespace

ChainRuleInstance exercise_01_instance(std::uint64_t seed) {
  ChainRuleInstance in;
  {
    const Graph g = problem_a(seed);
    auto v = [&](const char* n) { return g.value(g.id(n))(0, 0); };
    in.a = {v("w"), v("x"), v("y"), v("wx"), v("diff"), v("L")};
  }
  {
    const Graph g = problem_b(seed);
    auto m = [&](const char* n) { return g.value(g.id(n)); };
    auto v = [&](const char* n) { return g.value(g.id(n))(0, 0); };
    in.b = {m("x"), v("y"), m("W1"), m("b1"), m("W2"), v("b2"), m("z1"), m("a1"), v("z2"), v("yhat"), v("L")};
  }
  {
    const Graph g = problem_c(seed);
    auto v = [&](const char* n) { return g.value(g.id(n))(0, 0); };
    in.c = {v("i1"),     v("i2"),     v("t1"),     v("t2"),     v("w1"),     v("w2"),     v("w3"),
            v("w4"),     v("w5"),     v("w6"),     v("w7"),     v("w8"),     v("b1"),     v("b2"),
            v("net_h1"), v("out_h1"), v("net_h2"), v("out_h2"), v("net_o1"), v("out_o1"), v("net_o2"),
            v("out_o2"), v("E")};
  }
  return in;
}

ExerciseInfo exercise_01_info() {
  std::vector<GradientSpec> grads = {{"a.dw", 0, "w", "part_a_backward"},
                                     {"a.dx", 0, "x", "part_a_backward"},
                                     {"a.dy", 0, "y", "part_a_backward"},
                                     {"b.dW2", 1, "W2", "part_b_backward"},
                                     {"b.db2", 1, "b2", "part_b_backward"},
                                     {"b.dW1", 1, "W1", "part_b_backward"},
                                     {"b.db1", 1, "b1", "part_b_backward"}};
  // Backward order: the output layer first.
  for (const char* n : {"w5", "w6", "w7", "w8", "b2", "w1", "w2", "w3", "w4", "b1"})
    grads.push_back({std::string("c.d") + n, 2, n, "part_c_backward"});
  return {1,
          "chain_rule",
          "chain rule on scalars",
          "exercise_01_chain_rule.cpp",
          {},
          grads,
          [](std::uint64_t seed, const Sizes&) {
            return std::vector<Graph>{problem_a(seed), problem_b(seed), problem_c(seed)};
          }};
}

}  // namespace bpdojo
