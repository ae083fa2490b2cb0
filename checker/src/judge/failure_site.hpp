// Backprop Dojo checker: the learner's line where a run failed, from the runner's `trace` messages
// (docs/protocol.md) resolved with addr2line. A trace is untrusted text from learner code: it is
// bounded, never executed, shown only as a hint under a verdict, and never changes one.
#pragma once

#include "judge/check.hpp"

#include <filesystem>
#include <string>

namespace bpdojo {

// From addr2line's output (`-a -f -C -i`: per frame its address line, then function and file:line
// pairs, innermost inlined scope first): the first place in the learner's exercise file (a file
// exercise_NN_*.cpp that is not the workbook's own), else the innermost place with a line.
// "exercises/exercise_03_tanh.cpp:42 in tanh_backward" (paths under `root` made relative, the
// learner's file elsewhere by its name alone), or empty when nothing has a line.
std::string pick_failure_site(const std::string& addr2line_output, int exercise, const std::filesystem::path& root);

// Sets GradientResult::at of the gradient where an exception struck (the first error) from the
// last `trace error`, and, when the run died of a signal, RunnerStatus::crashed_at and the first
// gradient that crash left unreported from the last `trace signal`. `runner` is the executable
// that ran. Without addr2line (or a trace) nothing changes. addr2line runs behind `sandbox` (the
// run's command prefix: grading's bubblewrap) under the run's `limits` (its user, its caps), with
// a timeout of its own.
void attach_failure_sites(CheckResult& result, const protocol::ParseResult& parsed, const std::string& runner,
                          const std::filesystem::path& root, const std::vector<std::string>& sandbox = {},
                          const ProcessLimits& limits = {});

}  // namespace bpdojo
