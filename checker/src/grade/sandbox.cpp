#include "grade/sandbox.hpp"

#include "common/workspace.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

// Unprivileged uids for grading slots when the grader is root: far above any account's, in blocks
// of kMaxSlots, one block leased per grader. (The first block, 2100000000 + slot, is left to
// checkers from before the leases, which took it without asking.)
constexpr long kUidBase = 2'100'000'000 + kMaxSlots;
constexpr long kUidBlocks = 1024;

// Leases the first free block of uids: an exclusive flock on its lock file, held until the last
// copy of the returned lease goes (or the grader dies). Returns the block's first uid.
long lease_uids(std::shared_ptr<const int>& lease) {
  const fs::path dir = ::access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp";
  for (long block = 0; block < kUidBlocks; ++block) {
    const long base = kUidBase + block * kMaxSlots;
    const fs::path file = dir / ("bpdojo-grade-uids-" + std::to_string(base) + ".lock");
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw SetupError("cannot open " + file.string() + " to lease the sandbox's user ids");
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      lease = std::shared_ptr<const int>(new int(fd), [](const int* p) {
        ::close(*p);
        delete p;
      });
      return base;
    }
    ::close(fd);
  }
  throw SetupError("every block of sandbox user ids is leased by another grader (" + std::to_string(kUidBlocks) + " graders at once)");
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  for (const char* dir : {"/usr/bin", "/bin"}) {
    const std::string candidate = std::string(dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The processes of user `uid` now (RLIMIT_NPROC counts them all, zombies included, until they
// are reaped): how many still run, and how many are zombies nobody here can reap. Zombies that are
// this grader's children (orphans of the sandbox that it adopted as their subreaper) are reaped on
// the way, so that a dead process's slot is free at once rather than when the system's init
// gets to it.
struct Census {
  long alive = 0;
  long foreign_zombies = 0;
};

Census census_of(uid_t uid, bool reap) {
  Census c;
  const pid_t self = ::getpid();
  DIR* proc = ::opendir("/proc");
  if (!proc) return c;
  while (const dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string dir = std::string("/proc/") + e->d_name;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || st.st_uid != uid) continue;
    // /proc/PID/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
    char buf[512];
    const int fd = ::open((dir + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t n = fd >= 0 ? ::read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) ::close(fd);
    if (n <= 0) continue;  // gone meanwhile
    buf[n] = '\0';
    const char* close_paren = std::strrchr(buf, ')');
    char state = '?';
    long ppid = -1;
    if (!close_paren || std::sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2) {
      ++c.alive;
      continue;
    }
    if (state != 'Z') {
      ++c.alive;
    } else if (reap && ppid == self) {
      const auto pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
      if (::waitpid(pid, nullptr, WNOHANG) != pid) ++c.foreign_zombies;
    } else {
      ++c.foreign_zombies;
    }
  }
  ::closedir(proc);
  return c;
}

// How many processes the user `uid` has now.
long processes_of(uid_t uid) {
  const Census c = census_of(uid, false);
  return c.alive + c.foreign_zombies;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.empty() ? "no output" : line;
}

}  // namespace

std::vector<std::string> Sandbox::wrap(const std::vector<std::string>& command, const std::vector<fs::path>& read_only,
                                       const std::vector<fs::path>& writable, const fs::path& workdir,
                                       bool fresh_workdir) const {
  if (!bubblewrap) return command;
  std::vector<std::string> argv = {bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                                   "--ro-bind", "/usr", "/usr"};
  // The loader's and the compiler's links into /usr, as the host has them.
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(top, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) {
      argv.insert(argv.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else {
      argv.insert(argv.end(), {"--ro-bind", top, top});
    }
  }
  for (const char* etc : {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d"})
    argv.insert(argv.end(), {"--ro-bind-try", etc, etc});
  argv.insert(argv.end(), {"--proc", "/proc", "--dev", "/dev"});
  // Every place a step can write is a sized tmpfs or read-only: a host folder bound in could not be
  // capped but per file, and bubblewrap's own / and /dev are tmpfs mounts of no size (half the RAM).
  // Mounts in the order of their paths: /tmp (which holds the grader's scratch), the work folder
  // in it, then the binds, then read-only last, once every mount point is made.
  if (tmpfs_size) argv.insert(argv.end(), {"--size", std::to_string(kTmpBytes)});
  argv.insert(argv.end(), {"--tmpfs", "/tmp"});
  const bool work_tmpfs = fresh_workdir && tmpfs_size;
  if (work_tmpfs) argv.insert(argv.end(), {"--size", std::to_string(kWorkBytes), "--tmpfs", workdir.string()});
  for (const auto& p : read_only) argv.insert(argv.end(), {"--ro-bind", p.string(), p.string()});
  for (const auto& p : writable) argv.insert(argv.end(), {"--bind", p.string(), p.string()});
  if (fresh_workdir && !work_tmpfs) argv.insert(argv.end(), {"--bind", workdir.string(), workdir.string()});
  if (tmpfs_size) argv.insert(argv.end(), {"--size", std::to_string(kShmBytes), "--tmpfs", "/dev/shm"});
  argv.insert(argv.end(), {"--remount-ro", "/dev", "--remount-ro", "/"});
  argv.insert(argv.end(), {"--chdir", workdir.string()});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

void Sandbox::sweep(int slot) const {
  if (uid_base < 0) return;
  const auto id = static_cast<uid_t>(uid(slot));
  // Every process of the slot's uid is killed, and its zombie reaped, before the slot is used
  // again; the next compile could not start while they filled its process limit. Waits up to
  // 5 s, polling fast at first: most sweeps end in a few milliseconds. Zombies that only the
  // system's init can reap are waited for only while they take more than half the limit.
  std::chrono::microseconds pause{500};
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    const Census c = census_of(id, true);
    if (c.alive == 0 && c.foreign_zombies <= processes / 2) return;
    if (std::chrono::steady_clock::now() > give_up) return;
    if (c.alive > 0) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        // As that uid, kill(-1) reaches exactly the processes of that uid.
        if (::setgroups(0, nullptr) == 0 && ::setgid(static_cast<gid_t>(id)) == 0 && ::setuid(id) == 0) ::kill(-1, SIGKILL);
        ::_exit(0);
      }
      if (pid > 0) ::waitpid(pid, nullptr, 0);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds{20000});
  }
}

ProcessLimits Sandbox::limits(ProcessLimits base, int slot) const {
  base.run_as = uid(slot);
  base.processes = processes;
  if (base.file_bytes == 0) base.file_bytes = kFileBytes;
  if (base.open_files == 0) base.open_files = kOpenFiles;
  if (base.cpu_seconds == 0.0) base.cpu_seconds = base.wall_seconds + 1.0;
  base.scrub_env = true;
  base.env = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
  base.signal_exit_codes = bubblewrap;
  return base;
}

Sandbox probe_sandbox(bool allow_bubblewrap, int slots, const std::vector<fs::path>& must_read) {
  Sandbox box;
  if (slots > kMaxSlots) throw SetupError("--jobs must be at most " + std::to_string(kMaxSlots));
  if (::geteuid() == 0) {
    box.uid_base = lease_uids(box.lease);
    // What the sandbox leaves behind when bubblewrap's outer process ends before its inner ones
    // comes to the grader (not the system's init, which may reap late), and a sweep reaps it.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    // Whatever a grader killed before it could clean up left running as these uids is no other
    // grader's: end it before the slots are used.
    for (int slot = 0; slot < slots; ++slot) box.sweep(slot);
  } else {
    // Not root: the process limit counts every process of this user, so leave room for them.
    box.processes = processes_of(::geteuid()) + 64;
  }
  std::string why_not = "not asked for (--no-sandbox)";
  if (allow_bubblewrap) {
    const std::string bwrap = find_program("bwrap");
    if (bwrap.empty()) {
      why_not = "not installed (Debian: apt-get install bubblewrap)";
    } else {
      Sandbox trial = box;
      trial.bubblewrap = true;
      trial.bwrap = bwrap;
      ProcessLimits quick;
      quick.wall_seconds = 10.0;
      trial.tmpfs_size = run_process({bwrap, "--help"}, quick).output.find("--size") != std::string::npos;
      std::vector<fs::path> dirs;
      for (const auto& f : must_read) dirs.push_back(f.parent_path());
      ProcessLimits limits = trial.limits({}, 0);
      limits.wall_seconds = 20.0;
      const ProcessResult r = run_process(trial.wrap({"/usr/bin/true"}, dirs, {}, "/tmp"), limits);
      if (r.end == ProcessResult::End::Exited && r.exit_code == 0) {
        box.bubblewrap = true;
        box.bwrap = bwrap;
        box.tmpfs_size = trial.tmpfs_size;
        box.description = "bubblewrap";
      } else {
        why_not = "a trial run failed: " + first_line(r.output.empty() ? r.detail : r.output);
      }
    }
  }
  if (allow_bubblewrap && !box.bubblewrap)
    throw SetupError("cannot set up the grading sandbox: bubblewrap " + why_not +
                     "; fix that, or grade with --no-sandbox (resource limits only, no isolation)");
  if (!box.bubblewrap) box.description = "rlimits only (bubblewrap: " + why_not + ")";
  // The sandboxed compiler reads the workbook's headers and precompiled header as that uid.
  for (const auto& f : must_read) {
    ProcessLimits limits = box.limits({}, 0);
    const ProcessResult r = run_process(
        box.wrap({"/usr/bin/test", "-r", f.string()}, {f.parent_path()}, {}, "/tmp"), limits);
    if (r.end != ProcessResult::End::Exited || r.exit_code != 0)
      throw SetupError("the sandbox user (uid " + std::to_string(box.uid(0)) + ") cannot read " + f.string() +
                       ": make the workbook and its build readable to all (chmod -R a+rX), or grade as a user who is not root");
  }
  return box;
}

}  // namespace bpdojo
