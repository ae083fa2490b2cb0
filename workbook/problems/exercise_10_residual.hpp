// Exercise 10: the instance, built by the workbook for the runner and the checker (the learner's
// signatures are in bpdojo/exercise_10_residual.hpp). Defined in problems/exercise_10_residual.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_10_residual.hpp"

namespace bpdojo {

// Each block with its own input, parameters and fixed upstream gradient G of L = sum(y .* G).
struct ResidualInstance {
  BlockCache plain;
  Matrix plain_dy;  // (N,D)
  BlockCache residual;
  Matrix residual_dy;  // (N,D)
};
ResidualInstance exercise_10_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
