#include "common/process.hpp"

#include "bpdojo/sanitizers.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <fstream>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __APPLE__
#include <libproc.h>
#endif


namespace bpdojo {
namespace {

constexpr int kProtocolFd = 3;

void set_nonblock_cloexec(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// Resident memory of a process and everything it started (a sandbox's child, a compiler's
// cc1plus), in bytes; 0 where it cannot be read.
std::size_t resident_bytes(pid_t pid, int depth = 0) {
  std::size_t total = 0;
#if defined(__linux__)
  const std::string dir = "/proc/" + std::to_string(pid);
  {
    std::ifstream in(dir + "/statm");
    std::size_t pages_total = 0, pages_resident = 0;
    if (in >> pages_total >> pages_resident) total = pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  }
  if (depth < 8) {
    // Each thread's children: a child forked from another thread is listed under that thread only.
    if (DIR* tasks = ::opendir((dir + "/task").c_str())) {
      while (const dirent* task = ::readdir(tasks)) {
        if (task->d_name[0] == '.') continue;
        std::ifstream children(dir + "/task/" + task->d_name + "/children");
        for (long c; children >> c;) total += resident_bytes(static_cast<pid_t>(c), depth + 1);
      }
      ::closedir(tasks);
    }
  }
#elif defined(__APPLE__)
  // (Not compiled on the Linux machines this project is built and tested on.)
  proc_taskinfo info{};
  if (::proc_pidinfo(pid, PROC_PIDTASKINFO, 0, &info, sizeof info) == static_cast<int>(sizeof info))
    total = static_cast<std::size_t>(info.pti_resident_size);
  if (depth < 8) {
    pid_t children[256];
    const int bytes = ::proc_listpids(PROC_PPID_ONLY, static_cast<std::uint32_t>(pid), children, sizeof children);
    for (int i = 0; bytes > 0 && i < bytes / static_cast<int>(sizeof(pid_t)); ++i)
      if (children[i] > 0) total += resident_bytes(children[i], depth + 1);
  }
#else
  (void)pid;
  (void)depth;
#endif
  return total;
}

// Everything the child needs, prepared before fork: a multithreaded grader must not allocate
// between fork and exec.
struct ChildPlan {
  std::vector<char*> args;
  std::vector<char*> env;
  std::vector<std::pair<int, rlimit>> limits;
  long run_as = -1;
  const char* workdir = nullptr;
};

[[noreturn]] void fail_child(int err_pipe) {
  const int e = errno;
  (void)!::write(err_pipe, &e, sizeof e);
  ::_exit(127);
}

[[noreturn]] void child(const ChildPlan& plan, int proto_w, int out_w, int err_pipe) {
  ::setpgid(0, 0);
  ::dup2(out_w, 1);
  ::dup2(out_w, 2);
  ::dup2(proto_w, kProtocolFd);
  const int stdin_fd = ::open("/dev/null", O_RDONLY);
  if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
  const long max_fd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
  for (int fd = kProtocolFd + 1; fd < max_fd; ++fd)
    if (fd != err_pipe) ::close(fd);
  if (plan.workdir && ::chdir(plan.workdir) != 0) fail_child(err_pipe);
  for (const auto& [resource, value] : plan.limits)
    if (::setrlimit(resource, &value) != 0) fail_child(err_pipe);
  if (plan.run_as >= 0) {
    const auto id = static_cast<uid_t>(plan.run_as);
    if (::setgroups(0, nullptr) != 0 || ::setgid(static_cast<gid_t>(id)) != 0 || ::setuid(id) != 0) fail_child(err_pipe);
  }
  ::execve(plan.args[0], plan.args.data(), plan.env.data());
  fail_child(err_pipe);
}

ChildPlan plan_child(const std::vector<std::string>& argv, const ProcessLimits& limits, const std::string& workdir,
                     std::vector<std::string>& env_storage) {
  ChildPlan plan;
  for (const auto& a : argv) plan.args.push_back(const_cast<char*>(a.c_str()));
  plan.args.push_back(nullptr);
  if (limits.scrub_env) {
    env_storage = limits.env;
  } else {
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  }
#ifdef BPDOJO_ASAN
  // Sanitizer builds: let a fatal signal end the runner as it would without AddressSanitizer
  // (which otherwise reports it and exits with code 1), so the verdict names the signal.
  {
    std::string options = "ASAN_OPTIONS=";
    for (auto it = env_storage.begin(); it != env_storage.end(); ++it) {
      if (it->rfind("ASAN_OPTIONS=", 0) == 0) {
        options = *it + ":";
        env_storage.erase(it);
        break;
      }
    }
    env_storage.push_back(options + "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0");
  }
#endif
  for (auto& e : env_storage) plan.env.push_back(e.data());
  plan.env.push_back(nullptr);
  plan.limits.push_back({RLIMIT_CORE, rlimit{0, 0}});
  if (limits.memory_bytes > 0 && limits.memory_cap == MemoryCap::AddressSpace)
    plan.limits.push_back({RLIMIT_AS, rlimit{limits.memory_bytes, limits.memory_bytes}});
  if (limits.cpu_seconds > 0) {
    const auto soft = static_cast<rlim_t>(std::ceil(limits.cpu_seconds));
    plan.limits.push_back({RLIMIT_CPU, rlimit{soft, soft + 1}});
  }
  if (limits.file_bytes > 0) plan.limits.push_back({RLIMIT_FSIZE, rlimit{limits.file_bytes, limits.file_bytes}});
  if (limits.processes > 0) {
    const auto n = static_cast<rlim_t>(limits.processes);
    plan.limits.push_back({RLIMIT_NPROC, rlimit{n, n}});
  }
  if (limits.open_files > 0) {
    const auto n = static_cast<rlim_t>(limits.open_files);
    plan.limits.push_back({RLIMIT_NOFILE, rlimit{n, n}});
  }
  plan.run_as = limits.run_as;
  if (!workdir.empty()) plan.workdir = workdir.c_str();
  return plan;
}

}  // namespace

MemoryCap default_memory_cap() {
#if defined(BPDOJO_ASAN) || defined(__APPLE__)
  return MemoryCap::Resident;
#else
  return MemoryCap::AddressSpace;
#endif
}

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

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A child that started: its pid, the read ends of its protocol and output pipes, when it started.
struct Child {
  pid_t pid = -1;
  int proto = -1, out = -1;
  std::chrono::steady_clock::time_point start;
};

// Starts argv[0] with the pipes: fd 3 for the protocol, one pipe for stdout and stderr. False,
// with r.detail saying why, when it could not be started.
bool start_child(const std::vector<std::string>& argv, const ProcessLimits& limits, const std::string& workdir, Child& c,
                 ProcessResult& r) {
  int proto[2], out[2], err[2];
  if (::pipe(proto) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0) {
    r.detail = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  ::fcntl(err[1], F_SETFD, FD_CLOEXEC);
  std::vector<std::string> env_storage;
  const ChildPlan plan = plan_child(argv, limits, workdir, env_storage);
  c.start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.detail = std::string("fork: ") + std::strerror(errno);
    for (int fd : {proto[0], proto[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    return false;
  }
  if (pid == 0) child(plan, proto[1], out[1], err[1]);
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
    return false;
  }
  ::close(err[0]);
  set_nonblock_cloexec(proto[0]);
  set_nonblock_cloexec(out[0]);
  c.pid = pid;
  c.proto = proto[0];
  c.out = out[0];
  return true;
}

// What watching the child came to: what stopped it (Exited: nothing did), and its wait status
// when it exited.
struct Watched {
  ProcessResult::End forced = ProcessResult::End::Exited;
  bool exited = false;
  int status = 0;
};

// Reads what a pipe holds now: the protocol into r.protocol, the output into r.output (the first
// output_keep bytes, all of it counted). Past a cap, `forced` becomes OutputLimit.
void read_pipe(int fd, bool protocol, bool& open, const ProcessLimits& limits, ProcessResult& r, ProcessResult::End& forced,
               char* buf, std::size_t size) {
  while (open) {
    const ssize_t n = ::read(fd, buf, size);
    if (n > 0) {
      const auto len = static_cast<std::size_t>(n);
      if (protocol) {
        if (r.protocol.size() + len > limits.protocol_max) forced = ProcessResult::End::OutputLimit;
        else r.protocol.append(buf, len);
      } else {
        if (r.output.size() < limits.output_keep) r.output.append(buf, std::min(len, limits.output_keep - r.output.size()));
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

// Reads both pipes until the child has exited and closed them, or a limit stops it.
Watched watch_child(const Child& c, const ProcessLimits& limits, ProcessResult& r) {
  Watched w;
  bool proto_open = true, out_open = true;
  char buf[65536];
  while (true) {
    const short want_proto = proto_open ? POLLIN : 0, want_out = out_open ? POLLIN : 0;
    pollfd fds[2] = {{c.proto, want_proto, 0}, {c.out, want_out, 0}};
    ::poll(fds, 2, 20);
    read_pipe(c.proto, true, proto_open, limits, r, w.forced, buf, sizeof buf);
    read_pipe(c.out, false, out_open, limits, r, w.forced, buf, sizeof buf);
    if (!w.exited && ::waitpid(c.pid, &w.status, WNOHANG) == c.pid) w.exited = true;
    if (w.exited && !proto_open && !out_open) break;
    if (w.forced == ProcessResult::End::Exited && !w.exited) {
      if (seconds_since(c.start) > limits.wall_seconds) w.forced = ProcessResult::End::TimedOut;
      else if (limits.memory_bytes > 0 && limits.memory_cap == MemoryCap::Resident && resident_bytes(c.pid) > limits.memory_bytes)
        w.forced = ProcessResult::End::MemoryLimit;
    }
    if (w.forced != ProcessResult::End::Exited) break;
    // The runner is gone but something it started still holds a pipe: stop waiting for it.
    if (w.exited && seconds_since(c.start) > limits.wall_seconds) break;
  }
  return w;
}

// How the run ended: stopped by a limit, killed by a signal (or, through a sandbox, exited with
// 128 + the signal), or exited.
void record_end(const Watched& w, const ProcessLimits& limits, ProcessResult& r) {
  if (w.forced != ProcessResult::End::Exited) {
    r.end = w.forced;
  } else if (WIFSIGNALED(w.status)) {
    r.end = ProcessResult::End::Signaled;
    r.signal = WTERMSIG(w.status);
  } else if (limits.signal_exit_codes && WEXITSTATUS(w.status) > 128 && WEXITSTATUS(w.status) <= 128 + 64) {
    r.end = ProcessResult::End::Signaled;
    r.signal = WEXITSTATUS(w.status) - 128;
  } else {
    r.end = ProcessResult::End::Exited;
    r.exit_code = WEXITSTATUS(w.status);
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessLimits& limits, const std::string& workdir) {
  ProcessResult r;
  Child c;
  if (!start_child(argv, limits, workdir, c, r)) return r;
  Watched w = watch_child(c, limits, r);
  ::kill(-c.pid, SIGKILL);
  if (!w.exited) ::waitpid(c.pid, &w.status, 0);
  ::close(c.proto);
  ::close(c.out);
  r.wall_seconds = seconds_since(c.start);
  record_end(w, limits, r);
  return r;
}

}  // namespace bpdojo
