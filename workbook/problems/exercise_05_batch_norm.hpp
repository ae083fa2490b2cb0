// Exercise 05: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_05_batch_norm.hpp). Defined in problems/exercise_05_batch_norm.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_05_batch_norm.hpp"

namespace bpdojo {

struct BatchNormInstance {
  BatchNormCache cache;
  Matrix dhpreact;  // (N,H) the fixed upstream gradient G of L = sum(hpreact .* G)
};
BatchNormInstance exercise_05_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
