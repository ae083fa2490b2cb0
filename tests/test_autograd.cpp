// Exercise 16: a recursive topological sort is stopped on the deep chain and named (not a bare
// crash), the Value releases a deep graph without recursion, the two-moons judge recomputes the
// accuracy from the parameters and fails parameters that did not learn, and the reference trains
// above the bar; a gap in the exercises' numbers (16 after 13) breaks neither the order nor the
// lookups.
#include "support.hpp"
#include "judge/diagnose.hpp"
#include "judge/moons.hpp"
#include "judge/training.hpp"

#include "problems/exercise_16_autograd.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <utility>

using namespace bpdojo;

TEST_CASE("exercise 16: the Value releases a chain of a million nodes one node at a time" * doctest::test_suite("unit")) {
  // A recursive release would need a frame per node: far beyond the 8 MB stack (and ASan's).
  Value v(1.0);
  const Value leaf = v;
  for (int i = 0; i < 1000000; ++i) v = i % 2 ? v * Value(1.0) : v + leaf;
  CHECK(v.data() == doctest::Approx(500001.0));
  v = Value(0.0);  // the chain goes here
  CHECK(leaf.data() == 1.0);
}

TEST_CASE("exercise 16: the expressions' double and long double values agree, and the chain is affine" * doctest::test_suite("unit")) {
  const Sizes sizes{{"K", 8}, {"E", 64}, {"D", 100000}, {"S", 0}};
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    CAPTURE(seed);
    const AutogradInstance in = exercise_16_instance(seed, sizes);
    for (const Expression* e : {&in.tree, &in.shared, &in.repeated, &in.twice}) {
      const std::vector<double> d = evaluate<double>(*e, e->leaves);
      const std::vector<Real> r = evaluate<Real>(*e, std::vector<Real>(e->leaves.begin(), e->leaves.end()));
      CHECK(std::abs(d.back() - static_cast<double>(r.back())) <= 1e-12 * std::max(1.0, std::abs(d.back())));
    }
    // d root / d w_j from two values of the chain (exact for an affine function) against the
    // sum of the signed products of the constants after each use of w_j.
    std::vector<Real> w(in.chain_w.begin(), in.chain_w.end());
    for (int j = 0; j < kChainLeaves; ++j) {
      Real exact = j == 0 ? 1.0L : 0.0L;  // v starts as w[0]
      for (std::size_t i = 0; i < in.chain.leaf.size(); ++i) {
        if (i % 4 == 1) exact *= static_cast<Real>(in.chain.constant[i]);
        else if (i % 4 == 3) exact /= static_cast<Real>(in.chain.constant[i]);
        else if (in.chain.leaf[i] == j) exact += i % 4 == 0 ? 1.0L : -1.0L;
      }
      std::vector<Real> up = w;
      up[static_cast<std::size_t>(j)] += 1.0L;
      const Real diff = chain_value<Real>(in.chain, up) - chain_value<Real>(in.chain, w);
      CAPTURE(j);
      CHECK(static_cast<double>(std::abs(diff - exact)) <= 1e-12 * std::max(1.0, static_cast<double>(std::abs(exact))));
    }
  }
}

TEST_CASE("exercise 16: a recursive topological sort is stopped on the deep chain with its name, every other row right" * doctest::test_suite("e2e")) {
  const ExerciseInfo& info = *find_exercise(16);
  const std::string runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/recursive/exercise_16";
  const CheckResult r = test::judge_runner(info, Flavour::Learner, kDefaultSeed, {{"S", 0}}, runner);
  CHECK(r.runner.finished);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CAPTURE(g.message);
    if (g.name == "chain.deep") {
      CHECK(g.verdict == Verdict::Error);
      CHECK(g.message.find("stack overflow in backward (recursion too deep: walk the graph with an explicit stack)") != std::string::npos);
    } else {
      CHECK(g.verdict == Verdict::Correct);
    }
  }
}

