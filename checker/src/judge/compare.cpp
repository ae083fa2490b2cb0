#include "judge/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bpdojo {

Comparison compare(const Matrix& analytic, const Tensor& numeric, double floor, double threshold) {
  Comparison c;
  c.shape_ok = analytic.rows() == numeric.value.rows() && analytic.cols() == numeric.value.cols();
  if (!c.shape_ok) return c;
  const std::int64_t n = numeric.size();
  std::int64_t first_nonfinite = -1;
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = analytic.data()[i], x = numeric.data()[i];
    if (!std::isfinite(a)) {
      if (first_nonfinite < 0) first_nonfinite = i;
      ++c.nonfinite;
      continue;
    }
    c.analytic_norm = std::max(c.analytic_norm, std::abs(a));
    c.numeric_norm = std::max(c.numeric_norm, std::abs(x));
    const double d = std::abs(a - x);
    if (d > c.max_abs_diff || (i == 0)) {
      if (d > c.max_abs_diff) c.max_abs_diff = d;
      c.worst = i;
    }
  }
  if (c.nonfinite > 0) {
    c.worst = first_nonfinite;
    c.max_abs_diff = std::numeric_limits<double>::infinity();
    c.rel_error = std::numeric_limits<double>::infinity();
  } else {
    const double denom = std::max({c.analytic_norm, c.numeric_norm, floor});
    c.rel_error = denom > 0.0 ? c.max_abs_diff / denom : 0.0;
  }
  if (n > 0) {
    c.worst_index = unflatten(numeric.shape, c.worst);
    c.worst_analytic = analytic.data()[c.worst];
    c.worst_numeric = numeric.data()[c.worst];
  }
  c.correct = c.nonfinite == 0 && c.rel_error <= threshold;
  return c;
}

}  // namespace bpdojo
