// Asks for far more memory than the cap.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstring>
#include <vector>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::vector<std::vector<char>> hog;
  for (int i = 0; i < 1000; ++i) {  // up to 100 GB, 100 MB at a time, touched so it is resident
    hog.emplace_back(std::size_t{100} << 20);
    std::memset(hog.back().data(), 1, hog.back().size());
  }
  grads.dx = Matrix::Constant(1, 1, static_cast<double>(hog.size()));
}

}  // namespace bpdojo
