// End to end through the checker library: reference solutions, pristine stubs, and the promise that
// exercises/ as shipped is the pristine stubs.
#include "support.hpp"
#include "judge/flow.hpp"
#include "learner/watch.hpp"
#include "problems/exercise_13_rnn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <fstream>
#include <sstream>

using namespace bpdojo;
using bpdojo::test::judge_runner;

namespace {

// Shapes to try for an exercise: the defaults, every letter at its smallest, a mixed one, and the
// batch at its smallest with the other letters at four times their defaults (a tiny batch is where
// batch statistics get close to singular).
std::vector<Sizes> shapes_for(const ExerciseInfo& info) {
  // The whole network (06, 07, 08): the hidden sizes and batches its acceptance names, and the smallest.
  // 08 (two parameter sets and the update on each shape) on the default, the widest and the smallest.
  if (info.number >= 6 && info.number <= 8) {  // the MLP
    std::vector<Sizes> out;
    for (std::int64_t h : {16, 64, 100})
      for (std::int64_t n : {8, 32})
        if (!info.trains || (h == 64 && n == 32) || (h == 100 && n == 8)) out.push_back({{"H", h}, {"N", n}});
    out.push_back({{"H", 1}, {"N", 2}});
    return out;
  }
  std::vector<Sizes> out{{}};
  if (info.sizes.empty()) return out;
  Sizes smallest, mixed, thin;
  std::int64_t k = 0;
  for (const auto& s : info.sizes) {
    smallest[s.letter] = s.min;
    mixed[s.letter] = std::min(s.max, std::max(s.min, s.default_value + 3 + 2 * k++));
    thin[s.letter] = s.letter == "N" ? s.min : std::min(s.max, 4 * s.default_value);
  }
  out.push_back(smallest);
  out.push_back(mixed);
  out.push_back(thin);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A reference solution's result: every gradient correct, no diagnosis, a floor at the gradient's
// size; its largest relative error raises `worst` (and `where` names it).
void reference_correct(const CheckResult& r, double& worst, std::string& where) {
  CAPTURE(r.reproduce);
  REQUIRE(r.runner.finished);
  for (const auto& g : r.gradients) {
    if (g.run_row) continue;  // judged in test_training.cpp
    CAPTURE(g.name);
    CHECK(g.verdict == Verdict::Correct);
    CHECK_FALSE(g.diagnosis);
    REQUIRE(g.comparison);
    // The floor never swallows a gradient: at most 10 or 1000x the gradient's own size (an
    // unresolved reference would raise it to anything, and pass anything).
    CHECK(g.floor <= std::max(10.0, 1e3 * g.numeric.value.cwiseAbs().maxCoeff()));
    // On the house's scale: a row with a bar of its own (exercise 17's updates, 1e-13) counts its
    // error times kThreshold / its bar, so 100x below it is 100x below kThreshold here.
    const double error = g.comparison->rel_error * (kThreshold / g.threshold);
    if (error > worst) worst = error, where = r.reproduce + " " + g.name;
  }
}

// Every reference solution passes on the given seeds and every shape, at least 100x below the
// threshold, with no diagnosis. An exercise that trains is checked here without its training run
// (S = 0: every gradient and the update); test_training.cpp judges the training.
// With `grading`, also at the low and the high end of the sizes `checker grade` draws
// (test::instance_sizes).
// With `last_at_maxima` not negative, also each letter at its maximum on seeds 0 to that.
void solution_passes(const ExerciseInfo& info, std::uint64_t first_seed, std::uint64_t last_seed, bool grading = false,
                     int last_at_maxima = -1) {
  double worst = 0.0;
  std::string where;
  std::vector<Sizes> shapes = shapes_for(info);
  const std::size_t plain = shapes.size();
  const auto edges = test::instance_sizes(info, true);
  if (grading)
    for (const auto& [what, sizes] : edges)
      if (what.find("grading") != std::string::npos) shapes.push_back(sizes);
  const std::size_t graded = shapes.size();
  if (last_at_maxima >= 0)
    for (const auto& [what, sizes] : edges)
      if (what.find("maximum") != std::string::npos) shapes.push_back(sizes);
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    Sizes sizes = shapes[k];
    if (info.runs()) sizes["S"] = 0;
    // Grading's two ends: the first four seeds (all of them in a sweep); the maxima their own.
    std::uint64_t first = first_seed, last = last_seed;
    if (k >= plain && k < graded && !test::sweep()) last = std::min(last_seed, first_seed + 3);
    if (k >= graded) first = 0, last = static_cast<std::uint64_t>(last_at_maxima);
    for (std::uint64_t seed = first; seed <= last; ++seed) {
      reference_correct(judge_runner(info, Flavour::Solution, seed, sizes), worst, where);
    }
  }
  MESSAGE(info.id() << ", seeds " << first_seed << " to " << last_seed << ": largest relative error of a correct gradient (on the house's scale: times 1e-8 over the row's own bar, if it has one) "
                    << worst << " (" << where << ")");
  CHECK(worst <= kThreshold / 100);
}

}  // namespace

