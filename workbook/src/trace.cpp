// Where learner code failed, for the checker to name the learner's line: return addresses taken
// with glibc's backtrace() where the failure happens (at the throw, in the signal handler), sent
// as offsets into the runner's executable in a `trace` message. The checker resolves them with
// addr2line; nothing here interprets them. Without glibc, or under AddressSanitizer (which owns
// the signals and the throw), runners send no trace (BPDOJO_RUNNER_TRACES).
#include "bpdojo/runner.hpp"

#if BPDOJO_RUNNER_TRACES
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <unistd.h>

namespace {

constexpr int kMaxFrames = 64;  // protocol::Limits::max_frames

int trace_fd = -1;
std::uintptr_t exe_base = 0, exe_begin = 0, exe_end = 0;  // load bias, and what the executable maps

using ThrowFn = void (*)(void*, void*, void (*)(void*));
ThrowFn real_throw = nullptr;

// The latest throw of this thread: the thrown object (to know it is the one caught) and its stack.
struct Capture {
  const void* thrown = nullptr;
  void* frames[kMaxFrames + 1];
  int count = 0;
};
thread_local Capture last_throw;

int find_executable(dl_phdr_info* info, std::size_t, void*) {
  // The first object is the executable itself.
  exe_base = info->dlpi_addr;
  std::uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    lo = std::min<std::uintptr_t>(lo, ph.p_vaddr);
    hi = std::max<std::uintptr_t>(hi, ph.p_vaddr + ph.p_memsz);
  }
  if (lo < hi) exe_begin = exe_base + lo, exe_end = exe_base + hi;
  return 1;
}

// "trace <what> <count> <hex>...\n" into buf, for the frames inside the executable (the others,
// in libc or libstdc++, have no line of the learner's). Frame 0 is the caller of backtrace (this
// file) and is skipped; a return address is moved back one byte, into the call it returns from.
// Allocates nothing: the signal handler calls it.
std::size_t format(char* buf, std::size_t cap, const char* what, void* const* frames, int n) {
  std::uintptr_t kept[kMaxFrames];
  int k = 0;
  for (int i = 1; i < n && k < kMaxFrames; ++i) {
    const auto a = reinterpret_cast<std::uintptr_t>(frames[i]);
    if (a > exe_begin && a <= exe_end) kept[k++] = a - 1 - exe_base;
  }
  std::size_t at = 0;
  const auto put = [&](const char* s) {
    while (*s && at < cap) buf[at++] = *s++;
  };
  const auto put_number = [&](std::uintptr_t v, unsigned base) {
    char digits[24];
    int d = 0;
    do digits[d++] = "0123456789abcdef"[v % base], v /= base;
    while (v);
    while (d > 0 && at < cap) buf[at++] = digits[--d];
  };
  put("trace ");
  put(what);
  put(" ");
  put_number(static_cast<std::uintptr_t>(k), 10);
  for (int i = 0; i < k; ++i) put(" "), put_number(kept[i], 16);
  put("\n");
  return at < cap ? at : 0;  // a cut line would be malformed: then nothing
}

void on_signal(int sig) {
  if (trace_fd < 0) {
    std::raise(sig);
    return;
  }
  void* frames[kMaxFrames + 1];
  const int n = backtrace(frames, kMaxFrames + 1);
  char line[24 + 18 * kMaxFrames];
  const std::size_t len = format(line, sizeof line, "signal", frames, n);
  for (std::size_t done = 0; done < len;) {
    const ssize_t w = ::write(trace_fd, line + done, len - done);
    if (w <= 0) break;
    done += static_cast<std::size_t>(w);
  }
  // SA_RESETHAND put the default action back: die of the same signal, as the checker expects.
  std::raise(sig);
}

}  // namespace

// Every throw, by the learner's code, the workbook's (Eigen's failed size check) or the standard
// library's (vector::at), goes through here: the executable's definition wins over libstdc++'s.
// Caught-and-rethrown exceptions keep the stack of their first throw (a rethrow is __cxa_rethrow).
extern "C" [[noreturn]] void __cxa_throw(void* thrown, void* type, void (*destroy)(void*));
extern "C" void __cxa_throw(void* thrown, void* type, void (*destroy)(void*)) {
  last_throw.thrown = thrown;
  last_throw.count = backtrace(last_throw.frames, kMaxFrames + 1);
  if (!real_throw) real_throw = reinterpret_cast<ThrowFn>(dlsym(RTLD_NEXT, "__cxa_throw"));
  if (!real_throw) std::abort();
  real_throw(thrown, type, destroy);
  __builtin_unreachable();
}

namespace bpdojo::runner {

void install_trace(int fd) {
  trace_fd = fd;
  void* warm[2];
  backtrace(warm, 2);  // loads libgcc_s: the first call allocates, the signal handler's must not
  dl_iterate_phdr(find_executable, nullptr);
  if (!real_throw) real_throw = reinterpret_cast<ThrowFn>(dlsym(RTLD_NEXT, "__cxa_throw"));
  // An alternate stack, so that a stack overflow (endless recursion) still gets its trace.
  static char alt[1 << 16];
  stack_t ss{};
  ss.ss_sp = alt;
  ss.ss_size = sizeof alt;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
}

void stop_trace() { trace_fd = -1; }

std::string trace_of_exception(const void* thrown) {
  if (last_throw.count == 0 || (thrown && thrown != last_throw.thrown)) return "";
  char line[24 + 18 * kMaxFrames];
  return std::string(line, format(line, sizeof line, "error", last_throw.frames, last_throw.count));
}

}  // namespace bpdojo::runner

#else

namespace bpdojo::runner {
void install_trace(int) {}
void stop_trace() {}
std::string trace_of_exception(const void*) { return ""; }
}  // namespace bpdojo::runner

#endif
