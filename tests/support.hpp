// Shared by the tests: where the build is, and judging a runner through the checker library.
#pragma once

#include "judge/check.hpp"

#include <string>

namespace bpdojo::test {

inline Workspace workspace() { return {BPDOJO_TEST_SOURCE_DIR, BPDOJO_TEST_BUILD_DIR}; }

// Runs and judges a runner (no rebuild). `runner` empty: the flavour's own runner.
inline CheckResult judge_runner(const ExerciseInfo& info, Flavour flavour, std::uint64_t seed, const Sizes& sizes = {},
                                const std::string& runner = "", double timeout = 60.0) {
  CheckOptions options;
  options.seed = seed;
  options.sizes = sizes;
  options.flavour = flavour;
  options.rebuild = false;
  options.runner = runner;
  options.limits.wall_seconds = timeout;
  return check_exercise(workspace(), info, options);
}

inline const GradientResult& gradient(const CheckResult& r, const std::string& name) {
  for (const auto& g : r.gradients)
    if (g.name == name) return g;
  throw std::out_of_range("no gradient " + name);
}

}  // namespace bpdojo::test
