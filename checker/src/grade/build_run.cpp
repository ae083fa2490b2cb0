#include "grade/build_run.hpp"

#include "common/files.hpp"
#include "grade/submissions.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

// Where one exercise of a submission is built: a folder of its own in the slot's working folder.
struct BuildPaths {
  fs::path dir, source, object, exe, deps;
};

BuildPaths build_paths(const fs::path& work, const ExerciseInfo& info) {
  BuildPaths p;
  p.dir = work / info.id();
  p.source = p.dir / info.source;
  p.object = p.dir / (info.id() + ".o");
  p.exe = p.dir / info.id();
  p.deps = p.dir / (info.id() + ".d");
  return p;
}

// The text of the submission's file for the exercise, when there is one to grade and its #include
// lines are allowed; otherwise nothing, and `eg` says why.
std::optional<std::string> submitted_source(const Submission& submission, ExerciseGrade& eg) {
  std::string shown;
  const FoundFile found = find_submitted_file(submission, *eg.info, shown);
  eg.reason = found.reason;
  switch (found.status) {
    case FoundFile::Status::Missing: eg.status = GradeStatus::Missing; return std::nullopt;
    case FoundFile::Status::Ambiguous: eg.status = GradeStatus::Ambiguous; return std::nullopt;
    case FoundFile::Status::Refused: eg.status = GradeStatus::Refused; return std::nullopt;
    case FoundFile::Status::Found: break;
  }
  eg.file = shown;
  std::string text = read_file(found.file);
  if (const std::string why = refused_includes(text); !why.empty()) {
    eg.status = GradeStatus::Refused;
    eg.reason = why;
    return std::nullopt;
  }
  return text;
}

// The limits of compiling and linking in grading slot `slot`.
ProcessLimits compile_limits(const Run& run, int slot) {
  ProcessLimits limits;
  limits.wall_seconds = kCompileSeconds;
  limits.memory_bytes = kCompileMemoryBytes;
  limits.output_keep = kCompileOutputKeep;
  limits.file_bytes = kCompileFileBytes;
  return run.sandbox.limits(limits, slot);
}

// Adds the first lines of a tool's output to `lines`, up to kCompilerOutputLines in all.
void keep_first_lines(const std::string& output, std::vector<std::string>& lines) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line) && lines.size() < kCompilerOutputLines;) lines.push_back(line);
}

// Why a compiler or linker run stopped when that was not the code, or empty.
std::string stopped_because(const ProcessResult& pr, const char* tool) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", kCompileSeconds);
  // A file past the cap: the tool (or the assembler under it) gets SIGXFSZ, which the driver reports.
  if ((pr.end == ProcessResult::End::Signaled && pr.signal == SIGXFSZ) || pr.output.find("File size limit exceeded") != std::string::npos)
    return std::string(tool) + " wrote a file over " + std::to_string(kCompileFileBytes >> 20) +
           " MiB, the cap on one file (a large initialised array?)";
  if (pr.end == ProcessResult::End::TimedOut) return std::string(tool) + " ran out of time (" + seconds + " s)";
  if (pr.end == ProcessResult::End::MemoryLimit) return std::string(tool) + " ran out of memory";
  if (pr.end == ProcessResult::End::Signaled) return std::string(tool) + " died: " + signal_name(pr.signal);
  return "";
}

// A compiler run that failed: what it said about the submission's file, and why it stopped when
// that was not the code.
void compile_failed(const ProcessResult& pr, const BuildPaths& p, ExerciseGrade& eg) {
  eg.status = GradeStatus::CompileError;
  std::size_t omitted = 0;
  eg.compiler_output = compiler_errors(pr.output, p.source, p.dir, kCompilerOutputLines, &omitted);
  eg.reason = stopped_because(pr, "the compiler");
  if (!holds_an_error(eg.compiler_output)) {
    eg.compiler_output.clear();
    omitted = 0;
    keep_first_lines(pr.output, eg.compiler_output);
  }
  if (omitted) eg.compiler_output.push_back("(" + std::to_string(omitted) + " more lines)");
}

