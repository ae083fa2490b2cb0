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

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
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

// What building one exercise's file gave, kept for the run so that identical files (a class's
// unchanged stubs, files students share) are compiled once: keyed by the exercise and the file's
// exact bytes, which is all a build reads besides the run's toolchain (a file may include only the
// workbook's headers, and it is compiled alone in a folder of its own). The built runner is a copy
// in the grader's scratch folder, made before any instance ran it, and reused only while its bytes
// hash as they did. A build in progress is waited for; one that ended without an outcome (the
// grader could not run the compiler) is built again.
class BuildCache {
 public:
  struct Outcome {
    bool linked = false;
    std::filesystem::path runner;                      // when linked
    std::size_t runner_hash = 0;                       // of its bytes, checked before each reuse
    GradeStatus status = GradeStatus::CompileError;    // when not: as the first build ended
    std::string reason;
    std::vector<std::string> compiler_output;
  };
  // The outcome for this file, or nothing: the caller builds it, and must then finish() (or
  // abandon(), which lets a waiting caller build it).
  std::optional<Outcome> claim(int exercise, const std::string& source);
  void finish(int exercise, const std::string& source, Outcome outcome);
  void abandon(int exercise, const std::string& source);
  std::size_t builds() const;  // how many outcomes are kept
  std::size_t reuses() const;  // how many claims an outcome answered
  std::size_t ticket();        // a number no other call returns (names a kept runner)

 private:
  struct Entry {
    bool done = false;
    Outcome outcome;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::pair<int, std::string>, Entry> entries_;
  std::size_t reuses_ = 0, tickets_ = 0;
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
  BuildCache builds;              // in scratch / "builds"
  std::mutex write_mutex;
};

// Set by SIGINT and SIGTERM while grading (and when a worker fails): finish nothing new.
bool grading_interrupted();

// Was row `i` asked on this instance? An experiment (exercise 11's 48 stacks, on both sides) and
// exercise 13's training run on a submission's first instance only: on the others S = 0, and their
// rows are not asked there; a row earns credit when it is correct on every instance that asked it.
bool row_asked(const CheckResult& r, std::size_t i);

}  // namespace bpdojo
