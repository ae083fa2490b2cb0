// Exercise 13: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_13_rnn.hpp). Defined in problems/exercise_13_rnn.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_13_rnn.hpp"

namespace bpdojo {

struct RnnInstance {
  RnnBatch batch;
  RnnParams params;
  RnnCache cache;
  int k = 0;  // the truncation of the second call (size letter K)
};
RnnInstance exercise_13_instance(std::uint64_t seed, const Sizes& sizes);

}  // namespace bpdojo
