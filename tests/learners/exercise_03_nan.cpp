// Returns NaN in one element.
#include "bpdojo/exercise_03_tanh.hpp"

#include <limits>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  Matrix dx = (1.0 - cache.h.array().square()) * dh.array();
  dx(1, 2) = std::numeric_limits<double>::quiet_NaN();
  grads.dx = dx;
}

}  // namespace bpdojo
