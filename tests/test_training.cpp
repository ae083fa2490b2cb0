// Exercise 08: the reference solution passes all three steps; a run with no update or an update
// of the wrong sign fails step 2 with the reason; training is deterministic; the SVG holds the
// checkpoints' two curves with one point per checkpoint and the runner's per-step loss in windows;
// that per-step loss, however wrong, changes no verdict.
#include "support.hpp"
#include "judge/training.hpp"

#include "problems/exercise_08_train.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
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

TEST_CASE("exercise 08 with 0 steps checks the gradients and the update, and has no training row" * doctest::test_suite("e2e")) {
  const CheckResult r = train(Flavour::Solution, kDefaultSeed, {{"S", 0}});
  REQUIRE(r.training);
  CHECK(r.training->steps == 0);
  CHECK(r.gradients.size() == 21);  // 14 gradients and 7 parameters' updates
  CHECK(r.correct() == 21);
  for (const auto& g : r.gradients) CHECK_FALSE(g.run_row);
  // A stub at 0 steps: its update is not implemented (a training row would have hidden nothing).
  const CheckResult stub = train(Flavour::Stub, kDefaultSeed, {{"S", 0}});
  CHECK(stub.correct() == 0);
  CHECK(stub.gradients.size() == 21);
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
  const std::string svg = test::read_text(plot);
  CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0) == 0);
  // Three series (common/plot.hpp: each a <g class="series"> titled with its name): the runner's
  // per-step loss in 100 windows of 20 steps, one polyline; the checkpoints' train and dev losses,
  // one polyline and one dot per checkpoint each.
  int series = 0;
  for (const auto& s : test::svg_series(svg)) {
    CAPTURE(s.title);
    REQUIRE(s.lines.size() == 1);  // one unbroken line
    CHECK(test::finite_lines(s));
    const std::size_t n = s.lines[0].size();
    if (s.title.rfind("train, per step", 0) == 0) {
      CHECK(s.title.find("mean of 20") != std::string::npos);
      CHECK(n == 100);
      CHECK(s.dots == 0);
    } else {
      CHECK((s.title.rfind("train (checkpoints", 0) == 0 || s.title.rfind("dev (checkpoints", 0) == 0));
      CHECK(n == a.training->at.size());
      CHECK(s.dots == a.training->at.size());
    }
    ++series;
  }
  CHECK(series == 3);
  CHECK(a.training->step_loss_window == 20);
  CHECK(a.training->step_loss.size() == 100);
  CHECK(svg.find("lr 0.1 -&gt; 0.01") != std::string::npos);  // the decay, marked
  CHECK(a.training->at.size() == 21);
}

TEST_CASE("exercise 08: the catalogue mistake of an update with the wrong sign fails training, and says so" * doctest::test_suite("e2e.catalogue")) {
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

TEST_CASE("exercise 08: the runner's per-step losses are only drawn: capped at S, in windows, and no verdict changes" * doctest::test_suite("unit")) {
  // A run that stopped at a TODO, with and without a forged series of per-step losses far longer
  // than the run, holding a NaN and values no forward pass gives.
  const Sizes sizes = complete_sizes(*find_exercise(8), {{"S", 300}});
  auto judged = [&](bool with_series) {
    CheckResult r;
    r.seed = 0;
    r.sizes = sizes;
    r.runner.finished = true;
    protocol::ParseResult parsed;
    parsed.header_ok = parsed.ended = true;
    protocol::Message stop;
    stop.kind = protocol::Kind::NotImplemented;
    stop.name = kTrainingRow;
    stop.text = "dW1";
    parsed.messages.push_back(stop);
    if (with_series) {
      protocol::Message m;
      m.kind = protocol::Kind::Series;
      m.name = "step_loss";
      m.series.assign(100000, -5.0);
      m.series[7] = std::numeric_limits<double>::quiet_NaN();
      parsed.messages.push_back(m);
    }
    judge_training(r, parsed, 0.1, "");
    return r;
  };
  const CheckResult plain = judged(false), forged = judged(true);
  REQUIRE(plain.training);
  REQUIRE(forged.training);
  CHECK(plain.training->step_loss.empty());
  CHECK(forged.gradients.back().verdict == plain.gradients.back().verdict);
  CHECK(forged.gradients.back().message == plain.gradients.back().message);
  CHECK(forged.training->train_curve == plain.training->train_curve);
  // S = 300: windows of 3 steps (1% of S), over the first 300 values only.
  CHECK(forged.training->step_loss_window == 3);
  REQUIRE(forged.training->step_loss.size() == 100);
  CHECK(std::isnan(forged.training->step_loss[2]));
  CHECK(forged.training->step_loss[3] == -5.0);
}
