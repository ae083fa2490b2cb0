// Throws an exception of its own.
#include "bpdojo/exercise_03_tanh.hpp"

#include <stdexcept>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  throw std::runtime_error("index 17 out of range");  // <- the trace names this line
}

}  // namespace bpdojo