// One ctest entry per exercise and suite (tests/support.hpp, exercises_under_test).
// Shapes: the defaults, every letter at its smallest, a mixed one and a thin batch; for 06 and 07,
// H in {16, 64, 100} by N in {8, 32}, and the smallest; for 08 (S = 0) the default, H=100 N=8 and
// the smallest. The fast suite: seed 0. The deep suite: seeds 1 to 9, grading's two ends on seeds
// 1 to 4 and each letter's maximum on seed 0 (a sweep, BPDOJO_TEST_SWEEP: 0 to 19 everywhere). (The
// numeric reference itself is held to ground truth on seeds 0 to 19: tests/test_ground_truth.cpp.)
TEST_CASE("each exercise: the reference solution passes at seed 0 on every shape, 100x below the threshold" * doctest::test_suite("e2e")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) solution_passes(*info, 0, 0);
}
TEST_CASE("each exercise: the reference solution passes on seeds 1 to 9 and every shape, 100x below the threshold" * doctest::test_suite("deep")) {
  // Each letter at its maximum: seed 0 (seeds 0 to 19 in a sweep, test::sweep).
  for (const ExerciseInfo* info : test::exercises_under_test())
    solution_passes(*info, 1, test::sweep() ? 19 : 9, true, test::sweep() ? 19 : 0);
}

// Every letter at its maximum at once, the largest instance the checker accepts: the batches of
// the finite differences (Graph::LocalPerturbation::batches) at full width. 08 and 11 take about
// 35 s each, the others 2 to 17 s (bench/README.md, max_sizes.sh).
TEST_CASE("each exercise: the reference solution passes with every letter at its maximum at once, 100x below the threshold" *
          doctest::test_suite("deep")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) {
    Sizes sizes;
    for (const auto& s : info->sizes) sizes[s.letter] = s.max;
    if (info->runs()) sizes["S"] = 0;
    if (sizes.empty()) continue;  // no sizes: the defaults are judged elsewhere
    double worst = 0.0;
    std::string where;
    reference_correct(judge_runner(*info, Flavour::Solution, 0, sizes), worst, where);
    MESSAGE(info->id() << " at its maxima: largest relative error " << worst << " (" << where << ")");
    CHECK(worst <= kThreshold / 100);
  }
}

