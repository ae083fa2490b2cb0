// Exercise 15's training run, judged by checker/src/judge/gpt_training.cpp: the reference trains and
// its dev loss falls (the checker's own evaluation), the stub's training is not implemented, a
// learning rate of 0 is caught. Short runs (S = 4: five checkpoints), so the fast suite stays fast;
// the default run's figures are bench/gpt_vs_mlp.py's.
#include "support.hpp"
#include "judge/gpt_training.hpp"
#include "judge/training.hpp"
#include "problems/exercise_15_gpt.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bpdojo;

namespace {

const ExerciseInfo& gpt() { return *find_exercise(15); }

}  // namespace

TEST_SUITE_BEGIN("e2e");

TEST_CASE("exercise 15: the reference trains, the checker's dev loss falls, 20 names and the SVG") {
  const std::string plot = std::string(BPDOJO_TEST_BUILD_DIR) + "/test_exercise_15_loss.svg";
  const CheckResult r = test::train(gpt(), Flavour::Solution, kDefaultSeed, 4, {}, plot);
  CAPTURE(r.reproduce);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Correct);
  }
  CHECK(r.gradients.size() == gpt().gradients.size() + 1);
  CHECK(test::training_row(r).message.find("no threshold for runs shorter than 3000 steps") != std::string::npos);
  REQUIRE(r.gpt_training);
  const auto& run = r.gpt_training->run;
  CHECK(run.at == std::vector<std::int64_t>{0, 1, 2, 3, 4});
  REQUIRE(run.dev_curve.size() == 5);
  // At the start, logits of size about 1 over 27 characters: near log 27 = 3.30, above it.
  CHECK(run.dev_curve.front() > 3.0);
  CHECK(run.dev_curve.back() < run.dev_curve.front() - 0.1);
  CHECK(run.dev_loss == run.dev_curve.back());
  CHECK(run.samples.size() == 20);
  REQUIRE(r.gpt_training->plot == plot);
  std::ifstream in(plot);
  std::stringstream svg;
  svg << in.rdbuf();
  CHECK(svg.str().find("exercise_15_loss") != std::string::npos);
}

TEST_CASE("exercise 15: the stub's training is not implemented, and S = 0 has no training row") {
  const CheckResult stub = test::train(gpt(), Flavour::Stub, kDefaultSeed, 4);
  const GradientResult& g = test::training_row(stub);
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::NotImplemented);
  CHECK(g.message.rfind("not reached: training stopped at TODO(", 0) == 0);
  CHECK(stub.correct() == 0);
  REQUIRE(stub.gpt_training);
  CHECK(stub.gpt_training->run.samples.empty());

  const CheckResult none = test::judge_runner(gpt(), Flavour::Solution, kDefaultSeed, {{"S", 0}});
  CHECK(none.gradients.size() == gpt().gradients.size());
  CHECK(none.complete());
  REQUIRE(none.gpt_training);
  CHECK(none.gpt_training->steps == 0);
}

TEST_CASE("exercise 15: a learning rate of 0 fails training: every parameter never changed") {
  const CheckResult r = test::train(gpt(), Flavour::Solution, kDefaultSeed, 2, {{"lr", 0.0}});
  const GradientResult& g = test::training_row(r);
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::Wrong);
  CHECK(g.message.find("never changed: wte, wpe, ln1w") != std::string::npos);
  CHECK(r.correct() == static_cast<int>(gpt().gradients.size()));  // the gradients and updates are still right
}

TEST_SUITE_END();
