// Adds matrices of different shapes: Eigen's size check fails, inside Eigen's headers, inlined here.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

namespace {
// A helper of the learner's own: the trace names the line in it, not the call.
Matrix local_gradient(const Matrix& h, const Matrix& dh) {
  return dh + h.transpose();  // <- the trace names this line
}
}  // namespace

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  grads.dx = local_gradient(cache.h, dh);
}

}  // namespace bpdojo
