// Backprop Dojo checker: running an untrusted runner as a child process.
//
// The child gets the protocol channel as fd 3, its stdout and stderr on one pipe, its own process
// group, a wall-clock timeout, a memory cap (MemoryCap), and caps on what it may print.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bpdojo {

// How the memory cap holds. AddressSpace: RLIMIT_AS, so an allocation past the cap fails inside
// the runner (std::bad_alloc, an "error" verdict). Resident: the checker polls the resident size of
// the runner and of everything it started, and kills the group past the cap ("killed: memory
// limit"); for where RLIMIT_AS cannot be used (AddressSanitizer reserves terabytes of address
// space) or is not enforced (macOS accepts it and ignores it, so a runner would swap until the
// timeout). The watch sees growth every 20 ms, so it may overshoot by what that takes to allocate.
enum class MemoryCap { AddressSpace, Resident };

// This build's choice: Resident under AddressSanitizer and on macOS, else AddressSpace.
MemoryCap default_memory_cap();

struct ProcessLimits {
  double wall_seconds = 10.0;
  std::size_t memory_bytes = std::size_t{2} << 30;   // 0: no cap
  MemoryCap memory_cap = default_memory_cap();
  std::size_t output_keep = 16 << 10;                // of stdout+stderr, kept for the report
  std::size_t output_max = std::size_t{64} << 20;    // printing more than this is killed
  std::size_t protocol_max = std::size_t{512} << 20;  // protocol bytes
  // Grading adds these (0 or empty: not set).
  double cpu_seconds = 0.0;       // RLIMIT_CPU
  std::size_t file_bytes = 0;     // RLIMIT_FSIZE: the largest file it may write
  long processes = 0;             // RLIMIT_NPROC (counted per uid: see run_as)
  long open_files = 0;            // RLIMIT_NOFILE
  long run_as = -1;               // >= 0: this uid and gid (the grader runs as root)
  bool scrub_env = false;         // run with `env` only, not the checker's environment
  std::vector<std::string> env;   // NAME=VALUE
  // The command is a sandbox (bubblewrap) that ends with 128 + n when its child dies of signal n.
  bool signal_exit_codes = false;
};

struct ProcessResult {
  enum class End { Exited, Signaled, TimedOut, MemoryLimit, OutputLimit, FailedToStart };
  End end = End::FailedToStart;
  int exit_code = -1;  // End::Exited
  int signal = 0;      // End::Signaled
  double wall_seconds = 0.0;
  std::string protocol;        // everything read from fd 3
  std::string output;          // the first output_keep bytes of stdout+stderr
  std::size_t output_bytes = 0;  // how much it printed in all
  std::string detail;          // FailedToStart: why
};

// Runs argv[0] with arguments argv[1..]. `workdir` empty: the current directory.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessLimits& limits,
                          const std::string& workdir = "");

// "SIGSEGV (segmentation fault)".
std::string signal_name(int sig);

}  // namespace bpdojo
