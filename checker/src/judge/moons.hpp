// Backprop Dojo checker: judging exercise 16's training run, micrograd's MLP 2-16-16-1 made of the
// learner's Values, trained on two moons (100 points) for S steps.
//
// The runner reports the final parameters (`train.params`, (337,1)); the checker runs its own
// forward pass on them (workbook: moons_scores) and counts the points on the right side. A run of
// the default length (100 steps, micrograd's demo) must reach kMoonsAccuracyBar (95%) of the
// training points; a shorter one is reported, not judged by that bar. Either way the parameters
// must be finite and must have moved from their initial values.
#pragma once

#include "judge/check.hpp"

namespace bpdojo {

// Adds the pseudo-gradient kTrainingRow ("training", GradientResult::run_row) when S > 0.
void judge_moons(CheckResult& result, const protocol::ParseResult& parsed);

// The share of the points a parameter vector classifies right (the checker's own forward pass).
double moons_accuracy(const std::vector<double>& params, std::uint64_t seed);

}  // namespace bpdojo
