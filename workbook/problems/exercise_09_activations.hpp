// Exercise 09: the instance, built by the workbook for the runner and the checker (the learner's
// signatures are in bpdojo/exercise_09_activations.hpp). Defined in problems/exercise_09_activations.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_09_activations.hpp"

namespace bpdojo {

// Every input is at least kKinkMargin away from 0, where ReLU and leaky ReLU have their kink: the
// finite differences never straddle it.
inline constexpr double kKinkMargin = 0.05;

// One activation's caches and its fixed upstream gradient G of L = sum(y .* G), each (N,D).
struct ActivationsInstance {
  SigmoidCache sigmoid;
  Matrix sigmoid_dy;
  ReluCache relu;
  Matrix relu_dy;
  LeakyReluCache leaky_relu;
  Matrix leaky_relu_dy;
  GeluCache gelu;
  Matrix gelu_dy;
};
ActivationsInstance exercise_09_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
