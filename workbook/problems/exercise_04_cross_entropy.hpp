// Exercise 04: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_04_cross_entropy.hpp). Defined in problems/exercise_04_cross_entropy.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_04_cross_entropy.hpp"

namespace bpdojo {

CrossEntropyCache exercise_04_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
