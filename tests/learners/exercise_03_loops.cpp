// Never returns.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  volatile double sink = 0;
  for (;;) sink = sink + cache.h(0, 0) * dh(0, 0);
}

}  // namespace bpdojo
