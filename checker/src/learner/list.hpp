// Backprop Dojo checker: `checker list`, every exercise checked once as its file is now (pack
// starts the same way). The report of it is progress_text / progress_json (learner/report.hpp).
#pragma once

#include "judge/check.hpp"

#include <vector>

namespace bpdojo {

// The default check of every exercise, in order (each runner rebuilt when its source changed).
std::vector<CheckResult> check_every_exercise(const Workspace& ws);

// Every exercise complete (the exit code 0 of list).
bool all_complete(const std::vector<CheckResult>& results);

}  // namespace bpdojo
