// Exercise 03: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_03_tanh.hpp). Defined in problems/exercise_03_tanh.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

struct TanhInstance {
  Matrix x;         // (N,H)
  TanhCache cache;  // from the forward pass
  Matrix dh;        // (N,H) the fixed upstream gradient G of L = sum(h .* G)
};
TanhInstance exercise_03_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
