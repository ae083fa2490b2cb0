// Exercise 13's training runs, full BPTT and truncated: the reference trains both and every row is
// correct; the SVG draws each run's batch losses and dev checkpoints as finite polylines; the stub's
// training is not implemented; a learning rate of 0 leaves every parameter where it was; forged
// runner output (parameters that never moved, NaN, shapes and names that do not fit, a series of
// batch losses) never passes and never crashes the judge; the default run is below the threshold.
#include "support.hpp"
#include "judge/rnn_training.hpp"
#include "judge/training.hpp"

#include "problems/exercise_13_rnn_train.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

using namespace bpdojo;

namespace {

const ExerciseInfo& rnn() { return *find_exercise(13); }

// The reference solution: every row correct, both runs complete and learning, 20 names each.
void reference_trains(std::int64_t steps, const std::string& plot) {
  const CheckResult r = test::train(rnn(), Flavour::Solution, kDefaultSeed, steps, {}, plot);
  CAPTURE(r.reproduce);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Correct);
  }
  CHECK(r.gradients.size() == rnn().gradients.size() + 1);
  test::training_row(r);
  REQUIRE(r.rnn_training);
  const RnnTrainingResult& t = *r.rnn_training;
  REQUIRE(t.runs.size() == 2);
  for (const auto& run : t.runs) {
    CAPTURE(run.name);
    CHECK(run.complete);
    CHECK(run.at.size() == checkpoints(steps).size());
    REQUIRE(run.dev_curve.size() == run.at.size());
    CHECK(run.dev_curve.back() < run.dev_curve.front() - 0.5);  // it learned something real
    CHECK(run.train_loss > 1.0);
    CHECK(run.samples.size() == 20);
    MESSAGE("exercise 13, " << run.name << ", " << steps << " steps: train " << run.train_loss << ", dev " << run.dev_loss
                            << ", runner " << run.seconds << " s");
    if (steps >= kRnnDefaultSteps) CHECK(run.dev_loss < run.threshold);
  }
  CHECK(t.runs[0].k == 0);
  CHECK(t.runs[1].k == kRnnTruncation);
  CHECK(t.runs[0].dev_curve.front() == t.runs[1].dev_curve.front());  // the same start
  CHECK(t.runs[0].dev_curve.back() != t.runs[1].dev_curve.back());    // and two different runs
}

// A judged run from forged runner output: the parameters at every checkpoint from `at`, and a
// finished runner. Needs no runner.
CheckResult judged(std::int64_t steps, const std::function<RnnParams(const std::string& run, std::int64_t t)>& at,
                   const std::vector<protocol::Message>& extra = {}) {
  CheckResult r;
  r.info = &rnn();
  r.seed = 3;
  r.sizes = complete_sizes(rnn(), {{"S", steps}});
  r.runner.finished = true;
  protocol::ParseResult parsed;
  parsed.header_ok = parsed.ended = true;
  for (const auto& run : kRnnRuns)
    for (std::int64_t t : checkpoints(steps)) {
      const RnnParams p = at(run.name, t);
      for (const auto& f : kRnnParams) {
        protocol::Message m;
        m.kind = protocol::Kind::Tensor;
        m.name = std::string(run.name) + ".step." + std::to_string(t) + "." + f.name;
        m.tensor = Tensor({(p.*f.field).rows(), (p.*f.field).cols()}, p.*f.field);
        parsed.messages.push_back(m);
      }
    }
  parsed.messages.insert(parsed.messages.end(), extra.begin(), extra.end());
  judge_rnn_training(r, parsed, kRnnLearningRate, "");
  return r;
}

}  // namespace

TEST_SUITE_BEGIN("e2e");

TEST_CASE("exercise 13: the reference trains full and truncated BPTT in 100 steps, and the SVG draws both runs as finite polylines") {
  const std::string plot = std::string(BPDOJO_TEST_BUILD_DIR) + "/test_exercise_13_loss.svg";
  std::remove(plot.c_str());
  reference_trains(100, plot);
  const std::string svg = test::read_text(plot);
  CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0) == 0);
  // Four series (common/plot.hpp: each a <g class="series"> titled with its name): per run its
  // batch losses in 100 windows of 1 step, a line alone, and its dev loss at the 21 checkpoints,
  // a line and a dot each.
  int series = 0, batches = 0;
  for (const auto& s : test::svg_series(svg)) {
    CAPTURE(s.title);
    REQUIRE(s.lines.size() == 1);  // one unbroken line
    CHECK(test::finite_lines(s));
    const std::size_t n = s.lines[0].size();
    if (s.title.find(", batches") != std::string::npos) {
      CHECK(s.title.find("mean of 1)") != std::string::npos);
      CHECK(n == 100);
      CHECK(s.dots == 0);
      ++batches;
    } else {
      CHECK(s.title.find(", dev (checkpoints)") != std::string::npos);
      CHECK(n == 21);
      CHECK(s.dots == 21);
    }
    ++series;
  }
  CHECK(series == 4);
  CHECK(batches == 2);
  CHECK(svg.find("full BPTT") != std::string::npos);
  CHECK(svg.find("truncated BPTT (k = 3)") != std::string::npos);
  CHECK(svg.find("lr 1 -&gt; 0.1") != std::string::npos);  // the decay, marked
}

