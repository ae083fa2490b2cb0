// Backprop Dojo checker: `checker exercise_05 --sweep dbnvar`, the error of one gradient against
// the finite-difference step.
//
// For each step h = s * 10^-k, k = 1..12 (s the node's scale, as in finite_diff.hpp), every
// element's central difference (f(x+h) - f(x-h)) / 2h of the loss, compared with your gradient by
// the checker's relative error. Large steps carry truncation error (falling as h^2), small ones
// rounding error (growing as eps/h): a correct gradient draws a V whose bottom is the best a
// single step can do; a wrong one flattens at the size of the mistake. docs/sweep.md.
#pragma once

#include "judge/check.hpp"

#include <filesystem>

namespace bpdojo {

struct Sweep {
  std::string exercise, gradient;
  std::vector<double> steps;   // h / s
  std::vector<double> errors;  // relative error of your gradient against the central difference
  std::string plot;            // the SVG written, or empty
};

// Throws SetupError when the gradient is unknown or has no usable value in `result`.
Sweep sweep(const CheckResult& result, const std::string& gradient, const std::filesystem::path& svg);
std::string sweep_text(const Sweep& s);
std::string sweep_svg(const Sweep& s);

}  // namespace bpdojo
