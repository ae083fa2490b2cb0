// Hostile: calls abort(). Expected: crashed: SIGABRT, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdlib>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::abort();
}

}  // namespace bpdojo
