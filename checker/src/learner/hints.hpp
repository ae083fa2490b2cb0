// Backprop Dojo checker: progressive hints (`checker hint exercise_05 dbnvar`).
//
// The hints live with the exercises, in workbook/hints/exercise_NN.txt: a section per gradient,
//   [dbnvar]
//   1: Where to look: ...
//   2: The local derivative: ...
//   3: The shapes: ...
// (an entry may go on over lines indented by two spaces; '#' starts a comment line). Each call
// shows the next level for that gradient; which levels were shown is kept in the build folder.
#pragma once

#include "common/workspace.hpp"

#include "bpdojo/exercise.hpp"

#include <array>
#include <map>
#include <string>

namespace bpdojo {

using HintLevels = std::array<std::string, 3>;

// Parses a hints file; throws SetupError naming the file and line of anything malformed.
std::map<std::string, HintLevels> parse_hints(const fs::path& file);
// The hints of an exercise (workbook/hints/exercise_NN.txt of the workspace).
std::map<std::string, HintLevels> exercise_hints(const Workspace& ws, const ExerciseInfo& info);
// The section that holds a gradient's hints: its own name, the init.* twin of a scaled.* one, or
// exercise 15's first-set twin of a p2.* one (sgd.* of an sgd2.* one).
std::string hint_section(const std::string& gradient);

struct HintShown {
  int level = 1;         // 1..3
  std::string text;
  bool last = false;     // no further level
};
// The next level of `gradient` (or `level` when it is 1..3), recorded in the build folder.
HintShown next_hint(const Workspace& ws, const ExerciseInfo& info, const std::string& gradient, int level = 0);

}  // namespace bpdojo
