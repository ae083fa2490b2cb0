// Backprop Dojo checker: where the workbook is, which exercise a name means, and keeping a
// runner up to date with its source.
#pragma once

#include "bpdojo/exercise.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bpdojo {

namespace fs = std::filesystem;

struct Workspace {
  fs::path root;   // holds workbook/, exercises/, solutions/
  fs::path build;  // the CMake build folder with the runners
};

// Thrown for usage and setup errors (exit code 2); the message is one line.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Finds the workbook from `start` upward, as git finds a repository. The build folder is
// `build_dir` when given, else $BPDOJO_BUILD_DIR, else the build this checker was compiled in
// (when it is of the same workbook), else <root>/build.
Workspace locate_workspace(const fs::path& start, const std::string& build_dir = "");

// "exercise_03", "03", "3", "exercise_03_tanh", "tanh" -> exercise 3; otherwise a SetupError
// naming the closest exercise.
const ExerciseInfo& resolve_exercise(const std::string& name);

enum class Flavour { Learner, Solution, Stub };
fs::path runner_path(const Workspace& ws, const ExerciseInfo& info, Flavour flavour);
fs::path source_path(const Workspace& ws, const ExerciseInfo& info, Flavour flavour);
std::string target_name(const ExerciseInfo& info, Flavour flavour);

struct BuildOutcome {
  bool ok = true;
  bool rebuilt = false;
  std::vector<std::string> errors;  // at most 20 lines: file:line: message, with the code shown
  std::size_t errors_omitted = 0;
  std::vector<std::string> warnings;  // a build that succeeded with warnings about the file (at most 20 lines)
  std::size_t warnings_omitted = 0;
  std::string command;  // how to see the whole compiler output
};

// Rebuilds the runner when its source is newer than it (or it is missing).
BuildOutcome ensure_built(const Workspace& ws, const ExerciseInfo& info, Flavour flavour);

// The lines of a compiler's output that concern `source`, paths made relative to `root`.
std::vector<std::string> compiler_errors(const std::string& output, const fs::path& source, const fs::path& root,
                                         std::size_t max_lines, std::size_t* omitted);

}  // namespace bpdojo
