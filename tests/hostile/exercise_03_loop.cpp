// Hostile: spins forever on the CPU. Expected: timed out after 10 s, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  volatile unsigned long spins = 0;
  for (;;) spins = spins + 1;
}

}  // namespace bpdojo
