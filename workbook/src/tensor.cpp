#include "bpdojo/tensor.hpp"

#include <stdexcept>
#include <utility>

namespace bpdojo {

std::int64_t numel(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

Index storage_cols(const Shape& shape) { return shape.empty() ? 1 : static_cast<Index>(shape.back()); }

Index storage_rows(const Shape& shape) {
  if (shape.empty()) return 1;
  Index rows = 1;
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) rows *= static_cast<Index>(shape[i]);
  return rows;
}

std::string to_string(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

std::vector<std::int64_t> unflatten(const Shape& shape, std::int64_t flat) {
  std::vector<std::int64_t> index(shape.size(), 0);
  for (std::size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

Shape shape_of(const Matrix& m) { return {static_cast<std::int64_t>(m.rows()), static_cast<std::int64_t>(m.cols())}; }

Tensor::Tensor(Shape s, Matrix v) : shape(std::move(s)), value(std::move(v)) {
  if (value.rows() != storage_rows(shape) || value.cols() != storage_cols(shape))
    throw std::invalid_argument("tensor of shape " + to_string(shape) + " stored in a " +
                                std::to_string(value.rows()) + "x" + std::to_string(value.cols()) + " matrix");
}

Tensor Tensor::zeros(const Shape& shape) { return {shape, Matrix::Zero(storage_rows(shape), storage_cols(shape))}; }

Tensor Tensor::scalar(double v) { return {Shape{}, Matrix::Constant(1, 1, v)}; }

}  // namespace bpdojo
