// Backprop Dojo: the one matrix type of the workbook, and tensor shapes.
//
// Storage order: every matrix in the workbook is ROW-MAJOR (as NumPy and PyTorch store them).
// A batch of N examples is N rows. A tensor of rank r > 2, such as emb (N,3,10), is stored as a
// row-major Matrix whose columns are the last dimension and whose rows run over all the others in
// order: emb is a (N*3, 10) Matrix, and row n*3+k holds emb[n][k]. Reshaping it to embcat (N,30)
// therefore keeps each example's numbers together and is a no-op on the data.
#pragma once

#include "bpdojo/eigen.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bpdojo {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Index = Eigen::Index;
// Integer data (character indices): row-major too.
using IntMatrix = Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// The correct class of each example: N integers in [0, V).
using Labels = std::vector<int>;

// The logical shape of a tensor, outermost dimension first. Rank 0 is a scalar.
using Shape = std::vector<std::int64_t>;

// Number of elements of a shape (1 for a scalar).
std::int64_t numel(const Shape& shape);
// The (rows, cols) a tensor of this shape is stored in: cols = last dim, rows = product of the rest.
Index storage_rows(const Shape& shape);
Index storage_cols(const Shape& shape);
// "(32, 27)", "()" for a scalar.
std::string to_string(const Shape& shape);
// The multi-index of flat element `flat` in a row-major tensor of this shape.
std::vector<std::int64_t> unflatten(const Shape& shape, std::int64_t flat);
// A shape of the matrix itself, (rows, cols).
Shape shape_of(const Matrix& m);

// A named value with its logical shape: what crosses the protocol and what the checker compares.
struct Tensor {
  Shape shape;
  Matrix value;  // storage_rows(shape) x storage_cols(shape), row-major

  Tensor() : value(Matrix::Zero(1, 1)) {}  // a scalar zero
  Tensor(Shape s, Matrix v);
  // A tensor of the given shape filled with zeros.
  static Tensor zeros(const Shape& shape);
  static Tensor scalar(double v);
  std::int64_t size() const { return numel(shape); }
  const double* data() const { return value.data(); }
  double* data() { return value.data(); }
};

}  // namespace bpdojo
