// Exercise 01: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_01_chain_rule.hpp). Defined in problems/exercise_01_chain_rule.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_01_chain_rule.hpp"

namespace bpdojo {

// Seed 0 is the worked examples (docs/exercise_01.md); other seeds draw other numbers.
struct ChainRuleInstance {
  PartA a;
  PartB b;
  PartC c;
};
ChainRuleInstance exercise_01_instance(std::uint64_t seed);

}  // namespace bpdojo
