// Hostile: writes garbage bytes on the protocol channel (fd 3) directly, then sets the correct dx.
// The stream is broken from there on: expected 0 points, and a verdict that says the protocol
// stream was corrupt. (POSIX headers are refused, so write() is declared by hand.)
#include "bpdojo/exercise_03_tanh.hpp"

extern "C" long hostile_write(int, const void*, unsigned long) __asm__("write");

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  static const char junk[] = "\x01\x02 garbage \xff\xfe on the protocol channel\n";
  hostile_write(3, junk, sizeof junk - 1);
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
