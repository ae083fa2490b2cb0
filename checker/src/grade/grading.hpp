// Backprop Dojo checker: what one run of `checker grade` holds while it grades, shared by the
// grader's parts (grade.cpp, build_run.cpp, gradebook.cpp): the run's choices (exercises, seeds,
// instances, weights), how a submission is built (the toolchain, the sandbox), and the grade of
// each submission as it is made.
#pragma once

#include "grade/grade.hpp"
#include "grade/sandbox.hpp"
#include "grade/toolchain.hpp"
#include "grade/weights.hpp"
#include "judge/check.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace bpdojo {

// How grading one exercise of a submission ended.
enum class GradeStatus { Graded, Missing, Ambiguous, Refused, CompileError, Error };

// As the gradebook, the results and the feedback write it.
inline const char* to_string(GradeStatus s) {
  switch (s) {
    case GradeStatus::Graded: return "graded";
    case GradeStatus::Missing: return "missing";
    case GradeStatus::Ambiguous: return "ambiguous";
    case GradeStatus::Refused: return "refused";
    case GradeStatus::CompileError: return "compile error";
    case GradeStatus::Error: return "error";
  }
  return "?";
}

struct ExerciseGrade {
  const ExerciseInfo* info = nullptr;
  GradeStatus status = GradeStatus::Missing;
  std::string reason;  // why it was not graded, or a note (a copy was used)
  std::filesystem::path file;  // relative to the submission
  std::vector<std::string> compiler_output;
  std::vector<CheckResult> runs;   // one per instance
  std::vector<double> credit;      // per gradient row: 1 when correct on every instance
  std::vector<double> row_points;  // per gradient row: what its credit is worth
  double points = 0.0, max_points = 0.0;
};

struct StudentGrade {
  std::string id;
  std::vector<ExerciseGrade> exercises;
  double total = 0.0, max_total = 0.0;
  double seconds = 0.0;  // how long grading it took
};

struct Run {
  const Workspace* ws = nullptr;
  GradeOptions options;
  std::vector<const ExerciseInfo*> exercises;
  std::vector<std::uint64_t> seeds;
  std::map<int, std::vector<Instance>> instances;
  Weights weights;
  Toolchain toolchain;
  Sandbox sandbox;
  std::filesystem::path scratch;  // temporary working folders
  std::mutex write_mutex;
};

// Set by SIGINT and SIGTERM while grading (and when a worker fails): finish nothing new.
bool grading_interrupted();

// Was row `i` asked on this instance? An experiment (exercise 11's 48 stacks, on both sides) runs on
// a submission's first instance only: on the others S = 0, and its rows are not asked there; a row
// earns credit when it is correct on every instance that asked it.
bool row_asked(const CheckResult& r, std::size_t i);

}  // namespace bpdojo
