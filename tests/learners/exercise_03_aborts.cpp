// Calls abort() (as a failed assert() does).
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdlib>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::abort();  // <- the trace names this line
}

}  // namespace bpdojo