TEST_CASE("exercise 13: the stub's training is not implemented, and S = 0 has no training row") {
  const CheckResult stub = test::train(rnn(), Flavour::Stub, kDefaultSeed, 50);
  const GradientResult& g = test::training_row(stub);
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::NotImplemented);
  CHECK(g.message.rfind("not reached: training stopped at TODO(", 0) == 0);
  CHECK(stub.correct() == 0);
  REQUIRE(stub.rnn_training);
  for (const auto& run : stub.rnn_training->runs) CHECK(run.samples.empty());

  const CheckResult none = test::judge_runner(rnn(), Flavour::Solution, kDefaultSeed, {{"S", 0}});
  CHECK(none.gradients.size() == rnn().gradients.size());
  CHECK(none.complete());
  REQUIRE(none.rnn_training);
  CHECK(none.rnn_training->steps == 0);
}

TEST_CASE("exercise 13: a learning rate of 0 fails training: every parameter never changed") {
  const CheckResult r = test::train(rnn(), Flavour::Solution, 1, 1, {{"lr", 0.0}});
  const GradientResult& g = test::training_row(r);
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::Wrong);
  CHECK(g.message.find("full BPTT: never changed: Wxh, Whh, bh, Why, by, h0") != std::string::npos);
  CHECK(r.correct() == static_cast<int>(rnn().gradients.size()));  // the gradients are still right
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("unit");

TEST_CASE("exercise 13: forged training output never passes and never crashes the judge") {
  // A forged run that learns: by moves from 0 towards the log frequencies of the characters in the
  // training split (the dev loss falls from near log 27 towards the unigram model's), every other
  // parameter by a little. S = 1: checkpoints 0 and 1 (each evaluated on the whole dev split).
  const std::int64_t S = 1;
  const RnnParams init = rnn_train_init(3);
  Matrix log_freq = Matrix::Constant(1, init.by.cols(), 1.0);
  for (int c : builtin_names().train.Y) log_freq(0, c) += 1.0;
  log_freq = (log_freq / log_freq.sum()).array().log().matrix();
  auto learns = [&](std::int64_t t) {
    RnnParams p = init;
    for (const auto& f : kRnnParams) (p.*f.field).array() += 1e-6 * static_cast<double>(t);
    p.by = static_cast<double>(t) / static_cast<double>(S) * log_freq;
    return p;
  };
  SUBCASE("the forged run that learns is correct (what the cases below change is what fails them)") {
    const CheckResult r = judged(S, [&](const std::string&, std::int64_t t) { return learns(t); });
    const GradientResult& g = test::training_row(r);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Correct);
  }
  SUBCASE("a parameter that never moved is named") {
    const CheckResult r = judged(S, [&](const std::string&, std::int64_t t) {
      RnnParams p = learns(t);
      p.Whh = init.Whh;
      return p;
    });
    const GradientResult& g = test::training_row(r);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Wrong);
    CHECK(g.message.find("full BPTT: never changed: Whh ") != std::string::npos);
  }
  SUBCASE("NaN parameters at the end of the truncated run") {
    const CheckResult r = judged(S, [&](const std::string& run, std::int64_t t) {
      RnnParams p = learns(t);
      if (run == "trunc" && t == S) p.Why(0, 0) = std::numeric_limits<double>::quiet_NaN();
      return p;
    });
    const GradientResult& g = test::training_row(r);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Wrong);
    CHECK(g.message.find("truncated BPTT (k = 3): the parameters became NaN or Inf") != std::string::npos);
    REQUIRE(r.rnn_training);
    CHECK(std::isnan(r.rnn_training->runs[1].dev_curve.back()));
  }
  SUBCASE("a dev loss that rises") {
    const CheckResult r = judged(S, [&](const std::string&, std::int64_t t) {
      RnnParams p = learns(t);
      p.by = -p.by;  // away from the frequencies
      return p;
    });
    const GradientResult& g = test::training_row(r);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Wrong);
    CHECK(g.message.find("full BPTT: the dev loss rose") != std::string::npos);
  }
  SUBCASE("parameters of the wrong shape, or at steps the schedule does not have: the run did not finish") {
    std::vector<protocol::Message> extra;
    for (const char* name : {"full.step.7.Wxh", "trunc.step.-1.Whh", "full.step.x.bh", "full.step.99999999999999999999.by", "full.step."}) {
      protocol::Message m;
      m.kind = protocol::Kind::Tensor;
      m.name = name;
      m.tensor = Tensor({1, 1}, Matrix::Zero(1, 1));
      extra.push_back(m);
    }
    const CheckResult r = judged(S, [&](const std::string& run, std::int64_t t) {
      RnnParams p = learns(t);
      if (run == "full" && t == S) p.Whh = Matrix::Zero(3, 5);
      return p;
    }, extra);
    const GradientResult& g = test::training_row(r);
    CAPTURE(g.message);
    CHECK(g.verdict == Verdict::Error);
    CHECK(g.message.find("full BPTT did not finish") != std::string::npos);
    REQUIRE(r.rnn_training);
    CHECK(r.rnn_training->runs[0].at.size() == 1);  // step 0 only: the final one has the wrong shape
  }
  SUBCASE("the runner's batch losses and seconds are only shown, capped at S") {
    auto run = [&](bool forged) {
      std::vector<protocol::Message> extra;
      if (forged)
        for (const char* name : {"full.step_loss", "full.seconds"}) {
          protocol::Message m;
          m.kind = protocol::Kind::Series;
          m.name = name;
          m.series.assign(name == std::string("full.seconds") ? 1 : 100000, -5.0);
          m.series[0] = std::numeric_limits<double>::quiet_NaN();
          extra.push_back(m);
        }
      return judged(S, [&](const std::string&, std::int64_t t) { return learns(t); }, extra);
    };
    const CheckResult plain = run(false), forged = run(true);
    CHECK(forged.gradients.back().verdict == plain.gradients.back().verdict);
    CHECK(forged.gradients.back().message == plain.gradients.back().message);
    REQUIRE(forged.rnn_training);
    REQUIRE(forged.rnn_training->runs[0].step_loss.size() == 1);  // windows of 1 step, the first S values
    CHECK(std::isnan(forged.rnn_training->runs[0].step_loss[0]));
    CHECK(forged.rnn_training->runs[0].seconds == -1.0);  // NaN seconds are not shown
  }
}

