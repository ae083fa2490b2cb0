// Backprop Dojo checker: `checker reset`, restoring the pristine stub of an exercise.
#pragma once

#include "common/workspace.hpp"

#include <iosfwd>
#include <string>

namespace bpdojo {

struct ResetOutcome {
  bool changed = false;  // the file was replaced
  fs::path backup;       // where the learner's file was copied first (empty if none was needed)
  std::string message;   // one line for the learner
};

// Copies workbook/stubs/<file> over exercises/<file>, after a copy of the learner's file to
// <workbook>/backups/<file>.<time stamp>. Asks on `in`/`out` unless `yes`; refuses (SetupError)
// when it would have to ask and `interactive` is false. Nothing is changed unless the backup was
// written first.
ResetOutcome reset_exercise(const Workspace& ws, const ExerciseInfo& info, bool yes, bool interactive, std::istream& in,
                            std::ostream& out);

}  // namespace bpdojo
