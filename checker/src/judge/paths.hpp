// Backprop Dojo checker: exercise 17's paths over the Rosenbrock function.
//
// After the updates it judges, the runner takes S steps of each optimizer from (-1.2, 1) with the
// learner's functions (problems/exercise_17_optimizers.hpp) and reports each path. The checker
// takes the same steps with its own update and draws both over the function's contours. A path is
// shown, never judged: rounding differences grow along it, and a learner's path that diverges is
// drawn up to where it stopped being finite. Then exercise 08's MLP trained S steps by each
// optimizer (the learner's updates, the workbook's gradients): the checker evaluates the dev loss at
// each checkpoint the runner reported, and draws the five curves.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

// Fills result.paths (when the size S is above 0) from the runner's "path.<optimizer>" tensors and
// writes the SVG to `plot` (none when empty).
void judge_paths(CheckResult& result, const protocol::ParseResult& parsed, const std::string& plot);

std::string paths_plot_svg(const PathsResult& p);
// Exercise 08's MLP: the dev loss of each optimizer's run at its checkpoints (written beside the
// paths' plot, FILE_mlp.svg for FILE_paths.svg).
std::string mlp_plot_svg(const PathsResult& p);

}  // namespace bpdojo
