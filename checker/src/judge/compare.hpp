// Backprop Dojo checker: comparing the learner's gradient with the numeric one.
//
// relative error = ||a - n||_inf / max(||a||_inf, ||n||_inf, floor)
// The floor is scaled to the problem (see check.cpp), so that a gradient whose true value is zero
// (a correct dlogit_maxes) passes when the learner's is zero up to rounding.
#pragma once

#include "bpdojo/tensor.hpp"

#include <cstdint>
#include <vector>

namespace bpdojo {

// One threshold for every gradient of every exercise. Correct solutions sit at least 100x below
// it and every entry of the mistake catalogue at least 100x above (tests/test_mistakes.cpp).
inline constexpr double kThreshold = 1e-6;
// The floor of the denominator, relative to the largest numeric gradient of the problem.
inline constexpr double kFloorRelative = 1e-3;

struct Comparison {
  bool shape_ok = false;
  double max_abs_diff = 0.0;
  double rel_error = 0.0;  // +inf when the analytic gradient holds NaN or Inf
  double analytic_norm = 0.0;
  double numeric_norm = 0.0;
  std::int64_t worst = 0;                 // flat index of the largest |a - n| (or the first non-finite)
  std::vector<std::int64_t> worst_index;  // the same, as a multi-index of the expected shape
  double worst_analytic = 0.0;
  double worst_numeric = 0.0;
  std::int64_t nonfinite = 0;  // how many elements of the analytic gradient are NaN or Inf
  bool correct = false;
};

// `analytic` as the learner reported it (a rows x cols matrix); `numeric` with its logical shape.
Comparison compare(const Matrix& analytic, const Tensor& numeric, double floor, double threshold = kThreshold);

}  // namespace bpdojo
