// Backprop Dojo checker: `checker watch [exercise]`, a check on every save.
//
// Watches the exercise file (inotify on its folder, so editors that write a new file and rename it
// are seen too; and, always, a comparison of the file's size, time and inode every 300 ms, for
// network file systems where inotify is silent). On a change it clears the screen and shows the
// report. When the exercise is complete it offers the next one (n). q or Ctrl-C quits and the
// terminal is restored.
#pragma once

#include "learner/report.hpp"
#include "common/workspace.hpp"

namespace bpdojo {

// Where `checker watch` without an exercise starts: the first exercise whose gradients are not all
// correct (or that cannot be built), judged as `flavour` with the default options but no training
// or experiment (S = 0: they take seconds each and follow the gradients); the last exercise when
// every one is complete. `rebuild` false: the runners as built (the tests).
const ExerciseInfo& first_incomplete(const Workspace& ws, Flavour flavour = Flavour::Learner, bool rebuild = true);

// Returns the exit code (0 after q, Ctrl-C or the end of input). `info` null: the first
// exercise that is not complete.
int watch_loop(const Workspace& ws, const ExerciseInfo* info, const Style& style);

}  // namespace bpdojo
