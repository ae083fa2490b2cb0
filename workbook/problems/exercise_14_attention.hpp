// Exercise 14: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_14_attention.hpp). Defined in problems/exercise_14_attention.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_14_attention.hpp"

namespace bpdojo {

struct AttentionInstance {
  HeadCache head;
  Matrix head_dout;  // (B*T,C) the fixed upstream gradient G of Part 1's L = sum(out .* G)
  AttentionCache heads;
  Matrix heads_dout;  // (B*T,C) Part 2's
};
AttentionInstance exercise_14_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
