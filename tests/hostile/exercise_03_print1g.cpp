// Hostile: prints 1 GB to stdout. Expected: killed: printed more than 64 MiB, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>
#include <vector>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::vector<char> block(std::size_t{1} << 20, 'y');
  for (int i = 0; i < 1024; ++i) std::fwrite(block.data(), 1, block.size(), stdout);
  std::fflush(stdout);
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