TEST_SUITE_END();

TEST_CASE("exercise 13: the reference's default run trains both below the threshold" * doctest::test_suite("deep")) {
  reference_trains(kRnnDefaultSteps, "");
}

TEST_CASE("exercise 13: the catalogue's clip_grad_norm that always scales trains, wrongly, and the training row says so" * doctest::test_suite("e2e.catalogue")) {
  // rnn_clip_always: every gradient scaled to max_norm 5 (up from a norm near 1): the gradient
  // check fails the noclip rows only; training overshoots from the first steps.
  CheckOptions options;
  options.sizes = {{"S", 100}};
  options.rebuild = false;
  options.limits.wall_seconds = 900;
  options.runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/mistakes/rnn_clip_always/exercise_13";
  const CheckResult r = check_exercise(test::workspace(), rnn(), options);
  const GradientResult& g = test::training_row(r);
  CAPTURE(g.message);
  CHECK(g.verdict == Verdict::Wrong);
  CHECK(g.message.find("full BPTT: the dev loss rose from ") == 0);
  CHECK(g.message.find("clip_grad_norm must never scale a gradient up") != std::string::npos);
}

TEST_CASE("exercise 13: the terminal chart needs two checkpoints of a run (a run stopped at its first step has none)" *
          doctest::test_suite("unit")) {
  RnnTrainingResult t;
  t.steps = 3000;
  RnnTrainingResult::Run run;
  run.at = {0};
  run.dev_curve = {3.29};
  t.runs = {run, run};
  CHECK(rnn_loss_chart_text(t).empty());
  t.runs[1].at = {0, 150};
  t.runs[1].dev_curve = {3.29, 2.6};
  const std::string chart = rnn_loss_chart_text(t);
  CHECK_FALSE(chart.empty());
  // In the grid (right of the axis): the truncated run's second point alone, and the first points of
  // both runs in one cell, shared.
  int alone = 0, shared = 0;
  std::istringstream lines(chart);
  for (std::string line; std::getline(lines, line);) {
    const auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    alone += static_cast<int>(std::count(line.begin() + static_cast<std::ptrdiff_t>(bar), line.end(), 'k'));
    shared += static_cast<int>(std::count(line.begin() + static_cast<std::ptrdiff_t>(bar), line.end(), '*'));
  }
  CHECK(alone == 1);
  CHECK(shared == 1);
}
