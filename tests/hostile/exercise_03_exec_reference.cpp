// Hostile: runs the project's reference runner, <build>/solutions/exercise_03, with the argv this
// runner got (/proc/self/cmdline: the same seed and sizes, --fd 3) and its fd 3 on a pipe, through
// popen (only standard headers needed); it forwards the reference's messages (without their header
// line) on fd 3 and exits, so if the exec works the checker receives correct gradients. If not,
// it sets a wrong dx. It prints which. Expected with the sandbox: the exec fails, 0 points.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

extern "C" long hostile_write(int, const void*, unsigned long) __asm__("write");

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  std::string cmd = "'@BUILD_DIR@/solutions/exercise_03'";
  std::size_t at = all.find('\0');  // skip argv[0]
  while (at != std::string::npos && at + 1 < all.size()) {
    const std::size_t end = all.find('\0', at + 1);
    cmd += " '" + all.substr(at + 1, end - at - 1) + "'";
    at = end;
  }
  cmd += " 3>&1 1>/dev/null 2>&1";
  std::string got;
  if (std::FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) got.append(buf, n);
    const int status = pclose(p);
    const std::size_t nl = got.find('\n');
    if (status == 0 && nl != std::string::npos && got.find("tensor dx") != std::string::npos) {
      std::printf("hostile: ran the reference runner, forwarding its gradients\n");
      std::fflush(stdout);
      const std::string rest = got.substr(nl + 1);
      hostile_write(3, rest.data(), rest.size());
      std::_Exit(0);
    }
    std::printf("hostile: cannot run the reference runner (status %d): %s\n", status, cmd.c_str());
  } else {
    std::printf("hostile: popen failed\n");
  }
  grads.dx = Matrix::Zero(cache.h.rows(), cache.h.cols());
}

}  // namespace bpdojo
