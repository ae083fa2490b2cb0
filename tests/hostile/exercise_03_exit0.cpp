// Hostile: exits with code 0 before setting dx. Expected: a verdict saying it exited before it
// finished, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdlib>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::exit(0);
}

}  // namespace bpdojo
