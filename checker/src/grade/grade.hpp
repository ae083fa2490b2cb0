// Backprop Dojo checker: `checker grade SUBMISSIONS/`, the instructor's gradebook
// (docs/instructors.md). Every submission's exercise files are compiled and run in isolation
// (grade/sandbox.hpp, grade/build_run.hpp), on the default instance and hidden ones drawn once per
// run, and judged as `checker exercise_NN` judges; results are written as each submission finishes
// (grade/gradebook.hpp), each row worth its weight (grade/weights.hpp). This file: the options,
// the hidden instances, and the run that ties these together.
#pragma once

#include "common/workspace.hpp"

#include "bpdojo/exercise.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bpdojo {

struct GradeOptions {
  std::filesystem::path submissions;
  std::filesystem::path out = "grades";
  int seeds = 2;  // hidden random seeds, besides the default instance
  int jobs = 2;
  std::vector<int> exercises;  // empty: all
  std::string weights_file;
  bool resume = false;
  std::string regrade;  // a student id
  bool gradescope = false;
  bool bubblewrap = true;
  bool progress = false;  // a line per finished submission on stderr, with the ETA
};

// One hidden instance of an exercise: the default seed with the default sizes, or a seed drawn
// for the run with sizes drawn from it within grading_range().
struct Instance {
  std::uint64_t seed = kDefaultSeed;
  Sizes sizes;
};

// The range hidden sizes of a letter are drawn from: [max(min, ceil(default/2)), min(max, 2 default)];
// for an exercise that trains, [max(min, ceil(default/2)), default], so that no hidden training run
// is bigger than the default one and the time budget holds; the default alone for a letter that
// does not vary (a training run's length).
std::pair<std::int64_t, std::int64_t> grading_range(const ExerciseInfo& info, const SizeSpec& spec);
// The instance of `info` for `seed`: the default sizes for the default seed, drawn ones otherwise.
Instance grading_instance(const ExerciseInfo& info, std::uint64_t seed);

// Runs the grading. Returns the exit code (0 completed, 130 interrupted); throws SetupError.
int grade(const Workspace& ws, const GradeOptions& options);

}  // namespace bpdojo
