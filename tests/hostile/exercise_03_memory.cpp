// Hostile: allocates up to 100 GB, 64 MiB at a time, touching every page so it is resident.
// Expected: the memory limit (an out-of-memory error or "killed: memory limit"), 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstring>
#include <vector>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::vector<char*> hog;
  const std::size_t chunk = std::size_t{64} << 20;
  for (std::size_t total = 0; total < (std::size_t{100} << 30); total += chunk) {
    char* p = new char[chunk];
    std::memset(p, 1, chunk);
    hog.push_back(p);
  }
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
