// Backprop Dojo: a seeded random generator that gives the same numbers on every compiler and
// platform. The standard library's distributions (std::normal_distribution and friends) are
// implementation-defined, so the workbook never uses them: instances, hidden grading seeds and
// training batches all come from here.
#pragma once

#include "bpdojo/tensor.hpp"

#include <cstdint>

namespace bpdojo {

// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  // A derived, independent stream: Rng(seed).fork("W1") is the same on every run.
  Rng fork(const char* label) const;

  std::uint64_t next_u64();
  // Uniform in [0, 1), 53 random bits.
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n);
  // Approximately standard normal: the sum of 12 uniforms minus 6 (Irwin-Hall), mean 0, variance 1,
  // range (-6, 6). Built from + and * only, so its bits are the same on every platform.
  double normal();

  // An index drawn with probability softmax(logits) (one row), by inverse transform sampling: a
  // uniform times the sum of exp(logits - max), walked through in order (the last index when
  // rounding leaves some of it over). The samplers of exercises 08 and 13 share it.
  Index softmax_sample(const Matrix& logits);

  // A (rows, cols) matrix of normal(), times `scale`.
  Matrix normal_matrix(Index rows, Index cols, double scale = 1.0);
  Matrix uniform_matrix(Index rows, Index cols, double lo, double hi);

 private:
  std::uint64_t s_[4];
};

}  // namespace bpdojo
