// Backprop Dojo checker: `checker pack`, the learner's work in one archive for an instructor.
//
// Checks every exercise once more, then writes a .tar.gz holding exactly the exercise files
// (exercise_NN_topic.cpp, the names `checker grade` looks for) and manifest.json: for each
// exercise the verdict of every gradient, and the checker's version. Uses the system's `tar`.
#pragma once

#include "judge/check.hpp"

#include <filesystem>

namespace bpdojo {

struct PackOutcome {
  std::filesystem::path archive;
  std::vector<std::string> unfinished;  // exercise ids not complete
};

PackOutcome pack_workbook(const Workspace& ws, const std::vector<CheckResult>& results, const std::filesystem::path& archive);
// The manifest as written into the archive.
std::string pack_manifest(const std::vector<CheckResult>& results);

}  // namespace bpdojo
