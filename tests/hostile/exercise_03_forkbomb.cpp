// Hostile: forks without bound; every child forks again and spins. The children name themselves
// "bomb@TAG@" so the test can find any left behind. POSIX headers are refused, so fork() is
// declared by hand. Expected: timed out, 0 points, no process left after the run, the grader
// unharmed.
#include "bpdojo/exercise_03_tanh.hpp"

#include <fstream>

extern "C" int hostile_fork() __asm__("fork");

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  for (;;) {
    if (hostile_fork() == 0) std::ofstream("/proc/self/comm") << "bomb@TAG@";
  }
}

}  // namespace bpdojo
