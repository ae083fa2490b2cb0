#include "process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define BPDOJO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BPDOJO_ASAN 1
#endif
#endif

namespace bpdojo {
namespace {

constexpr int kProtocolFd = 3;

void set_nonblock_cloexec(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

#ifdef BPDOJO_ASAN
// Resident memory of a process in bytes, 0 when unknown.
std::size_t resident_bytes(pid_t pid) {
#ifdef __linux__
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  if (in >> pages_total >> pages_resident) return pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
#else
  (void)pid;
#endif
  return 0;
}
#endif

[[noreturn]] void child(const std::vector<std::string>& argv, const ProcessLimits& limits, const std::string& workdir,
                        int proto_w, int out_w, int err_pipe) {
  ::setpgid(0, 0);
  ::dup2(out_w, 1);
  ::dup2(out_w, 2);
  ::dup2(proto_w, kProtocolFd);
  const int stdin_fd = ::open("/dev/null", O_RDONLY);
  if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
  const long max_fd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
  for (int fd = kProtocolFd + 1; fd < max_fd; ++fd)
    if (fd != err_pipe) ::close(fd);
  rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
#ifdef BPDOJO_ASAN
  // Sanitizer builds: let a fatal signal end the runner as it would without AddressSanitizer
  // (which otherwise reports it and exits with code 1), so the verdict names the signal.
  {
    const char* old = std::getenv("ASAN_OPTIONS");
    std::string options = old ? std::string(old) + ":" : std::string();
    options += "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0";
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
  }
#endif
#ifndef BPDOJO_ASAN
  if (limits.memory_bytes > 0) {
    rlimit as{limits.memory_bytes, limits.memory_bytes};
    ::setrlimit(RLIMIT_AS, &as);
  }
#else
  (void)limits;
#endif
  if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) {
    const int e = errno;
    (void)!::write(err_pipe, &e, sizeof e);
    ::_exit(127);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  const int e = errno;
  (void)!::write(err_pipe, &e, sizeof e);
  ::_exit(127);
}

}  // namespace

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGABRT: return "SIGABRT (abort)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU (CPU time limit)";
    case SIGXFSZ: return "SIGXFSZ (file size limit)";
    case SIGPIPE: return "SIGPIPE";
    default: return "signal " + std::to_string(sig);
  }
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessLimits& limits, const std::string& workdir) {
  ProcessResult r;
  int proto[2], out[2], err[2];
  if (::pipe(proto) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0) {
    r.detail = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  ::fcntl(err[1], F_SETFD, FD_CLOEXEC);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.detail = std::string("fork: ") + std::strerror(errno);
    for (int fd : {proto[0], proto[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    return r;
  }
  if (pid == 0) child(argv, limits, workdir, proto[1], out[1], err[1]);
  ::setpgid(pid, pid);  // also here, so the group exists before any kill
  ::close(proto[1]);
  ::close(out[1]);
  ::close(err[1]);
  int exec_errno = 0;
  if (::read(err[0], &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
    ::close(err[0]);
    ::close(proto[0]);
    ::close(out[0]);
    ::waitpid(pid, nullptr, 0);
    r.detail = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
    return r;
  }
  ::close(err[0]);
  set_nonblock_cloexec(proto[0]);
  set_nonblock_cloexec(out[0]);

  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  bool proto_open = true, out_open = true, exited = false;
  int status = 0;
  ProcessResult::End forced = ProcessResult::End::Exited;
  char buf[65536];
  while (true) {
    const short want_proto = proto_open ? POLLIN : 0, want_out = out_open ? POLLIN : 0;
    pollfd fds[2] = {{proto[0], want_proto, 0}, {out[0], want_out, 0}};
    ::poll(fds, 2, 20);
    for (int k = 0; k < 2; ++k) {
      bool& open = k == 0 ? proto_open : out_open;
      const int fd = k == 0 ? proto[0] : out[0];
      while (open) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
          const auto len = static_cast<std::size_t>(n);
          if (k == 0) {
            if (r.protocol.size() + len > limits.protocol_max) forced = ProcessResult::End::OutputLimit;
            else r.protocol.append(buf, len);
          } else {
            if (r.output.size() < limits.output_keep)
              r.output.append(buf, std::min(len, limits.output_keep - r.output.size()));
            r.output_bytes += len;
            if (r.output_bytes > limits.output_max) forced = ProcessResult::End::OutputLimit;
          }
          if (forced != ProcessResult::End::Exited) break;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          open = false;
        } else {
          break;
        }
      }
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
    if (exited && !proto_open && !out_open) break;
    if (forced == ProcessResult::End::Exited && !exited) {
      if (elapsed() > limits.wall_seconds) forced = ProcessResult::End::TimedOut;
#ifdef BPDOJO_ASAN
      else if (limits.memory_bytes > 0 && resident_bytes(pid) > limits.memory_bytes) forced = ProcessResult::End::MemoryLimit;
#endif
    }
    if (forced != ProcessResult::End::Exited) break;
    // The runner is gone but something it started still holds a pipe: stop waiting for it.
    if (exited && elapsed() > limits.wall_seconds) break;
  }
  ::kill(-pid, SIGKILL);
  if (!exited) ::waitpid(pid, &status, 0);
  ::close(proto[0]);
  ::close(out[0]);
  r.wall_seconds = elapsed();
  if (forced != ProcessResult::End::Exited) {
    r.end = forced;
  } else if (WIFSIGNALED(status)) {
    r.end = ProcessResult::End::Signaled;
    r.signal = WTERMSIG(status);
  } else {
    r.end = ProcessResult::End::Exited;
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace bpdojo
