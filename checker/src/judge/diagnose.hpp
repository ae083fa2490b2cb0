// Backprop Dojo checker: naming the shape of a mistake.
//
// When a gradient is wrong, a few mistakes leave a recognisable trace in the numbers: a constant
// ratio to the true gradient (a sign, a factor 2, a size letter or its inverse, n/(n-1)), a
// transpose, a missing or extra sum over the batch, a broadcast row, all zeros, NaN, some rows or
// columns right and the others not, rows of repeated indices overwritten instead of accumulated, a
// reshape read in the wrong storage order. Each test is exact up to the checker's threshold; when
// none fits, nothing is said (a wrong guess is worse than none).
#pragma once

#include "bpdojo/tensor.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bpdojo {

struct Diagnosis {
  std::string kind;  // "sign", "times_2", "half", "times_n", "over_n" (and times_/over_ of every size
                     // letter: times_v, over_h, ...), "bessel", "biased", "transposed", "not_summed",
                     // "summed", "broadcast", "zeros", "nonfinite", "rows", "cols",
                     // "index_accumulation", "storage_order", "reshape",
                     // "times_sqrt_d", "over_sqrt_d" (of every letter), "masked"
  std::string text;  // one line for the learner
};

struct DiagnosisInput {
  std::string name;          // "dbnvar"
  Matrix analytic;           // the learner's, as reported (rows, cols)
  // The checker's, with the node's shape: the true gradient, or the line's local reference when
  // gradients it is computed from are wrong (`given` names them, and the text says so).
  Tensor numeric;
  std::vector<std::string> given;
  // The problem's size letters (N batch, V, H, D) and their values: the ratios they explain.
  std::map<std::string, std::int64_t> sizes;
  // For a parameter read through indices (C in emb = C[Xb]): how often each of its rows is read.
  std::vector<int> row_uses;
  double threshold = 1e-6;   // the relative error counted as equal
};

std::optional<Diagnosis> diagnose(const DiagnosisInput& in);

}  // namespace bpdojo
