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

// A student's archive, unpacked by the grader (grade/archive.hpp) for the exercises its folder
// does not hold.
struct UnpackedArchive {
  std::string name;              // as the feedback names it: relative to the class's folder's student
  std::filesystem::path root;    // where it was unpacked (empty when refused)
  std::string refused;           // why it was not unpacked, or empty
};

// One student's submission: a folder, or an archive in the class's folder ("alice.tar.gz"), or both
// a folder and archives in it.
struct Submission {
  std::filesystem::path folder;          // the student's folder, or empty when the student is an archive
  std::vector<UnpackedArchive> archives;
};

// The students of a class's folder, sorted: every folder but __MACOSX (whatever its name), and
// every archive beside them (.tar, .tar.gz, .tgz, .tar.bz2, .tar.xz, .zip), named without its
// extension ("alice.tar.gz" is alice) unless a folder or another archive has that name, then by
// its whole name. Links are not followed. SetupError when the folder cannot be read.
std::vector<std::string> list_students(const std::filesystem::path& submissions);

// The submission of `id` (from list_students): its folder, and the archives to unpack (the
// student's own archive, or those in the folder, at most 8), unpacked into folders under
// `unpack_into` (created; the caller removes it).
Submission open_submission(const std::filesystem::path& submissions, const std::string& id, const std::filesystem::path& unpack_into);

// The file for `info` in a submission: in its folder (find_exercise_file), else in its archives in
// name order; `shown` is set to the file as the feedback names it ("bpdojo-submission.tar.gz/
// exercise_03_tanh.cpp" inside an archive). An archive that was refused makes a missing file
// Refused, with the archive's reason.
FoundFile find_submitted_file(const Submission& submission, const ExerciseInfo& info, std::string& shown);

// A submission may include standard headers, Eigen's and the workbook's (bpdojo/...), nothing
// else. Returns why `source` is refused, or empty. Reads the #include lines of the text (after
// joining continued lines and dropping comments).
std::string refused_includes(const std::string& source);

// The compiler's dependency file (-MMD) against the same rule: every header it lists (not in a
// system folder) must be the source itself or lie under one of `allowed`. Returns why not, or empty.
std::string refused_dependencies(const std::string& depfile, const std::filesystem::path& source,
                                 const std::vector<std::filesystem::path>& allowed);

}  // namespace bpdojo