// Exercise 08 at H = 1024, seed 9, the scaled parameter draw: a label's probability rounds to
// 1e-17 (its logit 37 below the row's largest). A reference through log(probs) step by step lost
// every digit there and its floor (2.6e5 for a dW2 of size 0.2) passed anything.
TEST_CASE("exercise 08 with a label's probability near 1e-17: the floors stay at the gradients' size" * doctest::test_suite("e2e")) {
  const ExerciseInfo& info = *find_exercise(8);
  const CheckResult r = judge_runner(info, Flavour::Solution, 9, {{"N", 32}, {"H", 1024}, {"S", 0}});
  REQUIRE(r.runner.finished);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CHECK(g.verdict == Verdict::Correct);
    if (!g.comparison) continue;
    CAPTURE(g.floor);
    CHECK(g.comparison->rel_error <= kThreshold / 100);
    CHECK(g.floor <= std::max(1e-2, 10 * g.numeric.value.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("every pristine stub reports every gradient as not implemented" * doctest::test_suite("e2e")) {
  for (const auto& info : all_exercises()) {
    SUBCASE(info.id().c_str()) {
      const CheckResult r = judge_runner(info, Flavour::Stub, kDefaultSeed);
      CHECK(r.runner.finished);
      CHECK(r.correct() == 0);
      for (const auto& g : r.gradients) {
        CAPTURE(g.name);
        CHECK(g.verdict == Verdict::NotImplemented);
        CHECK((g.message.rfind("TODO(", 0) == 0 || g.message.rfind("not reached: ", 0) == 0));
      }
    }
  }
}

TEST_CASE("watch without an exercise starts at the first one not complete, judging the gradients of one that trains" * doctest::test_suite("e2e")) {
  // Stubs: exercise 01. Every solution: past exercise 08 and every other that trains or runs an
  // experiment (gradients alone, S = 0), to the last exercise.
  CHECK(first_incomplete(test::workspace(), Flavour::Stub, false).number == all_exercises().front().number);
  CHECK(first_incomplete(test::workspace(), Flavour::Solution, false).number == all_exercises().back().number);
}

TEST_CASE("exercises/ as shipped is byte for byte the pristine stubs, and solutions differ from them" * doctest::test_suite("unit")) {
  const fs::path root = BPDOJO_TEST_SOURCE_DIR;
  for (const auto& info : all_exercises()) {
    CAPTURE(info.source);
    const std::string stub = slurp(root / "workbook" / "stubs" / info.source);
    REQUIRE_FALSE(stub.empty());
    CHECK(slurp(root / "exercises" / info.source) == stub);
    CHECK(slurp(root / "solutions" / info.source) != stub);
    CHECK(stub.find("TODO(") != std::string::npos);
    CHECK(slurp(root / "solutions" / info.source).find("TODO(") == std::string::npos);
  }
  // And nothing else sits in exercises/ but the build file.
  for (const auto& entry : fs::directory_iterator(root / "exercises")) {
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    bool known = name == "CMakeLists.txt";
    for (const auto& info : all_exercises()) known = known || name == info.source;
    CHECK(known);
  }
}

TEST_CASE("the reference instance is the same on every run (seeded, platform-independent generator)" * doctest::test_suite("unit")) {
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    const Sizes sizes = complete_sizes(info, {});
    const auto a = info.problems(5, sizes);
    const auto b = info.problems(5, sizes);
    const auto c = info.problems(6, sizes);
    REQUIRE(a.size() == b.size());
    // The loss, and the data: a graph judged exactly (exercise 17's, affine in leaves of zeros) has
    // the loss 0 on every seed, and its seed in the data (the expected values).
    const auto data_sum = [](const Graph& g) {
      double sum = 0.0;
      for (std::size_t id = 0; id < g.size(); ++id)
        if (g.is_data(static_cast<Graph::NodeId>(id))) sum += g.value(static_cast<Graph::NodeId>(id)).sum();
      return sum;
    };
    bool differs = false;
    for (std::size_t p = 0; p < a.size(); ++p) {
      CHECK(a[p].loss() == b[p].loss());
      CHECK(data_sum(a[p]) == data_sum(b[p]));
      differs = differs || a[p].loss() != c[p].loss() || data_sum(a[p]) != data_sum(c[p]);
    }
    CHECK(differs);
  }
}

// tests/learners/exercise_04_reads_grads.cpp: right, written by reading each gradient back through
// grads (in products and sums, with .array(), .rowwise(), .col(0), (i, j), Grad = Grad) and with
// the broadcasts as exercise 04's hints spell them. That it compiles is half the test.
TEST_CASE("a solution that reads its gradients back through grads compiles and passes every gradient" * doctest::test_suite("e2e")) {
  const std::string runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/reads_grads/exercise_04";
  const CheckResult r = test::judge_runner(*find_exercise(4), Flavour::Learner, kDefaultSeed, {}, runner);
  CAPTURE(r.runner.summary);
  REQUIRE(r.gradients.size() == 9);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CHECK(g.verdict == Verdict::Correct);
  }
}

// Exercise 13's gradient flow (checker/src/judge/flow.hpp): drawn from the learner's dh where it
// arrived, beside the numeric one; the reference solution's vanishes with the small Whh and grows
// with the large one, and clipping scales the exploding curve down to the norm it is clipped to.
TEST_CASE("exercise 13: the gradient flow is drawn from the learner's dh, the stub's from the numeric one alone" *
          doctest::test_suite("e2e")) {
  const ExerciseInfo& info = *find_exercise(13);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "bpdojo_test_flow";
  std::filesystem::create_directories(dir);
  auto run = [&](Flavour flavour, const std::string& svg) {
    CheckOptions options;
    options.flavour = flavour;
    options.sizes = {{"S", 0}};  // the gradients alone, no training
    options.rebuild = false;
    options.flow_plot = (dir / svg).string();
    return check_exercise(test::workspace(), info, options);
  };
  auto count = [](const std::string& s, const std::string& what) {
    int n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  };
  const CheckResult ref = run(Flavour::Solution, "solution.svg");
  REQUIRE(ref.flow);
  REQUIRE(ref.flow->curves.size() == 3);
  const auto& vanish = ref.flow->curves[0];
  const auto& explode = ref.flow->curves[1];
  const auto& clipped = ref.flow->curves[2];
  for (const auto* c : {&vanish, &explode}) {
    CAPTURE(c->row);
    CHECK(c->correct);
    REQUIRE(c->yours.size() == static_cast<std::size_t>(kFlowT));
    REQUIRE(c->reference.size() == c->yours.size());
    for (std::size_t k = 0; k < c->yours.size(); ++k) CHECK(std::abs(c->yours[k] - c->reference[k]) <= 1e-8 * c->reference[k]);
  }
  CHECK(vanish.yours.back() < 1e-3 * vanish.yours.front());
  CHECK(*std::max_element(explode.yours.begin(), explode.yours.end()) > 2 * explode.yours.front());
  // Clipped: the same curve times one factor, with the norm over every step at kFlowClipNorm.
  double squares = 0.0;
  for (double v : clipped.yours) squares += v * v;
  CHECK(std::sqrt(squares) == doctest::Approx(kFlowClipNorm).epsilon(1e-5));
  for (std::size_t k = 1; k < clipped.yours.size(); ++k)
    CHECK(clipped.yours[k] / explode.yours[k] == doctest::Approx(clipped.yours[0] / explode.yours[0]).epsilon(1e-12));
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::string svg = read(ref.flow->plot);
  CHECK(count(svg, "<g class=\"series\"") == 5);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);

  // The stub: nothing of the learner's to draw, the numeric curves alone, no clipped one.
  const CheckResult stub = run(Flavour::Stub, "stub.svg");
  REQUIRE(stub.flow);
  REQUIRE(stub.flow->curves.size() == 2);
  for (const auto& c : stub.flow->curves) {
    CHECK_FALSE(c.correct);
    CHECK(c.yours.empty());
    CHECK(c.reference.size() == static_cast<std::size_t>(kFlowT));
  }
  const std::string stub_svg = read(stub.flow->plot);
  CHECK(count(stub_svg, "<g class=\"series\"") == 2);

  // What a hostile runner could send: NaN, infinities, zeros and huge values draw no non-finite
  // coordinate.
  FlowResult hostile;
  FlowResult::Curve c;
  c.label = "hostile";
  c.yours = {std::nan(""), std::numeric_limits<double>::infinity(), 0.0, 1e308, 1e-308, 1.0};
  c.reference = {1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125};
  hostile.curves = {c};
  const std::string h = flow_plot_svg(hostile);
  CHECK(count(h, "<g class=\"series\"") == 2);
  CHECK(h.find("nan") == std::string::npos);
  CHECK(h.find("inf") == std::string::npos);
  std::filesystem::remove_all(dir);
}
