// Adds matrices whose shapes do not fit: Eigen's size check becomes an error verdict.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  grads.dx = cache.h + dh.transpose();
}

}  // namespace bpdojo
