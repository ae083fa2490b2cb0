// Backprop Dojo checker: comparing the learner's gradient with the numeric one.
//
// relative error = ||a - n||_inf / max(||a||_inf, ||n||_inf, floor)
// The floor fits each gradient: kFloorRelative times the size of the terms summed into it
// (fd::NodeGradient::terms), so that a gradient whose true value is zero by cancellation (a correct
// dlogit_maxes, or db1 before batch norm) passes when the learner's is zero up to the rounding of
// those terms, while a small gradient that is not a cancellation is judged on its own size.
#pragma once

#include "bpdojo/tensor.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace bpdojo {

// One threshold for every gradient of every exercise. Correct solutions sit at least 100x below
// it and every entry of the mistake catalogue at least 100x above (tests/test_exercises.cpp,
// tests/test_mistakes.cpp); the numeric reference itself is 1000x below (tests/test_ground_truth.cpp).
inline constexpr double kThreshold = 1e-8;
// The floor of the denominator, relative to the size of the terms summed into the gradient (its own
// line's, and those carried back from the lines after it, fd::NodeGradient::terms). A sum of n terms in double rounds by up to
// about n * 1.1e-16 of their size (5.7e-14 at n = 512), and a fused step (batch norm in one
// formula) cancels terms the graph's paths do not show: over a batch of 2, a correct db1 of
// exercise 08 is off by up to 1e-12 of its terms. At 1e-2 that is 1e-10 of the floor, 100x below
// the threshold, while a gradient that is no cancellation (its size near its terms') is judged on
// its own size.
inline constexpr double kFloorRelative = 1e-2;
// And at least this many times the numeric reference's own uncertainty (fd::NodeGradient): an
// error the reference cannot resolve is 100x below the threshold. It matters only where the
// gradient is many orders below its terms' precision (batch norm over a batch of 2, a sum that
// cancels to zero).
inline constexpr double kFloorUncertainty = 100.0 / kThreshold;
// The floor of a gradient whose terms sum to `terms` at most and whose numeric value is uncertain
// by `uncertainty` at most (fd::NodeGradient).
inline double gradient_floor(double terms, double uncertainty) {
  return std::max(kFloorRelative * terms, kFloorUncertainty * uncertainty);
}

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

// The same for a stack (Graph::stack): floors.size() blocks of equal rows, each compared on its own
// floor, so that a block whose gradient is small (a step far back in time) is never judged against
// the size of another. Correct when every block is; the result is the worst block's (its flat index in
// the whole), the norms the largest, and `wrong_blocks` (if given) gets the blocks that fail. With one
// floor, compare().
Comparison compare_blocks(const Matrix& analytic, const Tensor& numeric, const std::vector<double>& floors,
                          double threshold = kThreshold, std::vector<std::size_t>* wrong_blocks = nullptr);

}  // namespace bpdojo
