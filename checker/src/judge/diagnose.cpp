#include "judge/diagnose.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
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
  struct Candidate {
    double value;
    std::string kind;
    std::string text;
  };
  std::vector<Candidate> candidates = {
      {-1.0, "sign", "your " + in.name + " is the true one with the sign flipped"},
      {2.0, "times_2", "your " + in.name + " is 2 times the true one: a factor 2 counted twice?"},
      {0.5, "half", "your " + in.name + " is half the true one: the 2 of a square's derivative forgotten?"}};
  // Every size letter and its inverse (a sum or a mean over V is as easy to slip as over N), N
  // first; letters of one value are named together, as nothing tells them apart.
  std::vector<std::pair<std::int64_t, std::vector<std::string>>> values;
  auto add = [&](const std::string& letter, std::int64_t v) {
    if (v <= 1) return;
    const auto it = std::find_if(values.begin(), values.end(), [&](const auto& e) { return e.first == v; });
    if (it == values.end()) values.push_back({v, {letter}});
    else it->second.push_back(letter);
  };
  const auto batch = in.sizes.find("N");
  if (batch != in.sizes.end()) add("N", batch->second);
  for (const auto& [letter, v] : in.sizes)
    if (letter != "N") add(letter, v);
  for (const auto& [v, letters] : values) {
    std::string kind = letters[0];  // times_v, over_v
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string value = std::to_string(v), which = join(letters, " or ");
    const std::string times = join(letters, " = ") + " = " + value;
    const std::string over = join(letters, [](const std::string& l) { return "1/" + l; }, " = ") + " = 1/" + value;
    candidates.push_back({static_cast<double>(v), "times_" + kind,
                          "your " + in.name + " is " + times + " times the true one: a sum over " + which +
                              " where the mean belongs, or a missing 1/" + letters[0] + "?"});
    candidates.push_back({1.0 / static_cast<double>(v), "over_" + kind,
                          "your " + in.name + " is " + over + " times the true one: a mean over " + which + " where a sum belongs?"});
  }
  // A square root of a letter: attention's scale 1/sqrt(D) left out, or 1/D in its place.
  for (const auto& [v, letters] : values) {
    std::string kind = letters[0];
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const double root = std::sqrt(static_cast<double>(v));
    const std::string roots = join(letters, [](const std::string& l) { return "sqrt(" + l + ")"; }, " = ");
    const std::string value = fixed(root, 2);
    candidates.push_back({root, "times_sqrt_" + kind,
                          "your " + in.name + " is " + roots + " = " + value + " times the true one: a scale 1/sqrt(" + letters[0] +
                              ") left out?"});
    candidates.push_back({1.0 / root, "over_sqrt_" + kind,
                          "your " + in.name + " is 1/" + roots + " = 1/" + value + " times the true one: 1/" + letters[0] +
                              " where 1/sqrt(" + letters[0] + ") belongs, or the scale applied twice?"});
  }
  if (batch != in.sizes.end() && batch->second > 1) {
    const double N = static_cast<double>(batch->second);
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

// A wrong row or column must be off by this much of its own size to make a pattern: a factor near
// 1 (batch norm's n/(n-1) at N = 512, 2e-3) leaves a line or two right by chance, no loop.
constexpr double kLineWrongBy = 0.1;

// The rows of (a, n), sorted: right to the bar, or wrong. A row zero in both (an absent class, an
// unused character) is no evidence either way and is left out. `clean`: every wrong row is wrong
// throughout (each element not zero in both is off; the label's entry alone is no row pattern)
// and by far more than the bar (kLineWrongBy of its own size).
struct LineSplit {
  std::vector<Index> right, wrong;
  Index zero = 0;
  bool clean = true;
};
LineSplit split_rows(const Matrix& a, const Matrix& n, double bar, double wrong_by = kLineWrongBy) {
  LineSplit s;
  for (Index r = 0; r < n.rows(); ++r) {
    const Eigen::ArrayXd x = a.row(r).transpose().array(), y = n.row(r).transpose().array();
    const Eigen::ArrayXd size = x.abs().max(y.abs()), off = (x - y).abs();
    if (size.maxCoeff() <= bar) {
      ++s.zero;
      continue;
    }
    if (off.maxCoeff() <= bar) {
      s.right.push_back(r);
      continue;
    }
    s.wrong.push_back(r);
    if (((size > bar) && (off <= bar)).any() || off.maxCoeff() < wrong_by * size.maxCoeff()) s.clean = false;
  }
  return s;
}

// Some rows or some columns right and the others not (or only the rows read more than once wrong).
std::optional<Diagnosis> rows_or_cols(const DiagnosisInput& in, const Matrix& a, const Matrix& n, double t) {
  const double bar = t * std::max(a.cwiseAbs().maxCoeff(), n.cwiseAbs().maxCoeff());
  const LineSplit rows = split_rows(a, n, bar);
  const LineSplit cols = split_rows(a.transpose(), n.transpose(), bar);
  // Rows read more than once: here the uses are the evidence, not the size of the error. A row
  // whose other uses add little (a leaf of exercise 16's tree read twice, one use's share small)
  // is off by a few percent when its last use overwrites the others, and still off throughout.
  const LineSplit used = in.row_uses.empty() ? LineSplit{} : split_rows(a, n, bar, 0.0);
  if (!in.row_uses.empty() && static_cast<Index>(in.row_uses.size()) == n.rows() && !used.wrong.empty() && used.clean) {
    auto uses = [&](Index r) { return in.row_uses[static_cast<std::size_t>(r)]; };
    // Evidence both ways: the wrong rows all read more than once, and a row read once right.
    const bool repeated_only = std::all_of(used.wrong.begin(), used.wrong.end(), [&](Index r) { return uses(r) > 1; });
    const bool once_right = std::any_of(used.right.begin(), used.right.end(), [&](Index r) { return uses(r) == 1; });
    if (repeated_only && once_right)
      return Diagnosis{"index_accumulation", "only rows used more than once are wrong (" + std::to_string(used.wrong.size()) +
                                                 " of them): add (+=) the gradient of every use, do not overwrite it"};
  }
  auto list = [](const std::vector<Index>& v) {  // the first five
    const std::vector<Index> shown(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(v.size(), 5)));
    return join(shown, [](Index i) { return std::to_string(i); }) + (v.size() > 5 ? ", ..." : "");
  };
  auto pattern = [](const LineSplit& s) { return s.clean && !s.right.empty() && !s.wrong.empty(); };
  auto share = [](const LineSplit& s) { return static_cast<double>(s.wrong.size()) / static_cast<double>(s.wrong.size() + s.right.size()); };
  auto counted = [](const LineSplit& s, const char* what) {
    const std::size_t total = s.right.size() + s.wrong.size();
    std::string text = std::to_string(s.right.size()) + " of " + std::to_string(total) + " " + what + " are right";
    if (s.zero > 0) text += " (" + std::to_string(s.zero) + " more are zero in both)";
    return text;
  };
  const bool some_rows = n.rows() > 1 && pattern(rows), some_cols = n.cols() > 1 && pattern(cols);
  // Of the two descriptions, the one that leaves the smaller share wrong.
  if (some_rows && (!some_cols || share(rows) <= share(cols)))
    return Diagnosis{"rows", counted(rows, "rows") + "; wrong: row " + list(rows.wrong) + " (a loop that misses some rows?)"};
  if (some_cols) return Diagnosis{"cols", counted(cols, "columns") + "; wrong: column " + list(cols.wrong)};
  return std::nullopt;
}

