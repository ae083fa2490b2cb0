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

Comparison compare_blocks(const Matrix& analytic, const Tensor& numeric, const std::vector<double>& floors, double threshold,
                          std::vector<std::size_t>* wrong_blocks) {
  if (wrong_blocks) wrong_blocks->clear();
  const auto blocks = static_cast<Index>(floors.size());
  if (blocks <= 1) {
    Comparison c = compare(analytic, numeric, floors.empty() ? 0.0 : floors.front(), threshold);
    if (wrong_blocks && !c.correct && c.shape_ok) wrong_blocks->push_back(0);
    return c;
  }
  Comparison c;
  c.shape_ok = analytic.rows() == numeric.value.rows() && analytic.cols() == numeric.value.cols();
  if (!c.shape_ok || numeric.value.rows() % blocks != 0) return c;
  const Index rows = numeric.value.rows() / blocks, cols = numeric.value.cols();
  c.correct = true;
  bool first = true;
  for (Index b = 0; b < blocks; ++b) {
    const Tensor part({rows, cols}, numeric.value.middleRows(b * rows, rows));
    const Comparison one = compare(analytic.middleRows(b * rows, rows), part, floors[static_cast<std::size_t>(b)], threshold);
    if (!one.correct && wrong_blocks) wrong_blocks->push_back(static_cast<std::size_t>(b));
    c.correct = c.correct && one.correct;
    c.analytic_norm = std::max(c.analytic_norm, one.analytic_norm);
    c.numeric_norm = std::max(c.numeric_norm, one.numeric_norm);
    c.max_abs_diff = std::max(c.max_abs_diff, one.max_abs_diff);
    const bool takes = one.nonfinite > 0 ? c.nonfinite == 0 : (c.nonfinite == 0 && (first || one.rel_error > c.rel_error));
    if (takes) {
      c.rel_error = one.rel_error;
      c.worst = b * rows * cols + one.worst;
    }
    c.nonfinite += one.nonfinite;
    first = false;
  }
  if (numeric.size() > 0) {
    c.worst_index = unflatten(numeric.shape, c.worst);
    c.worst_analytic = analytic.data()[c.worst];
    c.worst_numeric = numeric.data()[c.worst];
  }
  return c;
}

}  // namespace bpdojo
