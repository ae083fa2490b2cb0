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
