// Exercise 12: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_12_layer_norm.hpp). Defined in problems/exercise_12_layer_norm.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_12_layer_norm.hpp"

namespace bpdojo {

struct LayerNormInstance {
  LayerNormCache cache;
  Matrix dout;  // (N,C) the fixed upstream gradient G of L = sum(out .* G)
};
LayerNormInstance exercise_12_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
