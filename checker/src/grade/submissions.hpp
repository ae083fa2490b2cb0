// Backprop Dojo checker: finding a submission's exercise files, and refusing what a submission may
// not include. The rules are documented in docs/instructors.md.
#pragma once

#include "bpdojo/exercise.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace bpdojo {

struct FoundFile {
  enum class Status { Found, Missing, Ambiguous, Refused } status = Status::Missing;
  std::filesystem::path file;  // Found: the file to grade
  std::string reason;          // Missing, Ambiguous, Refused: why; Found: a note (a copy used, copies ignored) or empty
};

// The file for `info` in the submission folder `folder` (searched recursively). Ignored: any path
// through a folder named __MACOSX, names starting with '.'. `exercise_NN_slug.cpp` and
// `exercise_NN.cpp` are exact; the same with " (k)" or "-k" before ".cpp" are copies. One exact
// file wins (copies beside it are ignored); else one copy; two or more of the best kind are
// ambiguous. A symlink leading outside the folder is refused.
FoundFile find_exercise_file(const std::filesystem::path& folder, const ExerciseInfo& info);

// A submission may include standard headers, Eigen's and the workbook's (bpdojo/...), nothing
// else. Returns why `source` is refused, or empty. Reads the #include lines of the text (after
// joining continued lines and dropping comments).
std::string refused_includes(const std::string& source);

// The compiler's dependency file (-MMD) against the same rule: every header it lists (not in a
// system folder) must be the source itself or lie under one of `allowed`. Returns why not, or empty.
std::string refused_dependencies(const std::string& depfile, const std::filesystem::path& source,
                                 const std::vector<std::filesystem::path>& allowed);

}  // namespace bpdojo
