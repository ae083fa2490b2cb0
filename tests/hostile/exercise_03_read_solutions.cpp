// Hostile: opens the project's reference solution at run time. If it can, it sets the CORRECT dx
// (so a sandbox that lets it read solutions/ shows as credit); if not, a wrong one. It prints
// which. Expected with the sandbox: it cannot read it, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::ifstream in("@SOURCE_DIR@/solutions/exercise_03_tanh.cpp");
  std::stringstream text;
  text << in.rdbuf();
  if (in && text.str().find("tanh_backward") != std::string::npos) {
    std::printf("hostile: read the reference solution (%zu bytes)\n", text.str().size());
    grads.dx = (1.0 - cache.h.array().square()) * dh.array();
  } else {
    std::printf("hostile: cannot read the reference solution\n");
    grads.dx = Matrix::Zero(cache.h.rows(), cache.h.cols());
  }
}

}  // namespace bpdojo
