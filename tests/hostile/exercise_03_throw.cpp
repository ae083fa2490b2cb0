// Hostile: throws before setting dx, with bytes that are not UTF-8 in the exception's text.
// Expected: an error verdict naming the exception's text, 0 points, and results.jsonl and the
// Gradescope files still valid JSON.
#include "bpdojo/exercise_03_tanh.hpp"

#include <stdexcept>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  throw std::runtime_error("hostile exception thrown on purpose \xff\xfe");
}

}  // namespace bpdojo
