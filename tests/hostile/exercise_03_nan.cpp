// Hostile: returns NaN and Inf in an otherwise correct dx. Expected: wrong, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <limits>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  Matrix dx = (1.0 - cache.h.array().square()) * dh.array();
  dx(0, 0) = std::numeric_limits<double>::quiet_NaN();
  dx(1, 1) = std::numeric_limits<double>::infinity();
  grads.dx = dx;
}

}  // namespace bpdojo
