#include "judge/diagnose.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cmath>

namespace bpdojo {
namespace {

// a equals b (same shape) up to the threshold, relative to the larger of the two.
bool same(const Matrix& a, const Matrix& b, double threshold) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || !a.allFinite()) return false;
  const double scale = std::max({a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff(), 1e-300});
  return (a - b).cwiseAbs().maxCoeff() <= threshold * scale;
}

std::string shape_text(Index rows, Index cols) {
  return "(" + std::to_string(rows) + "," + std::to_string(cols) + ")";
}

std::optional<Diagnosis> ratio(const DiagnosisInput& in, const Matrix& a, const Matrix& n) {
  const double nn = n.squaredNorm();
  if (!(nn > 0.0)) return std::nullopt;
  const double r = (a.array() * n.array()).sum() / nn;
  if (!same(a, r * n, in.threshold)) return std::nullopt;
  const double N = static_cast<double>(in.batch);
  struct Candidate {
    double value;
    const char* kind;
    std::string text;
  };
  std::vector<Candidate> candidates = {
      {-1.0, "sign", "your " + in.name + " is the true one with the sign flipped"},
      {2.0, "times_2", "your " + in.name + " is 2 times the true one: a factor 2 counted twice?"},
      {0.5, "half", "your " + in.name + " is half the true one: the 2 of a square's derivative forgotten?"}};
  if (in.batch > 1) {
    const std::string n_text = std::to_string(in.batch);
    candidates.push_back({N, "times_n", "your " + in.name + " is N = " + n_text +
                                            " times the true one: a sum where the mean belongs, or a missing 1/N?"});
    candidates.push_back({1.0 / N, "over_n", "your " + in.name + " is 1/N = 1/" + n_text +
                                                 " times the true one: a mean where a sum belongs?"});
    candidates.push_back({N / (N - 1.0), "bessel", "your " + in.name + " is N/(N-1) times the true one: 1/(N-1) where 1/N belongs?"});
    candidates.push_back({(N - 1.0) / N, "biased", "your " + in.name + " is (N-1)/N times the true one: the biased variance (1/N)? "
                                                   "The workbook uses Bessel's 1/(N-1)"});
  }
  for (const auto& c : candidates)
    if (std::abs(r - c.value) <= 1e-6 * std::abs(c.value)) return Diagnosis{c.kind, c.text};
  return std::nullopt;
}

// The right numbers in the wrong shape: transposed, not summed, a broadcast row or column, summed
// over the batch, or another view of the same numbers.
std::optional<Diagnosis> shape_mistake(const DiagnosisInput& in, const Matrix& a, const Matrix& n, double t) {
  if (a.rows() == n.cols() && a.cols() == n.rows() && same(a.transpose(), n, t))
    return Diagnosis{"transposed", "your " + in.name + " is the transpose of the true one"};
  if (n.rows() == 1 && a.cols() == n.cols() && a.rows() > 1 && same(a.colwise().sum(), n, t))
    return Diagnosis{"not_summed", "your " + in.name + " has one row per example: sum it over the batch (rows) to " +
                                       shape_text(n.rows(), n.cols())};
  if (n.cols() == 1 && a.rows() == n.rows() && a.cols() > 1 && same(a.rowwise().sum(), n, t))
    return Diagnosis{"not_summed", "your " + in.name + " has one column per class: sum it over the columns to " +
                                       shape_text(n.rows(), n.cols())};
  if (a.rows() == 1 && n.rows() > 1 && a.cols() == n.cols() && same(a.replicate(n.rows(), 1), n, t))
    return Diagnosis{"broadcast", "your " + in.name + " is one row " + shape_text(a.rows(), a.cols()) + " where " +
                                      shape_text(n.rows(), n.cols()) + " is due: every row is the same, so repeat it"};
  if (a.cols() == 1 && n.cols() > 1 && a.rows() == n.rows() && same(a.replicate(1, n.cols()), n, t))
    return Diagnosis{"broadcast", "your " + in.name + " is one column " + shape_text(a.rows(), a.cols()) + " where " +
                                      shape_text(n.rows(), n.cols()) + " is due: every column is the same, so repeat it"};
  if (a.rows() == 1 && n.rows() > 1 && a.cols() == n.cols() && same(a, n.colwise().sum(), t))
    return Diagnosis{"summed", "your " + in.name + " is summed over the batch: each example keeps its own row " +
                                   shape_text(n.rows(), n.cols())};
  if (a.size() == n.size()) {
    const Matrix view = Eigen::Map<const Matrix>(a.data(), n.rows(), n.cols());
    if (same(view, n, t))
      return Diagnosis{"reshape", "the right numbers in the wrong shape: view your " + shape_text(a.rows(), a.cols()) +
                                      " as " + shape_text(n.rows(), n.cols()) + " (row-major)"};
  }
  return std::nullopt;
}

