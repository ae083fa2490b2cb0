// Backprop Dojo checker: the report, as text for a person and as JSON (docs/result-schema.md).
#pragma once

#include "judge/check.hpp"

#include <string>
#include <vector>

namespace bpdojo {

struct Style {
  bool colour = false;  // ANSI colours: only on a terminal, never with NO_COLOR set
  static Style for_stdout();
};

std::string text_report(const CheckResult& result, const Style& style);
std::string json_report(const CheckResult& result);
// watch's screen: the summary and the first gradient that is wrong (its row and the lines under
// it) on top, then the report, cut to fit a terminal of `rows` rows with `footer` last (rows <= 0:
// uncut).
std::string watch_screen(const CheckResult& result, const Style& style, int rows, const std::string& footer);
// `checker list`: each exercise's progress, gradient by gradient, and the overall progress bar.
std::string progress_text(const std::vector<CheckResult>& results, const Style& style);
std::string progress_json(const std::vector<CheckResult>& results);

// "1.2e-10"; "inf"; "-" for not available.
std::string format_error(double v);

}  // namespace bpdojo
