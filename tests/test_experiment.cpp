// Exercise 11's experiment: the checker's reference backward against finite differences and the
// init formulas against values computed by hand (Python, double); the reference solution's run
// passes every row and draws one finite line per stack in each SVG; a stub's experiment is "not
// implemented"; a wrong backward cannot produce the reference's figures unnoticed.
#include "support.hpp"
#include "judge/experiment.hpp"

#include "bpdojo/rng.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace bpdojo;

namespace {

// The cache of a forward pass from `c`'s input and layers.
StackCache forward(StackCache c) {
  c.h.resize(1);
  c.a.clear();
  for (const StackLayer& layer : c.layers) {
    const Matrix z = (c.h.back() * layer.W).rowwise() + layer.b.row(0);
    Matrix a;
    if (c.f == Nonlinearity::Sigmoid) a = (1.0 / (1.0 + (-z.array()).exp())).matrix();
    else if (c.f == Nonlinearity::Tanh) a = z.array().tanh().matrix();
    else a = z.array().max(0.0).matrix();
    c.a.push_back(a);
    c.h.push_back(c.residual ? Matrix(c.h.back() + a) : a);
  }
  return c;
}

double stack_loss(const StackCache& c, const Matrix& G) { return (forward(c).h.back().array() * G.array()).sum(); }

// The reference solution's experiment over `steps` steps: every row correct, 48 stacks, two SVGs each
// with one polyline of finite points per stack.
void reference_experiment_passes(std::int64_t steps) {
  const auto dir = std::filesystem::temp_directory_path() / ("bpdojo_test_experiment_" + std::to_string(steps));
  std::filesystem::create_directories(dir);
  CheckOptions options;
  options.sizes = {{"S", steps}};
  options.flavour = Flavour::Solution;
  options.rebuild = false;
  options.limits.wall_seconds = 300;
  options.plot = (dir / "ex11.svg").string();
  const CheckResult r = check_exercise(test::workspace(), *find_exercise(11), options);
  CAPTURE(r.runner.summary);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Correct);
  }
  REQUIRE(r.experiment);
  CHECK(r.gradients.size() == 20 + experiment_row_names().size());
  REQUIRE(r.experiment->configs.size() == 48);
  REQUIRE(r.experiment->plots.size() == 2);
  for (const auto& file : r.experiment->plots) {
    CAPTURE(file);
    const auto series = test::svg_series(test::read_text(file));
    std::size_t stacks = 0;
    for (const auto& s : series) {
      CAPTURE(s.title);
      if (s.title.rfind("-3", 0) == 0) continue;  // the update plot's rule of thumb
      ++stacks;
      // A polyline: step 0 is finite for every stack, diverging or not.
      CHECK((!s.lines.empty() && !s.lines[0].empty()));
      CHECK(test::finite_lines(s));
    }
    CHECK(stacks == 48);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

TEST_SUITE_BEGIN("unit");

TEST_CASE("exercise 11: the checker's reference stack backward equals central differences of the stack's loss") {
  Rng rng(11);
  for (Nonlinearity f : {Nonlinearity::Sigmoid, Nonlinearity::Tanh, Nonlinearity::ReLU})
    for (bool residual : {false, true}) {
      CAPTURE(static_cast<int>(f));
      CAPTURE(residual);
      StackCache c;
      c.f = f;
      c.residual = residual;
      c.h = {rng.normal_matrix(3, 4)};
      for (int l = 0; l < 3; ++l) c.layers.push_back({rng.normal_matrix(4, 4, 0.6), rng.normal_matrix(1, 4, 0.1)});
      c = forward(c);
      const Matrix G = rng.normal_matrix(3, 4);
      StackGrads g;
      reference_stack_backward(c, G, g);
      REQUIRE(g.dW.size() == 3);
      const double h = 1e-6;
      auto central = [&](Matrix& m, Index i, Index j) {
        const double keep = m(i, j);
        m(i, j) = keep + h;
        const double up = stack_loss(c, G);
        m(i, j) = keep - h;
        const double down = stack_loss(c, G);
        m(i, j) = keep;
        return (up - down) / (2 * h);
      };
      for (int l = 0; l < 3; ++l)
        for (Index i = 0; i < 4; ++i)
          for (Index j = 0; j < 4; ++j) {
            CHECK(g.dW[l](i, j) == doctest::Approx(central(c.layers[l].W, i, j)).epsilon(1e-6));
            if (i == 0) CHECK(g.db[l](0, j) == doctest::Approx(central(c.layers[l].b, 0, j)).epsilon(1e-6));
            if (i < 3) CHECK(g.dx(i, j) == doctest::Approx(central(c.h[0], i, j)).epsilon(1e-6));
          }
    }
}

TEST_CASE("exercise 11: the init formulas give the values computed by hand") {
  // Python: 5/3 * sqrt(2/384), sqrt(2)/16, sqrt(2/(1+0.01**2))/16, sqrt(2/384).
  CHECK(reference_init_std(256, 128, Nonlinearity::Tanh, InitScheme::Xavier) == doctest::Approx(0.12028130608117203).epsilon(1e-15));
  CHECK(reference_init_std(256, 128, Nonlinearity::ReLU, InitScheme::Kaiming) == doctest::Approx(0.08838834764831845).epsilon(1e-15));
  CHECK(reference_init_std(256, 7, Nonlinearity::LeakyReLU, InitScheme::Kaiming) == doctest::Approx(0.08838392856236471).epsilon(1e-15));
  CHECK(reference_init_std(256, 128, Nonlinearity::Sigmoid, InitScheme::Xavier) == doctest::Approx(0.07216878364870322).epsilon(1e-15));
  CHECK(reference_init_std(3, 5, Nonlinearity::ReLU, InitScheme::Naive) == 1.0);
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("e2e");

TEST_CASE("exercise 11: the reference's experiment over 20 steps passes every row and draws one finite line per stack in each SVG") {
  reference_experiment_passes(20);
}

TEST_CASE("exercise 11: the stub's experiment rows are not implemented") {
  const CheckResult r = test::judge_runner(*find_exercise(11), Flavour::Stub, 0, {{"S", 3}});
  REQUIRE(r.gradients.size() == 24);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CHECK(g.verdict == Verdict::NotImplemented);
  }
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("deep");

TEST_CASE("exercise 11: the experiment's thresholds hold for the reference at seeds 0 to 99, with room (grading draws hidden seeds)") {
  // The rows read step 0 alone: one step of each stack the rows look at.
  double plain = 0.0, residual = 1e300, tanh_spread = 0.0, tanh_saturated = 0.0, relu_spread = 0.0;
  for (std::uint64_t seed = 0; seed < 100; ++seed)
    for (const DeepConfig& c : deep_configs()) {
      if (c.depth != 20 || !c.learner_init || (c.residual && c.f != Nonlinearity::Sigmoid)) continue;
      const DeepFigures f = run_deep_experiment(c, seed, 1, reference_stack_backward, reference_init_std);
      const double ratio = f.bias_rms.front() / f.bias_rms.back();
      const auto [lo, hi] = std::minmax_element(f.act_std.begin(), f.act_std.end());
      if (c.f == Nonlinearity::Sigmoid && c.residual) residual = std::min(residual, ratio);
      if (c.f == Nonlinearity::Sigmoid && !c.residual) plain = std::max(plain, ratio);
      if (c.f == Nonlinearity::Tanh) tanh_spread = std::max(tanh_spread, *hi / *lo), tanh_saturated = std::max(tanh_saturated, f.saturation.front());
      if (c.f == Nonlinearity::ReLU) relu_spread = std::max(relu_spread, *hi / *lo);
    }
  MESSAGE("plain " << plain << ", residual " << residual << ", tanh spread " << tanh_spread << ", saturated " << tanh_saturated
                   << ", relu spread " << relu_spread);
  CHECK(plain < kVanishedBelow / 1000);
  CHECK(residual > kFlowsAbove * 5);
  CHECK(tanh_spread < kTanhStdSpread);
  CHECK(tanh_saturated < 0.75 * kTanhSaturated);
  CHECK(relu_spread < kReluStdSpread / 5);
}

TEST_CASE("exercise 11: the reference's experiment at its default 200 steps passes every row and draws one finite line per stack in each SVG") {
  reference_experiment_passes(200);
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("e2e.catalogue");

TEST_CASE("exercise 11: a wrong backward or init cannot show the reference's figures unnoticed") {
  for (const char* mistake : {"deep_W_not_transposed", "deep_kaiming_gain_forgotten"}) {
    CAPTURE(mistake);
    const CheckResult r = test::judge_runner(*find_exercise(11), Flavour::Learner, 0, {{"S", 3}},
                                             std::string(BPDOJO_TEST_BUILD_DIR) + "/mistakes/" + mistake + "/exercise_11");
    const auto agrees = std::find_if(r.gradients.begin(), r.gradients.end(), [](const GradientResult& g) { return g.name == "experiment.agrees"; });
    REQUIRE(agrees != r.gradients.end());
    CAPTURE(agrees->message);
    CHECK(agrees->verdict == Verdict::Wrong);
  }
}

TEST_SUITE_END();
