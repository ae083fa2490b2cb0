// Exercise 02: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_02_linear.hpp). Defined in problems/exercise_02_linear.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_02_linear.hpp"

namespace bpdojo {

struct LinearInstance {
  LinearCache cache;
  Matrix b;   // (1,H)
  Matrix dy;  // (N,H) the fixed upstream gradient G of L = sum(y .* G)
};
LinearInstance exercise_02_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
