// Shared by the tests: where the build is, and judging a runner through the checker library.
#pragma once

#include "grade/grade.hpp"
#include "judge/check.hpp"
#include "judge/training.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bpdojo::test {

inline Workspace workspace() { return {BPDOJO_TEST_SOURCE_DIR, BPDOJO_TEST_BUILD_DIR}; }

// Runs and judges a runner (no rebuild). `runner` empty: the flavour's own runner. An exercise with
// an experiment (11) or exercise 13's training runs it only when `sizes` gives S: by default the
// gradients are judged alone.
inline CheckResult judge_runner(const ExerciseInfo& info, Flavour flavour, std::uint64_t seed, Sizes sizes = {},
                                const std::string& runner = "", double timeout = 60.0) {
  if ((info.experiment || info.trains_rnn || info.trains_values) && !sizes.count("S")) sizes["S"] = 0;
  if (!runner.empty() && !std::filesystem::exists(runner))
    throw std::runtime_error("no runner " + runner + ": not built (a case that runs the mistake catalogue's runners is in the suite "
                             "e2e.catalogue or deep.catalogue, which the clang and asan presets leave out with the catalogue)");
  CheckOptions options;
  options.seed = seed;
  options.sizes = sizes;
  options.flavour = flavour;
  options.rebuild = false;
  options.runner = runner;
  options.limits.wall_seconds = timeout;
  return check_exercise(workspace(), info, options);
}

// Trains and judges a training exercise's run (13, 15; no rebuild): `steps` steps (S) at `seed`, with
// the runner's options (lr ...) and the SVG written to `plot` (empty: none).
inline CheckResult train(const ExerciseInfo& info, Flavour flavour, std::uint64_t seed, std::int64_t steps,
                         std::map<std::string, double> runner_options = {}, const std::string& plot = "") {
  CheckOptions options;
  options.seed = seed;
  options.sizes = {{"S", steps}};
  options.flavour = flavour;
  options.rebuild = false;
  options.limits.wall_seconds = 900;  // the sanitizer build trains slowly
  options.runner_options = std::move(runner_options);
  options.plot = plot;
  return check_exercise(workspace(), info, options);
}

// The row that judges a training run: the last, kTrainingRow, a run row.
inline const GradientResult& training_row(const CheckResult& r) {
  REQUIRE(!r.gradients.empty());
  const GradientResult& g = r.gradients.back();
  REQUIRE(g.name == kTrainingRow);
  CHECK(g.run_row);
  return g;
}

// The exercises a test case that begins "each exercise: " runs on. Its ctest entries are one per
// exercise ("exercise 03: ..."), each with BPDOJO_TEST_EXERCISE=03 (tests/discover_tests.cmake), so
// they run in parallel and an exercise added to the workbook is tested without a line here. Run by
// hand without the variable, the case takes every exercise.
inline std::vector<const ExerciseInfo*> exercises_under_test() {
  std::vector<const ExerciseInfo*> out;
  const char* only = std::getenv("BPDOJO_TEST_EXERCISE");
  for (const auto& e : all_exercises())
    if (!only || !*only || e.number == std::atoi(only)) out.push_back(&e);
  if (out.empty()) throw std::invalid_argument(std::string("BPDOJO_TEST_EXERCISE=") + only + ": no such exercise");
  return out;
}

// Exercises whose run at the edges of their sizes costs seconds, checked on fewer seeds by the deep
// catalogue: the whole network (06 to 08).
inline bool costly_runs(const ExerciseInfo& info) { return info.number >= 6 && info.number <= 8; }

// BPDOJO_TEST_SWEEP set: the deep suite's sweeps widen to seeds 0 to 19 on the whole instance set
// (instance_sizes with the maxima), for a change to the judge; CI runs the narrower default.
inline bool sweep() { return std::getenv("BPDOJO_TEST_SWEEP") != nullptr; }

// The instance set the margins are asserted over: every letter at its minimum; the defaults; every
// letter at the low and at the high end of grading's range (grade.hpp); and, with `maxima`, each
// letter at its maximum with the others at their defaults. A training run's length (S) is not a
// size of the gradient check: 0 here. Each with what it is ("minimum", "default", ...).
inline std::vector<std::pair<std::string, Sizes>> instance_sizes(const ExerciseInfo& info, bool maxima) {
  Sizes smallest, low, high;
  std::vector<std::pair<std::string, Sizes>> maxed;
  for (const auto& s : info.sizes) {
    if (!s.varies_when_graded) {
      smallest[s.letter] = low[s.letter] = high[s.letter] = 0;
      continue;
    }
    smallest[s.letter] = s.min;
    const auto [lo, hi] = grading_range(info, s);
    low[s.letter] = lo;
    high[s.letter] = hi;
    maxed.push_back({s.letter + " at its maximum", {{s.letter, s.max}}});
  }
  std::vector<std::pair<std::string, Sizes>> out{
      {"minimum", smallest}, {"default", {}}, {"grading's low end", low}, {"grading's high end", high}};
  if (maxima) out.insert(out.end(), maxed.begin(), maxed.end());
  return out;
}

inline const GradientResult& gradient(const CheckResult& r, const std::string& name) {
  for (const auto& g : r.gradients)
    if (g.name == name) return g;
  throw std::out_of_range("no gradient " + name);
}

// A file's whole text ("" when it cannot be read).
inline std::string read_text(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One <g class="series"> of an SVG drawn by common/plot.hpp: its title, the points of each of its
// polylines as written (a number that does not parse, or a point without its comma, reads as NaN,
// so a test asking for finite points fails on it) and its dots.
struct SvgSeries {
  std::string title;
  std::vector<std::vector<std::pair<double, double>>> lines;
  std::size_t dots = 0;
};
inline std::vector<SvgSeries> svg_series(const std::string& svg) {
  const auto number = [](const std::string& s) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size() ? v : std::numeric_limits<double>::quiet_NaN();
  };
  std::vector<SvgSeries> out;
  for (std::size_t at = svg.find("<g class=\"series\""); at != std::string::npos; at = svg.find("<g class=\"series\"", at + 1)) {
    const std::string g = svg.substr(at, svg.find("</g>", at) - at);
    SvgSeries s;
    const auto t0 = g.find("<title>");
    if (t0 != std::string::npos) s.title = g.substr(t0 + 7, g.find("</title>") - t0 - 7);
    for (std::size_t p = g.find("points=\""); p != std::string::npos; p = g.find("points=\"", p + 1)) {
      std::istringstream list(g.substr(p + 8, g.find('"', p + 8) - p - 8));
      auto& line = s.lines.emplace_back();
      for (std::string xy; list >> xy;) {
        const auto comma = xy.find(',');
        if (comma == std::string::npos) line.emplace_back(number(""), number(""));
        else line.emplace_back(number(xy.substr(0, comma)), number(xy.substr(comma + 1)));
      }
    }
    for (std::size_t k = g.find("<circle"); k != std::string::npos; k = g.find("<circle", k + 1)) ++s.dots;
    out.push_back(std::move(s));
  }
  return out;
}

// Every coordinate of every polyline of `s` is finite.
inline bool finite_lines(const SvgSeries& s) {
  for (const auto& line : s.lines)
    for (const auto& [x, y] : line)
      if (!std::isfinite(x) || !std::isfinite(y)) return false;
  return true;
}

}  // namespace bpdojo::test
