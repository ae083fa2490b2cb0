// Hostile: an initialised array of 512 MiB, which the assembler writes into the object file on the
// host (the compiler and linker write there, not in a tmpfs). Expected: the file cap on a compile
// step (256 MiB) stops it, "compile error: the compiler wrote a file over 256 MiB", 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstddef>

namespace bpdojo {

static char big[std::size_t{1} << 29] = {1};

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  grads.dx = (1.0 - cache.h.array().square()) * dh.array() * static_cast<double>(big[cache.h.size() % 2] != 0);
}

}  // namespace bpdojo
