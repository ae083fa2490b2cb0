// Hostile: leaves a process behind. A grandchild starts a session of its own (out of the runner's
// process group), closes every inherited descriptor and sleeps 1000 s as "daemon@TAG@"; the runner
// then returns without setting dx. POSIX headers are refused, so the calls are declared by hand.
// Expected: 0 points, the run ends promptly, and with the sandbox no process is left behind.
#include "bpdojo/exercise_03_tanh.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

extern "C" int hostile_fork() __asm__("fork");
extern "C" int hostile_setsid() __asm__("setsid");
extern "C" int hostile_close(int) __asm__("close");
extern "C" int hostile_waitpid(int, int*, int) __asm__("waitpid");

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  const int child = hostile_fork();
  if (child == 0) {
    if (hostile_fork() != 0) std::_Exit(0);
    hostile_setsid();
    std::ofstream("/proc/self/comm") << "daemon@TAG@";
    for (int fd = 0; fd < 1024; ++fd) hostile_close(fd);
    std::this_thread::sleep_for(std::chrono::seconds(1000));
    std::_Exit(0);
  }
  if (child > 0) hostile_waitpid(child, nullptr, 0);
}

}  // namespace bpdojo