TEST_CASE("exercise 16: the two-moons judge computes the accuracy itself and fails parameters that did not learn" * doctest::test_suite("unit")) {
  const std::vector<double> init = moons_init(0);
  CHECK(init.size() == static_cast<std::size_t>(kMlpParamCount));
  const double at_init = moons_accuracy(init, 0);
  CHECK(at_init < kMoonsAccuracyBar);  // the bar is not met by chance
  const Moons m = moons(0);
  CHECK(m.X.rows() == kMoonsPoints);
  CHECK(std::count(m.y.begin(), m.y.end(), 1.0) == kMoonsPoints / 2);
  // The judge's forward pass against one written here with matrices, on the initial parameters.
  {
    std::size_t at = 0;
    const auto layer = [&](int in, int out) {
      Matrix W(out, in), b(out, 1);
      for (int n = 0; n < out; ++n) {
        for (int i = 0; i < in; ++i) W(n, i) = init[at++];
        b(n, 0) = init[at++];
      }
      return std::pair<Matrix, Matrix>(W, b);
    };
    const auto [W1, b1] = layer(2, 16);
    const auto [W2, b2] = layer(16, 16);
    const auto [W3, b3] = layer(16, 1);
    const Matrix h1 = ((m.X * W1.transpose()).rowwise() + b1.transpose().row(0)).cwiseMax(0.0);
    const Matrix h2 = ((h1 * W2.transpose()).rowwise() + b2.transpose().row(0)).cwiseMax(0.0);
    const Matrix s = (h2 * W3.transpose()).array() + b3(0, 0);
    int right = 0;
    for (Index i = 0; i < s.rows(); ++i) right += (s(i, 0) > 0) == (m.y[static_cast<std::size_t>(i)] > 0) ? 1 : 0;
    CHECK(at_init == doctest::Approx(right / 100.0));
  }
  CheckResult result;
  result.info = find_exercise(16);
  result.seed = 0;
  result.sizes = {{"K", 8}, {"E", 64}, {"D", 100000}, {"S", 100}};
  result.runner.finished = true;
  const auto judge_params = [&](const std::vector<double>& p) {
    protocol::ParseResult parsed;
    protocol::Message msg;
    msg.kind = protocol::Kind::Tensor;
    msg.name = "train.params";
    msg.tensor = {{kMlpParamCount, 1}, Eigen::Map<const Matrix>(p.data(), kMlpParamCount, 1)};
    parsed.messages.push_back(msg);
    CheckResult r = result;
    judge_moons(r, parsed);
    REQUIRE(r.gradients.size() == 1);
    return r.gradients[0];
  };
  const GradientResult unmoved = judge_params(init);
  CHECK(unmoved.verdict == Verdict::Wrong);
  CHECK(unmoved.message.find("did not move") != std::string::npos);
  std::vector<double> nan = init;
  nan[5] = std::nan("");
  CHECK(judge_params(nan).verdict == Verdict::Wrong);
  std::vector<double> nudged = init;
  for (double& p : nudged) p += 1e-3;  // moved, but not trained: below the bar
  const GradientResult low = judge_params(nudged);
  CHECK(low.name == kTrainingRow);
  CHECK(low.verdict == Verdict::Wrong);
  CHECK(low.message.find("below the bar of 95%") != std::string::npos);
  // Nothing reported by a runner that finished: not implemented; with S = 0, no row at all.
  CheckResult none = result;
  judge_moons(none, protocol::ParseResult{});
  REQUIRE(none.gradients.size() == 1);
  CHECK(none.gradients[0].verdict == Verdict::NotImplemented);
  CheckResult zero = result;
  zero.sizes["S"] = 0;
  judge_moons(zero, protocol::ParseResult{});
  CHECK(zero.gradients.empty());
}

TEST_CASE("exercise 16: the reference trains micrograd's MLP on two moons above the bar" * doctest::test_suite("e2e")) {
  const CheckResult r = test::judge_runner(*find_exercise(16), Flavour::Solution, kDefaultSeed, {{"S", kMoonsDefaultSteps}});
  const GradientResult& t = test::gradient(r, kTrainingRow);
  CAPTURE(t.message);
  CHECK(t.verdict == Verdict::Correct);
  MESSAGE("exercise 16, seed 0: " << t.message);
}

TEST_CASE("exercise 16: the reference trains above the bar on seeds 1 to 4" * doctest::test_suite("deep")) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const CheckResult r = test::judge_runner(*find_exercise(16), Flavour::Solution, seed, {{"S", kMoonsDefaultSteps}});
    const GradientResult& t = test::gradient(r, kTrainingRow);
    CAPTURE(seed);
    CAPTURE(t.message);
    CHECK(t.verdict == Verdict::Correct);
    MESSAGE("exercise 16, seed " << seed << ": " << t.message);
  }
}

TEST_CASE("a gap in the exercises' numbers: 16 follows 13, and each is found by its number" * doctest::test_suite("unit")) {
  const auto& all = all_exercises();
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    CHECK(all[i].number < all[i + 1].number);
    CHECK(next_exercise(all[i]) == &all[i + 1]);
  }
  CHECK(next_exercise(all.back()) == nullptr);
  for (const auto& info : all) CHECK(find_exercise(info.number) == &info);
  for (int n = 1; n < 100; ++n)
    if (std::none_of(all.begin(), all.end(), [n](const ExerciseInfo& e) { return e.number == n; })) CHECK(find_exercise(n) == nullptr);
  REQUIRE(find_exercise(16));
  CHECK(find_exercise(16)->id() == "exercise_16");
}

TEST_CASE("rows read more than once and off by a few percent, the others right: index_accumulation" * doctest::test_suite("unit")) {
  // Exercise 16's tree with = where += belongs: leaf 0 read twice, its other use's share small.
  DiagnosisInput in;
  in.name = "expr.tree";
  in.numeric = {{4, 1}, (Matrix(4, 1) << 1.56882, 0.55863, -0.0542351, 2.0).finished()};
  in.analytic = (Matrix(4, 1) << 1.64568, 0.55863, -0.0660412, 2.0).finished();
  in.row_uses = {2, 1, 3, 1};
  in.threshold = 1e-8;
  auto d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "index_accumulation");
  // A row read once and wrong as well: not this shape.
  in.analytic(1, 0) = 0.6;
  d = diagnose(in);
  CHECK((!d || d->kind != "index_accumulation"));
  // Without the uses, a 5% error in one row is no row pattern either (the sizes' rule holds there).
  in.analytic(1, 0) = 0.55863;
  in.row_uses.clear();
  d = diagnose(in);
  CHECK((!d || d->kind != "rows"));
}
