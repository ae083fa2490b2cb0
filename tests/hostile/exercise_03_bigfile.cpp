// Hostile: writes a 4 GiB file in its working folder. Expected: stopped by the file size limit
// (crashed: SIGXFSZ), 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>
#include <vector>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::FILE* f = std::fopen("hostile_big.bin", "wb");
  std::vector<char> block(std::size_t{1} << 20, 'z');
  for (int i = 0; f && i < 4096; ++i)
    if (std::fwrite(block.data(), 1, block.size(), f) != block.size()) break;
  if (f) std::fclose(f);
  grads.dx = Matrix::Zero(cache.h.rows(), cache.h.cols());
}

}  // namespace bpdojo
