// Hostile: returns dx with the wrong shape (one column too many). Expected: wrong shape, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  grads.dx = Matrix::Zero(cache.h.rows(), cache.h.cols() + 1);
}

}  // namespace bpdojo
