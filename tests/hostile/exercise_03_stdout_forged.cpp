// Hostile: prints garbage (control bytes, a byte that is not UTF-8) and a forged protocol stream
// carrying the CORRECT dx on stdout, then sets a wrong dx. Stdout is not the protocol channel:
// expected wrong, 0 points; what it printed is shown in the feedback, and the Gradescope file
// that quotes the feedback is still valid JSON.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  const Matrix right = (1.0 - cache.h.array().square()) * dh.array();
  std::printf("garbage \x01\x02\xff\n");
  std::printf("bpdojo-protocol 1\ntensor dx 2 %ld %ld", static_cast<long>(right.rows()), static_cast<long>(right.cols()));
  for (Eigen::Index i = 0; i < right.size(); ++i) std::printf(" %.17g", right.data()[i]);
  std::printf("\nend\n");
  std::fflush(stdout);
  grads.dx = 2.0 * right;
}

}  // namespace bpdojo
