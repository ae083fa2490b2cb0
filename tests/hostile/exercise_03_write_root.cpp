// Hostile: writes at the top of the file system, /. Expected: an error, Read-only file system,
// 0 points. Unchecked, it writes 512 MiB (more than any one cap, in files under the 256 MiB
// per-file limit) and sets the correct dx, so a missing cap shows as points. It removes its files
// either way: without the sandbox they are the grading machine's.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  const std::string dir = "";
  const std::vector<char> block(std::size_t{1} << 20, 'f');
  std::vector<std::string> files;
  std::size_t mib = 0;
  std::string why;
  for (int i = 0; i < 16 && why.empty(); ++i) {
    files.push_back(dir + "/hostile_fill_@TAG@_" + std::to_string(i));
    std::FILE* f = std::fopen(files.back().c_str(), "wb");
    if (!f) {
      why = std::strerror(errno);
      break;
    }
    for (int k = 0; k < 32 && why.empty(); ++k) {
      if (std::fwrite(block.data(), 1, block.size(), f) == block.size()) ++mib;
      else why = std::strerror(errno);
    }
    if (std::fclose(f) != 0 && why.empty()) why = std::strerror(errno);
  }
  for (const auto& file : files) std::remove(file.c_str());
  if (!why.empty()) throw std::runtime_error("hostile: wrote " + std::to_string(mib) + " MiB to /, then: " + why);
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
