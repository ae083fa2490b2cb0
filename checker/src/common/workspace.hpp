// Backprop Dojo checker: where the workbook is, which exercise a name means, and keeping a
// runner up to date with its source.
#pragma once

#include "bpdojo/exercise.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
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

// How many lines of a compiler's output a report shows (the rest is counted as omitted).
inline constexpr std::size_t kCompilerOutputLines = 20;

struct BuildOutcome {
  bool ok = true;
  bool rebuilt = false;
  std::vector<std::string> errors;  // at most kCompilerOutputLines: file:line: message, with the code shown
  std::size_t errors_omitted = 0;
  std::vector<std::string> warnings;  // a build that succeeded with warnings about the file (as many lines at most)
  std::size_t warnings_omitted = 0;
  std::string command;  // how to see the whole compiler output
  int builds = 0;       // how many times it was built (again when the source changed during a build)
  // A private copy of the runner, taken under the build lock: the check runs this file, which no
  // build ever writes. Empty when the build failed. Whoever runs it removes it.
  fs::path private_runner;
};

// Told what the rebuild is doing ("building exercise_06"), before it starts.
using BuildProgress = std::function<void(const std::string&)>;

// Makes the runner the build of the bytes now in its source: when the source or the workbook
// differs from what the runner was built from (content hashes recorded next to the runner; no
// record, no runner: build), it removes the exercise's object file (whatever its time, so ninja
// compiles and links again; the learner's file is never touched) and builds that target, again
// while the source changed during the build. Builds of one build folder are serialised by a lock
// (two checkers never build or copy at once). On success the runner is copied to a private file.
BuildOutcome ensure_built(const Workspace& ws, const ExerciseInfo& info, Flavour flavour,
                          const BuildProgress& progress = {});

// What a runner is built from, as recorded next to it: the hash of the exercise file's bytes and
// the hash of the workbook (its headers, sources and runners). Empty when the source is missing.
std::string build_fingerprint(const Workspace& ws, const fs::path& source);
// Where that record lives: next to the runner.
fs::path fingerprint_path(const fs::path& runner);

// Splits a command line as a POSIX shell would (quotes and backslashes; nothing else).
std::vector<std::string> split_command(const std::string& cmd);

// The value of the string `key` in one compile_commands.json object, JSON escapes decoded.
std::string json_string_field(const std::string& object, const std::string& key);

// The object files compile_commands.json in `build` lists for `source` (absolute paths).
std::vector<fs::path> object_files(const fs::path& build, const fs::path& source);

// Whether compiler lines hold an error (not only notes, warnings or "In function" context): when the
// lines about the learner's file do not, the report shows the compiler's own output instead.
bool holds_an_error(const std::vector<std::string>& lines);

// The lines of a compiler's output that concern `source`, paths made relative to `root`.
std::vector<std::string> compiler_errors(const std::string& output, const fs::path& source, const fs::path& root,
                                         std::size_t max_lines, std::size_t* omitted);

}  // namespace bpdojo