// Some rows or some columns right and the others not (or only the rows read more than once wrong).
std::optional<Diagnosis> rows_or_cols(const DiagnosisInput& in, const Matrix& a, const Matrix& n, double t) {
  const double scale = std::max(a.cwiseAbs().maxCoeff(), n.cwiseAbs().maxCoeff());
  auto right = [&](const auto& x, const auto& y) { return (x - y).cwiseAbs().maxCoeff() <= t * scale; };
  std::vector<Index> wrong_rows, wrong_cols;
  for (Index r = 0; r < n.rows(); ++r)
    if (!right(a.row(r), n.row(r))) wrong_rows.push_back(r);
  for (Index c = 0; c < n.cols(); ++c)
    if (!right(a.col(c), n.col(c))) wrong_cols.push_back(c);
  if (!in.row_uses.empty() && static_cast<Index>(in.row_uses.size()) == n.rows() && !wrong_rows.empty()) {
    const bool repeated_only = std::all_of(wrong_rows.begin(), wrong_rows.end(),
                                           [&](Index r) { return in.row_uses[static_cast<std::size_t>(r)] > 1; });
    if (repeated_only)
      return Diagnosis{"index_accumulation", "only rows used more than once are wrong (" + std::to_string(wrong_rows.size()) +
                                                 " of them): add (+=) the gradient of every use, do not overwrite it"};
  }
  auto list = [](const std::vector<Index>& v) {  // the first five
    const std::vector<Index> shown(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(v.size(), 5)));
    return join(shown, [](Index i) { return std::to_string(i); }) + (v.size() > 5 ? ", ..." : "");
  };
  const bool some_rows = n.rows() > 1 && !wrong_rows.empty() && static_cast<Index>(wrong_rows.size()) < n.rows();
  const bool some_cols = n.cols() > 1 && !wrong_cols.empty() && static_cast<Index>(wrong_cols.size()) < n.cols();
  // Of the two descriptions, the one that leaves the smaller share wrong.
  const double row_share = static_cast<double>(wrong_rows.size()) / static_cast<double>(n.rows());
  const double col_share = static_cast<double>(wrong_cols.size()) / static_cast<double>(n.cols());
  if (some_rows && (!some_cols || row_share <= col_share))
    return Diagnosis{"rows", std::to_string(n.rows() - static_cast<Index>(wrong_rows.size())) + " of " + std::to_string(n.rows()) +
                                 " rows are right; wrong: row " + list(wrong_rows) + " (a loop that misses some rows?)"};
  if (some_cols)
    return Diagnosis{"cols", std::to_string(n.cols() - static_cast<Index>(wrong_cols.size())) + " of " + std::to_string(n.cols()) +
                                 " columns are right; wrong: column " + list(wrong_cols)};
  return std::nullopt;
}

}  // namespace

std::optional<Diagnosis> diagnose(const DiagnosisInput& in) {
  const Matrix& a = in.analytic;
  const Matrix& n = in.numeric.value;
  const double t = in.threshold;
  if (a.size() > 0 && !a.allFinite()) {
    const auto bad = (!a.array().isFinite()).count();
    return Diagnosis{"nonfinite", std::to_string(bad) + " of " + std::to_string(a.size()) + " elements of your " + in.name +
                                      " are NaN or Inf: a log or a division of zero, or a matrix never initialised?"};
  }
  const bool shape_ok = a.rows() == n.rows() && a.cols() == n.cols();
  if (!shape_ok) return shape_mistake(in, a, n, t);
  if (a.size() == 0) return std::nullopt;
  if (a.cwiseAbs().maxCoeff() == 0.0 && n.cwiseAbs().maxCoeff() > 0.0)
    return Diagnosis{"zeros", "your " + in.name + " is all zeros"};
  if (auto r = ratio(in, a, n)) return r;
  if (n.rows() == n.cols() && n.rows() > 1 && same(a.transpose(), n, t))
    return Diagnosis{"transposed", "your " + in.name + " is the transpose of the true one"};
  {
    // Read in the other storage order: a column-major view of the true gradient's numbers.
    const Matrix colmajor = Eigen::Map<const Eigen::MatrixXd>(n.data(), n.rows(), n.cols());
    if (n.rows() > 1 && n.cols() > 1 && same(a, colmajor, t))
      return Diagnosis{"storage_order", "your " + in.name + " holds the right numbers in column-major order: reshape "
                                                            "with Eigen::Map<const Matrix> (row-major), not Eigen::MatrixXd"};
  }
  return rows_or_cols(in, a, n, t);
}

}  // namespace bpdojo
