// Backprop Dojo checker: the sandbox `checker grade` runs untrusted code in (docs/instructors.md).
//
// With bubblewrap (when it is installed and namespaces work): no network, a private /tmp, only
// /usr (with the loader's links) and the paths the caller names visible, its own pid namespace,
// dying with the grader. Always: resource limits (ProcessLimits), a scrubbed environment, and,
// when the grader runs as root, an unprivileged uid per grading slot, so that the process limit
// holds (the kernel does not count processes against root).
#pragma once

#include "common/process.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace bpdojo {

// The limits of grading (docs/instructors.md, "Isolation"), each written once: the sandbox and
// the build of a submission apply them, run.json records them. (A run's wall time is its
// exercise's own, default_options(); what a run may print is ProcessLimits' default.)
inline constexpr double kCompileSeconds = 120.0;                           // compiling, and linking
inline constexpr std::size_t kCompileMemoryBytes = std::size_t{3} << 30;
inline constexpr std::size_t kCompileOutputKeep = std::size_t{256} << 10;  // of the compiler's output, kept
inline constexpr std::size_t kCompileFileBytes = std::size_t{256} << 20;   // the largest file it may write (runners: 6 MB, 20 under ASan)
inline constexpr std::size_t kRunMemoryBytes = std::size_t{1} << 30;       // a submission's runner
inline constexpr std::size_t kFileBytes = std::size_t{256} << 20;  // the largest file written, unless a step allows more
inline constexpr long kOpenFiles = 256;
// What a slot may fill, with bubblewrap 0.8 or later: every writable place a run sees is a tmpfs of
// a fixed size (512 MiB in all per slot, in memory); / and /dev are read-only. Older bubblewrap,
// which cannot size a tmpfs: runs write in a host folder (per-file limit only), /dev/shm is read-only.
inline constexpr std::size_t kWorkBytes = std::size_t{256} << 20;  // a run's working folder
inline constexpr std::size_t kTmpBytes = std::size_t{192} << 20;   // the private /tmp
inline constexpr std::size_t kShmBytes = std::size_t{64} << 20;    // /dev/shm

// Grading slots one run may have (--jobs): the size of the block of uids a root grader leases.
inline constexpr int kMaxSlots = 256;

struct Sandbox {
  bool bubblewrap = false;
  std::string bwrap;        // its path
  std::string description;  // "bubblewrap" or "rlimits only (bubblewrap: <why not>)"
  long uid_base = -1;       // >= 0 when the grader is root: slot k runs as uid_base + k
  // A root grader's lease on its block of uids (an flock held while any copy of it lives, freed by
  // the kernel when the grader dies): no other grader runs, or kills, processes of those uids.
  std::shared_ptr<const int> lease;
  long processes = 64;      // RLIMIT_NPROC for sandboxed processes
  bool tmpfs_size = false;  // this bubblewrap can size a tmpfs (--size, 0.8 and later)

  // `command` (host paths) with `read_only` and `writable` visible at the same paths and `workdir`
  // as the current folder; with `fresh_workdir`, `workdir` is an empty tmpfs of kWorkBytes instead
  // of the host folder (which stays untouched), where bubblewrap can size one. Without bubblewrap:
  // the command itself.
  std::vector<std::string> wrap(const std::vector<std::string>& command, const std::vector<std::filesystem::path>& read_only,
                                const std::vector<std::filesystem::path>& writable, const std::filesystem::path& workdir,
                                bool fresh_workdir = false) const;
  // `base` with the sandbox's limits, uid and environment for grading slot `slot`.
  ProcessLimits limits(ProcessLimits base, int slot) const;
  // The uid that slot `slot` runs as, or -1 (not root: the grader's own).
  long uid(int slot) const { return uid_base < 0 ? -1 : uid_base + slot; }
  // Kills every process left running as slot `slot`'s uid (one that escaped its process group
  // with setsid, when there is no bubblewrap pid namespace to end it). Nothing when not root.
  void sweep(int slot) const;
};

// Decides how to sandbox: bubblewrap when `allow_bubblewrap`, and then it must be installed and a
// trial run must work (as the uid the runners will have), or a SetupError stops the run; resource
// limits only when not `allow_bubblewrap` (--no-sandbox). As root, first leases a free block of
// kMaxSlots uids for `slots` grading slots. `must_read` are files the sandboxed compiler must read
// (the precompiled header): a SetupError says so when it cannot.
Sandbox probe_sandbox(bool allow_bubblewrap, int slots, const std::vector<std::filesystem::path>& must_read);

}  // namespace bpdojo
