// Not hostile as such: a POSIX header, which the include rule does not allow (only the standard
// library, Eigen and bpdojo/...). Expected: refused, naming the header, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <unistd.h>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  (void)::getpid();
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
