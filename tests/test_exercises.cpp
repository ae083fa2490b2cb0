// End to end through the checker library: reference solutions, pristine stubs, and the promise that
// exercises/ as shipped is the pristine stubs.
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace bpdojo;
using bpdojo::test::judge_runner;

namespace {

// Shapes to try for an exercise: the defaults, every letter at its smallest, a mixed one, and the
// batch at its smallest with the other letters at four times their defaults (a tiny batch is where
// batch statistics get close to singular).
std::vector<Sizes> shapes_for(const ExerciseInfo& info) {
  // The whole network (06, 07): the hidden sizes and batches its acceptance names, and the smallest.
  if (info.number == 6 || info.number == 7) {
    std::vector<Sizes> out;
    for (std::int64_t h : {16, 64, 100})
      for (std::int64_t n : {8, 32}) out.push_back({{"H", h}, {"N", n}});
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

// Every reference solution passes on 20 seeds and four shapes, at least 100x below the threshold.
// Seeds per shape: 20, or BPDOJO_TEST_DEEP_SEEDS for the whole network (the sanitizer build sets it
// lower: there a check of exercise 06 takes a minute).
std::uint64_t seeds_for(const ExerciseInfo& info) {
  if (info.numeric != ExerciseInfo::Numeric::Chained) return 20;
  const char* env = std::getenv("BPDOJO_TEST_DEEP_SEEDS");
  return env && *env ? std::stoull(env) : 20;
}

void solution_passes_everywhere(int number) {
  const ExerciseInfo& info = *find_exercise(number);
  double worst = 0.0;
  std::string where;
  const std::uint64_t seeds = seeds_for(info);
  MESSAGE(info.id() << ": " << seeds << " seeds per shape");
  for (const Sizes& sizes : shapes_for(info)) {
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
      const CheckResult r = judge_runner(info, Flavour::Solution, seed, sizes);
      CAPTURE(r.reproduce);
      REQUIRE(r.runner.finished);
      for (const auto& g : r.gradients) {
        CAPTURE(g.name);
        CHECK(g.verdict == Verdict::Correct);
        CHECK_FALSE(g.diagnosis);
        REQUIRE(g.comparison);
        if (g.comparison->rel_error > worst) worst = g.comparison->rel_error, where = r.reproduce + " " + g.name;
      }
    }
  }
  MESSAGE(info.id() << ": largest relative error of a correct gradient " << worst << " (" << where << ")");
  CHECK(worst <= kThreshold / 100);
}

}  // namespace

// One test case per exercise, so they run in parallel and each stays short under sanitizers.
TEST_CASE("reference solution 01 passes on 20 seeds, 100x below the threshold") { solution_passes_everywhere(1); }
TEST_CASE("reference solution 02 passes on 20 seeds and four shapes, 100x below the threshold") { solution_passes_everywhere(2); }
TEST_CASE("reference solution 03 passes on 20 seeds and four shapes, 100x below the threshold") { solution_passes_everywhere(3); }
TEST_CASE("reference solution 04 passes on 20 seeds and four shapes, 100x below the threshold") { solution_passes_everywhere(4); }
TEST_CASE("reference solution 05 passes on 20 seeds and four shapes, 100x below the threshold") { solution_passes_everywhere(5); }

TEST_CASE("reference solution 06 passes on 20 seeds, H in {16, 64, 100}, N in {8, 32}, 100x below the threshold") {
  solution_passes_everywhere(6);
}
TEST_CASE("reference solution 07 passes on 20 seeds, H in {16, 64, 100}, N in {8, 32}, 100x below the threshold") {
  solution_passes_everywhere(7);
}

// 08 (training) has its own in test_training.cpp.
TEST_CASE("every exercise has its reference test case above") { CHECK(all_exercises().size() == 8); }

TEST_CASE("every pristine stub reports every gradient as not implemented") {
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

TEST_CASE("exercises/ as shipped is byte for byte the pristine stubs, and solutions differ from them") {
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

TEST_CASE("the reference instance is the same on every run (seeded, platform-independent generator)") {
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    const Sizes sizes = complete_sizes(info, {});
    const auto a = info.problems(5, sizes);
    const auto b = info.problems(5, sizes);
    const auto c = info.problems(6, sizes);
    REQUIRE(a.size() == b.size());
    bool differs = false;
    for (std::size_t p = 0; p < a.size(); ++p) {
      CHECK(a[p].loss() == b[p].loss());
      differs = differs || a[p].loss() != c[p].loss();
    }
    CHECK(differs);
  }
}