// Not zero where the true gradient is exactly zero, because the loss does not depend on those
// elements at all (a causal mask's positions s > t: no finite difference there moves the loss).
std::optional<Diagnosis> unreached(const DiagnosisInput& in, const Matrix& a, const Matrix& n, double t) {
  const double bar = t * std::max(a.cwiseAbs().maxCoeff(), n.cwiseAbs().maxCoeff());
  const auto exact_zero = (n.array() == 0.0);
  const auto leaked = (exact_zero && (a.array().abs() > bar)).count();
  if (leaked == 0 || exact_zero.count() == n.size()) return std::nullopt;
  return Diagnosis{"masked", std::to_string(leaked) + " elements of your " + in.name + " are not zero where the true one is exactly 0: " +
                                 "the loss does not depend on them (positions a mask hides?), so nothing may flow there"};
}

std::optional<Diagnosis> diagnose_against(const DiagnosisInput& in) {
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
  if (auto d = rows_or_cols(in, a, n, t)) return d;
  return unreached(in, a, n, t);
}

}  // namespace

std::optional<Diagnosis> diagnose(const DiagnosisInput& in) {
  std::optional<Diagnosis> d = diagnose_against(in);
  // Judged against what the learner's own wrong upstream gradients give: "the true one" is that.
  if (d && !in.given.empty())
    d->text += " (the true one given your " + join(in.given, ", ") + ", which " + (in.given.size() == 1 ? "is" : "are") + " wrong)";
  return d;
}

}  // namespace bpdojo
