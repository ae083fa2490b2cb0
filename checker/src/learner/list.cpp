#include "learner/list.hpp"

#include <algorithm>

namespace bpdojo {

std::vector<CheckResult> check_every_exercise(const Workspace& ws) {
  std::vector<CheckResult> results;
  for (const auto& info : all_exercises()) results.push_back(check_exercise(ws, info, default_options(info)));
  return results;
}

bool all_complete(const std::vector<CheckResult>& results) {
  return std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.complete(); });
}

}  // namespace bpdojo
