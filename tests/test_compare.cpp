#include "judge/compare.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

namespace {
Tensor numeric(std::initializer_list<double> v, Shape shape) {
  Tensor t = Tensor::zeros(shape);
  std::size_t i = 0;
  for (double x : v) t.data()[i++] = x;
  return t;
}
Matrix row(std::initializer_list<double> v) {
  Matrix m(1, static_cast<Index>(v.size()));
  Index i = 0;
  for (double x : v) m(0, i++) = x;
  return m;
}
}  // namespace

TEST_CASE("relative error is the max difference over the larger max norm") {
  const Comparison c = compare(row({1.0, 2.0, -4.0}), numeric({1.0, 2.5, -4.0}, {1, 3}), 1e-3);
  CHECK(c.shape_ok);
  CHECK(c.max_abs_diff == doctest::Approx(0.5));
  CHECK(c.rel_error == doctest::Approx(0.5 / 4.0));
  CHECK(c.worst == 1);
  CHECK(c.worst_index == std::vector<std::int64_t>{0, 1});
  CHECK(c.worst_analytic == 2.0);
  CHECK(c.worst_numeric == 2.5);
  CHECK_FALSE(c.correct);
}

TEST_CASE("a true zero gradient passes against the floor, and a real error against it does not") {
  const double floor = 1e-3;
  // Numeric noise of 1e-13 around a true zero: correct.
  CHECK(compare(row({0.0, 1e-18}), numeric({1e-13, -2e-13}, {1, 2}), floor).correct);
  // Both exactly zero.
  const Comparison z = compare(row({0.0, 0.0}), numeric({0.0, 0.0}, {1, 2}), floor);
  CHECK(z.correct);
  CHECK(z.rel_error == 0.0);
  // A wrong value of 1e-2 where the truth is zero.
  CHECK_FALSE(compare(row({1e-2, 0.0}), numeric({0.0, 0.0}, {1, 2}), floor).correct);
}

TEST_CASE("tiny gradients are judged relative to themselves when above the floor") {
  // Both 1e-2 scale, off by 1%: wrong even though the absolute difference is small.
  CHECK_FALSE(compare(row({0.0101}), numeric({0.0100}, {1, 1}), 1e-3).correct);
  CHECK(compare(row({0.0100000000001}), numeric({0.0100}, {1, 1}), 1e-3).correct);
}

TEST_CASE("NaN or Inf in the learner's gradient is wrong, pointing at the first one") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Comparison c = compare(row({1.0, nan, std::numeric_limits<double>::infinity()}), numeric({1.0, 1.0, 1.0}, {1, 3}), 1e-3);
  CHECK_FALSE(c.correct);
  CHECK(c.nonfinite == 2);
  CHECK(c.worst == 1);
  CHECK(std::isinf(c.rel_error));
}

TEST_CASE("mismatched shapes are caught before any number is compared") {
  Matrix col(3, 1);
  col << 1, 2, 3;
  const Comparison c = compare(col, numeric({1, 2, 3}, {1, 3}), 1e-3);
  CHECK_FALSE(c.shape_ok);
  CHECK_FALSE(c.correct);
  // A rank-3 tensor is stored as (rows over the leading dims, last dim): (2*3, 2) is right, (2, 6) is not.
  Tensor emb = Tensor::zeros({2, 3, 2});
  CHECK(compare(Matrix::Zero(6, 2), emb, 1e-3).shape_ok);
  CHECK_FALSE(compare(Matrix::Zero(2, 6), emb, 1e-3).shape_ok);
}

TEST_CASE("a stack is judged block by block: a small block's error is not measured against a large one") {
  // Three blocks of (1,2): the first a thousand times smaller than the last (a gradient vanishing
  // back in time), off by 1e-6 of itself; the whole tensor's relative error would be 1e-9.
  const Tensor n = numeric({1e-3, -2e-3, 0.5, 0.25, 1.0, -1.0}, {3, 2});
  Matrix a = n.value;
  a(0, 0) *= 1.0 + 1e-6;
  CHECK(compare(a, n, 1e-9).correct);  // one tensor: 1e-9, below the bar
  std::vector<std::size_t> wrong;
  const Comparison c = compare_blocks(a, n, {1e-5, 1e-5, 1e-5}, kThreshold, &wrong);
  CHECK_FALSE(c.correct);
  CHECK(wrong == std::vector<std::size_t>{0});
  CHECK(c.rel_error == doctest::Approx(0.5e-6));  // 1e-9 over the block's max 2e-3
  CHECK(c.worst == 0);
  CHECK(c.worst_index == std::vector<std::int64_t>{0, 0});
  // Each block on its own floor: a zero block passes against a floor of its own, and a block whose
  // floor is large absorbs what it should.
  Matrix z = n.value;
  z.row(1).setZero();
  const Tensor nz({3, 2}, z);
  z(1, 0) = 1e-17;
  CHECK(compare_blocks(z, nz, {1e-5, 1e-5, 1e-5}, kThreshold, &wrong).correct);
  CHECK(wrong.empty());
  z(1, 0) = 1e-12;
  CHECK_FALSE(compare_blocks(z, nz, {1e-5, 1e-5, 1e-5}, kThreshold, &wrong).correct);
  CHECK(wrong == std::vector<std::size_t>{1});
  CHECK(compare_blocks(z, nz, {1e-5, 1e-3, 1e-5}, kThreshold).correct);
  // Several wrong blocks: all listed, the worst reported with its index in the whole.
  Matrix b = n.value;
  b(1, 1) += 1e-3;
  b(2, 0) += 1e-2;
  const Comparison both = compare_blocks(b, n, {0.0, 0.0, 0.0}, kThreshold, &wrong);
  CHECK(wrong == std::vector<std::size_t>{1, 2});
  CHECK(both.worst == 4);
  CHECK(both.worst_index == std::vector<std::int64_t>{2, 0});
  // The shape first; one floor is compare() itself.
  CHECK_FALSE(compare_blocks(Matrix::Zero(2, 3), n, {0.0, 0.0, 0.0}).shape_ok);
  const Comparison one = compare_blocks(a, n, {1e-3});
  CHECK(one.rel_error == compare(a, n, 1e-3).rel_error);
}

TEST_SUITE_END();
