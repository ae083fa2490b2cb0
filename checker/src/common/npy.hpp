// Backprop Dojo checker: NumPy's .npy format (version 1.0, little-endian float64, C order), so
// that an instance and its gradients can be loaded with numpy.load for cross-checking.
#pragma once

#include "bpdojo/tensor.hpp"

#include <filesystem>
#include <string>

namespace bpdojo {

// Writes `values` (numel(shape) doubles, row-major) as an .npy file; throws std::runtime_error.
void write_npy(const std::filesystem::path& path, const Shape& shape, const double* values);
inline void write_npy(const std::filesystem::path& path, const Tensor& t) { write_npy(path, t.shape, t.data()); }

// Reads an .npy file written as above (float64, C order); throws std::runtime_error otherwise.
Tensor read_npy(const std::filesystem::path& path);

}  // namespace bpdojo
