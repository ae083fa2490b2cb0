// Backprop Dojo checker: exercise 13's gradient flow back in time.
//
// Two of the runner's calls of rnn_backward judge dh on windows of text whose loss is at the last
// step alone, so that its step t is dL_T/dh_t: once with a small Whh (the norm vanishes as it
// flows back), once with a large one (it explodes). The report draws each step's norm against
// T - t on a log axis, for the learner's gradient and the checker's numeric one, and the exploding
// one once more after clipping by the global norm (clip_grad_norm's rule, the whole dh to
// kFlowClipNorm): clipping bounds the size of the step it will take, and keeps the shape of the curve.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

inline constexpr double kFlowClipNorm = 1.0;

// Fills result.flow from the rows vanish.dh and explode.dh (the learner's values where a tensor of
// the right shape arrived, whatever its verdict; the numeric ones always) and writes the SVG to
// `plot` (none when empty).
void judge_flow(CheckResult& result, const std::string& plot);

std::string flow_plot_svg(const FlowResult& f);

}  // namespace bpdojo
