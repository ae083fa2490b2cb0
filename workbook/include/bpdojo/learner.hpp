// Backprop Dojo: what an exercise file sees. Every exercise header includes this.
//
//   Matrix   the workbook's row-major matrix of doubles (see tensor.hpp)
//   Grad     one gradient you are asked for: assign a Matrix (or an Eigen expression, or a
//            double for a scalar) to it. It starts unset; the checker judges what you assigned.
//            Read it back as the Matrix you assigned: in expressions (grads.dh * W.transpose(),
//            2.0 * grads.dx), with the Matrix's own methods (grads.dprobs.array(), .transpose(),
//            .row(i), .colwise(), .sum(), (i, j), ...) or all of it at once with .value().
//   TODO()   marks unfinished work: it stops your function there, and every gradient you set
//            before it is still judged.
#pragma once

#include "bpdojo/tensor.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace bpdojo {

// Thrown by TODO(): "this part is not written yet".
class NotImplemented : public std::runtime_error {
 public:
  explicit NotImplemented(const std::string& what) : std::runtime_error(what) {}
};

// Marks unfinished code. The message says what is missing ("dx").
[[noreturn]] inline void TODO(const std::string& what) { throw NotImplemented(what); }

namespace detail {
// Where a Grad reports each assignment as it happens (set by the runner; null elsewhere), so a
// gradient set before a crash still reaches the checker.
class GradSink {
 public:
  virtual ~GradSink() = default;
  virtual void publish(const char* name, const Matrix& value) = 0;
};
GradSink*& grad_sink();
}  // namespace detail

class Grad {
 public:
  explicit Grad(const char* name) : name_(name) {}
  Grad(const Grad&) = delete;
  // One gradient set from another takes its value (its name stays): grads.demb = grads.dembcat.
  Grad& operator=(const Grad& other) { return set(Matrix(other.value())); }

  template <class Derived>
  Grad& operator=(const Eigen::MatrixBase<Derived>& m) {
    return set(Matrix(m));
  }
  template <class Derived>
  Grad& operator=(const Eigen::ArrayBase<Derived>& a) {
    return set(Matrix(a.matrix()));
  }
  // A scalar gradient (stored as a 1x1 matrix).
  Grad& operator=(double v) { return set(Matrix::Constant(1, 1, v)); }

  // Accumulates: an unset gradient counts as zero of the added shape.
  template <class Derived>
  Grad& operator+=(const Eigen::MatrixBase<Derived>& m) {
    Matrix add(m);
    if (!set_) return set(std::move(add));
    if (add.rows() != value_.rows() || add.cols() != value_.cols())
      throw std::invalid_argument(std::string("Grad ") + name_ + " += a matrix of another shape");
    return set(Matrix(value_ + add));
  }
  template <class Derived>
  Grad& operator+=(const Eigen::ArrayBase<Derived>& a) {
    return *this += a.matrix();
  }
  Grad& operator+=(double v) { return *this += Matrix::Constant(1, 1, v); }
  Grad& operator+=(const Grad& other) { return *this += Matrix(other.value()); }

  bool is_set() const { return set_; }
  const char* name() const { return name_; }
  // The value you assigned; reading an unset gradient throws.
  const Matrix& value() const {
    if (!set_) throw std::logic_error(std::string(name_) + " is read before it was set");
    return value_;
  }
  operator const Matrix&() const { return value(); }  // NOLINT: reading a Grad as a Matrix is the point

  // The Matrix's own methods, read back (a conversion is not looked at for a member call).
  auto array() const { return value().array(); }
  const Matrix& matrix() const { return value(); }
  auto transpose() const { return value().transpose(); }
  auto row(Index i) const { return value().row(i); }
  auto col(Index j) const { return value().col(j); }
  auto rowwise() const { return value().rowwise(); }
  auto colwise() const { return value().colwise(); }
  auto cwiseAbs() const { return value().cwiseAbs(); }
  template <class Derived>
  auto cwiseProduct(const Eigen::MatrixBase<Derived>& m) const {
    return value().cwiseProduct(m);
  }
  double operator()(Index i, Index j) const { return value()(i, j); }
  double sum() const { return value().sum(); }
  double mean() const { return value().mean(); }
  Index rows() const { return value().rows(); }
  Index cols() const { return value().cols(); }
  Index size() const { return value().size(); }

 private:
  Grad& set(Matrix v) {
    value_ = std::move(v);
    set_ = true;
    if (detail::GradSink* sink = detail::grad_sink()) sink->publish(name_, value_);
    return *this;
  }
  const char* name_;
  Matrix value_;
  bool set_ = false;
};

// A Grad in an expression is the Matrix it holds: products, sums and differences with matrices,
// with other Grads and with scalars. (Eigen's operators are templates on its own types and never
// convert a Grad, so these say it.)
template <class D>
auto operator*(const Grad& g, const Eigen::MatrixBase<D>& m) { return g.value() * m; }
template <class D>
auto operator*(const Eigen::MatrixBase<D>& m, const Grad& g) { return m * g.value(); }
inline auto operator*(const Grad& a, const Grad& b) { return a.value() * b.value(); }
inline auto operator*(double s, const Grad& g) { return s * g.value(); }
inline auto operator*(const Grad& g, double s) { return g.value() * s; }
inline auto operator/(const Grad& g, double s) { return g.value() / s; }
inline auto operator-(const Grad& g) { return -g.value(); }
template <class D>
auto operator+(const Grad& g, const Eigen::MatrixBase<D>& m) { return g.value() + m; }
template <class D>
auto operator+(const Eigen::MatrixBase<D>& m, const Grad& g) { return m + g.value(); }
inline auto operator+(const Grad& a, const Grad& b) { return a.value() + b.value(); }
template <class D>
auto operator-(const Grad& g, const Eigen::MatrixBase<D>& m) { return g.value() - m; }
template <class D>
auto operator-(const Eigen::MatrixBase<D>& m, const Grad& g) { return m - g.value(); }
inline auto operator-(const Grad& a, const Grad& b) { return a.value() - b.value(); }

}  // namespace bpdojo
