// Hostile: sleeps 1000 s (no CPU time used). Expected: timed out after 10 s, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <chrono>
#include <thread>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::this_thread::sleep_for(std::chrono::seconds(1000));
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
