// Backprop Dojo: how the workbook includes Eigen. Include this (or any workbook header), never
// <Eigen/Dense> first.
//
// Eigen checks sizes and indices with eigen_assert, which a release build compiles away: adding a
// (N,H) matrix to a (H,N) one is then undefined behaviour, usually garbage or a crash. The workbook
// keeps the checks in every build and turns a failed one into an exception, so a shape mistake in
// learner code becomes an error verdict that quotes the failed condition.
#pragma once

#ifdef EIGEN_CORE_H
#error "include bpdojo/eigen.hpp (or a workbook header) before any Eigen header"
#endif

namespace bpdojo::detail {
[[noreturn]] void eigen_assert_failed(const char* condition, const char* file, int line);
}  // namespace bpdojo::detail

#define eigen_assert(x) \
  do {                  \
    if (!static_cast<bool>(x)) ::bpdojo::detail::eigen_assert_failed(#x, __FILE__, __LINE__); \
  } while (false)

#include <Eigen/Dense>

// A learner's file is compiled at every edit, and one matrix product in it used to instantiate
// Eigen's product kernels there: a fifth of that compile (bench/README.md). The products of
// doubles, in every storage order, are instantiated once instead, in the workbook (src/eigen.cpp,
// at the workbook's optimisation level), and every file that includes this header calls those.
#if EIGEN_WORLD_VERSION == 3 && EIGEN_MAJOR_VERSION == 4
#define BPDOJO_EIGEN_PRODUCTS(how)                                                                                     \
  namespace Eigen::internal {                                                                                          \
  how struct general_matrix_matrix_product<Index, double, ColMajor, false, double, ColMajor, false, ColMajor, 1>;      \
  how struct general_matrix_matrix_product<Index, double, ColMajor, false, double, RowMajor, false, ColMajor, 1>;      \
  how struct general_matrix_matrix_product<Index, double, RowMajor, false, double, ColMajor, false, ColMajor, 1>;      \
  how struct general_matrix_matrix_product<Index, double, RowMajor, false, double, RowMajor, false, ColMajor, 1>;      \
  how struct general_matrix_vector_product<Index, double, const_blas_data_mapper<double, Index, ColMajor>, ColMajor,   \
                                           false, double, const_blas_data_mapper<double, Index, RowMajor>, false, 0>; \
  how struct general_matrix_vector_product<Index, double, const_blas_data_mapper<double, Index, RowMajor>, RowMajor,   \
                                           false, double, const_blas_data_mapper<double, Index, ColMajor>, false, 0>; \
  }
BPDOJO_EIGEN_PRODUCTS(extern template)
#endif
