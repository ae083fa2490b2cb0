// Hostile: writes through a null pointer. Expected: crashed: SIGSEGV, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  volatile int* p = nullptr;
  *p = 42;
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
