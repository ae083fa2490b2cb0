// Hostile: pulls the reference solution into the object at compile time with the assembler's
// .incbin, spelt in two string literals so no text search finds ".incbin"; if the blob holds the
// solution it sets the CORRECT dx. Expected with the sandbox: the compiler cannot see solutions/
// (a compile error, or refused), 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstring>

asm(".pushsection .rodata\n"
    ".global hostile_blob\n"
    "hostile_blob:\n"
    ".inc" "bin \"@SOURCE_DIR@/solutions/exercise_03_tanh.cpp\"\n"
    ".byte 0\n"
    ".popsection\n");
extern "C" const char hostile_blob[];

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  if (std::strstr(hostile_blob, "tanh_backward")) grads.dx = (1.0 - cache.h.array().square()) * dh.array();
  else grads.dx = Matrix::Zero(cache.h.rows(), cache.h.cols());
}

}  // namespace bpdojo