// Compiles the source in the sandbox, with the workbook's headers and the precompiled header
// visible and nothing else of the project, then checks the headers it read. False when it does
// not compile or read what it may not (`eg` says why).
bool compile_submission(Run& run, int slot, const BuildPaths& p, ExerciseGrade& eg) {
  std::vector<std::string> cmd = run.toolchain.compile;
  cmd[run.toolchain.source_at] = p.source.string();
  cmd[run.toolchain.object_at] = p.object.string();
  cmd.insert(cmd.end(), {"-MF", p.deps.string()});
  const ProcessResult pr =
      run_process(run.sandbox.wrap(cmd, run.toolchain.headers, {p.dir}, p.dir), compile_limits(run, slot), p.dir.string());
  run.sandbox.sweep(slot);
  if (pr.end == ProcessResult::End::FailedToStart) throw SetupError("cannot run the compiler: " + pr.detail);
  if (pr.end != ProcessResult::End::Exited || pr.exit_code != 0) {
    compile_failed(pr, p, eg);
    return false;
  }
  if (const std::string why = refused_dependencies(read_file(p.deps), p.source, run.toolchain.headers); !why.empty()) {
    eg.status = GradeStatus::Refused;
    eg.reason = why;
    return false;
  }
  return true;
}

// Links the object against the prebuilt workbook. False when it does not link (`eg` says why).
bool link_submission(Run& run, int slot, const BuildPaths& p, ExerciseGrade& eg) {
  std::vector<std::string> link = {run.toolchain.compile.front()};
  link.insert(link.end(), run.toolchain.link_flags.begin(), run.toolchain.link_flags.end());
  link.insert(link.end(), {p.object.string(), "-o", p.exe.string()});
  std::vector<fs::path> libs;
  for (const auto& lib : run.toolchain.libraries.at(eg.info->number)) {
    link.push_back(lib);
    libs.push_back(lib);
  }
  const ProcessResult pr = run_process(run.sandbox.wrap(link, libs, {p.dir}, p.dir), compile_limits(run, slot), p.dir.string());
  if (pr.end == ProcessResult::End::Exited && pr.exit_code == 0) return true;
  eg.status = GradeStatus::CompileError;
  eg.reason = stopped_because(pr, "the linker");
  if (eg.reason.empty()) eg.reason = "it compiled but does not link";
  keep_first_lines(pr.output, eg.compiler_output);
  return false;
}

// How the runner is judged on one instance: in the sandbox, in `rundir`, with the run's limits.
CheckOptions instance_options(const Run& run, int slot, const ExerciseInfo& info, const Instance& instance,
                              const fs::path& exe, const fs::path& rundir, bool first) {
  CheckOptions options = default_options(info);
  options.seed = instance.seed;
  options.sizes = instance.sizes;
  // The experiment, and exercise 13's, 15's and 16's training (its sizes fixed, not the instance's),
  // run on the first instance only (row_asked).
  if ((info.experiment || info.trains_rnn || info.trains_values || info.trains_gpt) && !first) options.sizes["S"] = 0;
  // Exercise 17's paths and MLP runs are shown, never judged: not run when grading.
  if (info.optimizer_paths) options.sizes["S"] = 0;
  options.rebuild = false;
  options.runner = exe.string();
  options.limits.memory_bytes = kRunMemoryBytes;
  options.limits = run.sandbox.limits(options.limits, slot);
  // The folder it works in is a sized tmpfs: what it writes there stays in the sandbox, capped.
  options.command_prefix = run.sandbox.wrap({}, {exe}, {}, rundir, true);
  options.workdir = rundir.string();
  return options;
}

// A row earns credit only when it is correct on every instance: can one still, after these runs?
bool some_row_open(const ExerciseGrade& eg) {
  const std::size_t rows = row_names(*eg.info).size();
  for (std::size_t i = 0; i < rows; ++i) {
    bool ok = true;
    for (const auto& r : eg.runs) ok = ok && (!row_asked(r, i) || (i < r.gradients.size() && r.gradients[i].verdict == Verdict::Correct));
    if (ok) return true;
  }
  return false;
}

// Judges the runner on every instance, each in a fresh folder, while a row can still earn credit.
void run_instances(Run& run, int slot, const BuildPaths& p, ExerciseGrade& eg) {
  const ExerciseInfo& info = *eg.info;
  eg.status = GradeStatus::Graded;
  const auto& instances = run.instances.at(info.number);
  for (std::size_t k = 0; k < instances.size(); ++k) {
    if (grading_interrupted()) return;
    const fs::path rundir = p.dir / ("run" + std::to_string(k));
    prepare_folder(rundir, run.sandbox.uid(slot));
    const CheckOptions options = instance_options(run, slot, info, instances[k], p.exe, rundir, k == 0);
    try {
      eg.runs.push_back(check_exercise(*run.ws, info, options));
      run.sandbox.sweep(slot);
    } catch (const SetupError& e) {
      eg.status = GradeStatus::Error;
      eg.reason = std::string("the grader could not run it: ") + e.what();
      eg.runs.clear();
      return;
    }
    std::error_code ec;
    fs::remove_all(rundir, ec);
    if (!some_row_open(eg) && k + 1 < instances.size()) {
      eg.reason += std::string(eg.reason.empty() ? "" : "; ") + "the other " + std::to_string(instances.size() - k - 1) +
                   " instance(s) were not run: no gradient could still earn credit";
      break;
    }
  }
}

}  // namespace

