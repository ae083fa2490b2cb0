// Exercise 08: the reference solution passes all three steps; a run with no update or an update
// of the wrong sign fails step 2 with the reason; training is deterministic; the SVG holds two
// curves with one point per checkpoint.
#include "support.hpp"
#include "judge/training.hpp"

#include "problems/exercise_08_train.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bpdojo;

namespace {

CheckResult train(Flavour flavour, std::uint64_t seed, const Sizes& sizes, std::map<std::string, double> runner_options = {},
                  const std::string& plot = "") {
  CheckOptions options;
  options.seed = seed;
  options.sizes = sizes;
  options.flavour = flavour;
  options.rebuild = false;
  options.limits.wall_seconds = 900;  // the sanitizer build trains slowly
  options.runner_options = std::move(runner_options);
  options.plot = plot;
  return check_exercise(test::workspace(), *find_exercise(8), options);
}

// The reference solution: every gradient correct, the training complete, samples drawn; after the
// default 20,000 steps (the deep suite) also below the dev-loss threshold.
void reference_trains(const Sizes& sizes, bool full_run) {
  const CheckResult r = train(Flavour::Solution, kDefaultSeed, sizes);
  CAPTURE(r.reproduce);
  REQUIRE(r.training);
  const TrainingResult& t = *r.training;
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Correct);
  }
  CHECK(r.gradients.size() == 22);  // 14 gradients, 7 parameters' updates, the training
  CHECK(t.complete);
  const std::int64_t steps = full_run ? 20000 : sizes.at("S");
  CHECK(t.at.size() == checkpoints(steps).size());
  MESSAGE("exercise 08, " << steps << " steps: train " << t.train_loss << ", dev " << t.dev_loss << ", test " << t.test_loss);
  if (full_run) CHECK(t.dev_loss < kDevLossThreshold);
  CHECK(t.dev_curve.back() < t.dev_curve.front() - 0.5);  // it learned something real
  CHECK(t.samples.size() == 20);
}

}  // namespace

TEST_CASE("exercise 08: the reference solution passes the gradient check and learns in 2000 steps" * doctest::test_suite("e2e")) {
  reference_trains({{"S", 2000}}, false);
}

TEST_CASE("exercise 08: the reference solution trains 20000 steps below the threshold and samples" * doctest::test_suite("deep")) {
  reference_trains({}, true);
}

TEST_CASE("exercise 08: no update, or a learning rate of 0, fails training with the reason" * doctest::test_suite("e2e")) {
  const CheckResult r = train(Flavour::Solution, 1, {{"S", 1000}}, {{"lr", 0.0}});
  REQUIRE(r.training);
  const GradientResult& g = r.gradients.back();
  CHECK(g.name == "training");
  CHECK(g.verdict == Verdict::Wrong);
  CHECK(g.message.find("never changed") != std::string::npos);
  CHECK(r.correct() == 21);  // the gradients and sgd_step itself are still right
}

TEST_CASE("exercise 08: training is deterministic for a seed, and the SVG has one point per checkpoint per curve" * doctest::test_suite("e2e")) {
  const std::string plot = std::string(BPDOJO_TEST_BUILD_DIR) + "/test_exercise_08_loss.svg";
  const CheckResult a = train(Flavour::Solution, 5, {{"S", 2000}, {"H", 20}}, {}, plot);
  const CheckResult b = train(Flavour::Solution, 5, {{"S", 2000}, {"H", 20}});
  REQUIRE(a.training);
  REQUIRE(b.training);
  CHECK(a.training->train_curve == b.training->train_curve);
  CHECK(a.training->dev_curve == b.training->dev_curve);
  CHECK(a.training->samples == b.training->samples);
  CHECK(a.training->dev_loss == b.training->dev_loss);
  // Another seed trains on other batches.
  const CheckResult c = train(Flavour::Solution, 6, {{"S", 2000}, {"H", 20}});
  REQUIRE(c.training);
  CHECK(c.training->dev_curve != a.training->dev_curve);

  REQUIRE(a.training->plot == plot);
  std::ifstream in(plot);
  std::stringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  CHECK(svg.rfind("<svg", 0) == 0);
  // Each <polyline class="train|dev" ... points="x,y x,y ...">, read without std::regex.
  int curves = 0;
  for (std::size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) {
    const std::string tag = svg.substr(at, svg.find('>', at) - at);
    CAPTURE(tag);
    const bool named = tag.find("class=\"train\"") != std::string::npos || tag.find("class=\"dev\"") != std::string::npos;
    CHECK(named);
    const std::size_t p = tag.find("points=\"");
    REQUIRE(p != std::string::npos);
    const std::string list = tag.substr(p + 8, tag.find('"', p + 8) - (p + 8));
    std::istringstream points(list);
    std::size_t n = 0;
    for (std::string point; points >> point;) {
      CHECK(point.find(',') != std::string::npos);
      ++n;
    }
    CHECK(n == a.training->at.size());
    ++curves;
  }
  CHECK(curves == 2);
  CHECK(a.training->at.size() == 21);
}

TEST_CASE("exercise 08: the catalogue mistake of an update with the wrong sign fails training, and says so" * doctest::test_suite("e2e")) {
  CheckOptions options;
  options.seed = 2;
  options.sizes = {{"S", 2000}};
  options.rebuild = false;
  options.limits.wall_seconds = 900;
  options.runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/mistakes/train_update_wrong_sign/exercise_08";
  const CheckResult r = check_exercise(test::workspace(), *find_exercise(8), options);
  const GradientResult& g = r.gradients.back();
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::Wrong);
  CHECK(g.message.find("does sgd_step subtract lr times the gradient?") != std::string::npos);
  CHECK(r.correct() == 14);
}
