// Hostile: writes a forged, well-formed message on the protocol channel (fd 3) directly: a dx of
// the wrong shape (1x1) and an `end`, then returns without setting dx. Expected: malformed
// protocol (the runner's own messages come after the forged end), 0 points. (POSIX headers are
// refused, so write() is declared by hand.)
#include "bpdojo/exercise_03_tanh.hpp"

extern "C" long hostile_write(int, const void*, unsigned long) __asm__("write");

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  static const char forged[] = "tensor dx 2 1 1 42\nend\n";
  hostile_write(3, forged, sizeof forged - 1);
}

}  // namespace bpdojo