void prepare_folder(const fs::path& dir, long uid) {
  fs::create_directories(dir);
  if (uid >= 0 && ::chown(dir.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(uid)) != 0)
    throw SetupError("cannot hand " + dir.string() + " to the sandbox user");
  fs::permissions(dir, fs::perms::owner_all);
}

std::optional<BuildCache::Outcome> BuildCache::claim(int exercise, const std::string& source) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto key = std::make_pair(exercise, source);
  for (;;) {
    const auto it = entries_.find(key);
    if (it == entries_.end()) {
      entries_.emplace(key, Entry{});
      return std::nullopt;
    }
    if (it->second.done) {
      ++reuses_;
      return it->second.outcome;
    }
    changed_.wait(lock);
  }
}

void BuildCache::finish(int exercise, const std::string& source, Outcome outcome) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    Entry& e = entries_[std::make_pair(exercise, source)];
    e.done = true;
    e.outcome = std::move(outcome);
  }
  changed_.notify_all();
}

void BuildCache::abandon(int exercise, const std::string& source) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    entries_.erase(std::make_pair(exercise, source));
  }
  changed_.notify_all();
}

std::size_t BuildCache::builds() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::size_t BuildCache::ticket() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return tickets_++;
}

std::size_t BuildCache::reuses() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return reuses_;
}

namespace {

// Writes a runner's bytes to `file`, executable by a sandbox user.
void write_runner(const fs::path& file, const std::string& bytes) {
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.flush()) throw SetupError("cannot write " + file.string());
  }
  fs::permissions(file, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
}

bool compile_and_link(Run& run, int slot, const BuildPaths& p, ExerciseGrade& eg) {
  return compile_submission(run, slot, p, eg) && link_submission(run, slot, p, eg);
}

// Builds the file written at p.source into p.exe, or takes what an identical file's build gave
// (run.builds). False when it does not build (`eg` says why, as the first build said).
bool build_submission(Run& run, int slot, const BuildPaths& p, const std::string& text, ExerciseGrade& eg) {
  const int number = eg.info->number;
  if (std::optional<BuildCache::Outcome> kept = run.builds.claim(number, text)) {
    if (!kept->linked) {
      eg.status = kept->status;
      eg.reason = kept->reason;
      eg.compiler_output = kept->compiler_output;
      return false;
    }
    // The kept copy is checked against its hash: only a run without the sandbox's users could
    // have changed it (another submission's code running as the grader's user), and then this
    // file is built afresh.
    const std::string bytes = read_file(kept->runner);
    if (!bytes.empty() && std::hash<std::string>{}(bytes) == kept->runner_hash) {
      write_runner(p.exe, bytes);
      return true;
    }
    return compile_and_link(run, slot, p, eg);
  }
  // Until finished, an exception (the compiler cannot be started) leaves the file to the next.
  struct Abandon {
    Run& run;
    int number;
    const std::string& text;
    bool armed = true;
    ~Abandon() {
      if (armed) run.builds.abandon(number, text);
    }
  } abandon{run, number, text};
  BuildCache::Outcome outcome;
  outcome.linked = compile_and_link(run, slot, p, eg);
  if (outcome.linked) {
    // A copy the grader owns, made before any instance ran the runner.
    const fs::path kept = run.scratch / "builds";
    fs::create_directories(kept);
    fs::permissions(kept, fs::perms::owner_all);
    outcome.runner = kept / (eg.info->id() + "-" + std::to_string(run.builds.ticket()));
    const std::string bytes = read_file(p.exe);
    outcome.runner_hash = std::hash<std::string>{}(bytes);
    write_runner(outcome.runner, bytes);
  } else {
    outcome.status = eg.status;
    outcome.reason = eg.reason;
    outcome.compiler_output = eg.compiler_output;
  }
  const bool linked = outcome.linked;
  abandon.armed = false;
  run.builds.finish(number, text, std::move(outcome));
  return linked;
}

}  // namespace

void grade_exercise(Run& run, const Submission& submission, const fs::path& work, int slot, ExerciseGrade& eg) {
  const std::optional<std::string> source_text = submitted_source(submission, eg);
  if (!source_text) return;
  const BuildPaths p = build_paths(work, *eg.info);
  prepare_folder(p.dir, run.sandbox.uid(slot));
  {
    std::ofstream out(p.source, std::ios::binary);
    out << *source_text;
  }
  if (!build_submission(run, slot, p, *source_text, eg)) return;
  run_instances(run, slot, p, eg);
}

}  // namespace bpdojo
