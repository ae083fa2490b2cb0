#include "grade/grade.hpp"

#include "common/files.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "grade/build_run.hpp"
#include "grade/gradebook.hpp"
#include "grade/grading.hpp"
#include "grade/summary.hpp"

#include "bpdojo/rng.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <set>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted = true; }

// ---------------------------------------------------------------------------------------------
// One submission.

void score(const Run& run, ExerciseGrade& eg) {
  const ExerciseInfo& info = *eg.info;
  const auto names = row_names(info);
  const auto& w = run.weights.gradient.at(info.number);
  eg.max_points = run.weights.points.at(info.number);
  eg.credit.assign(names.size(), 0.0);
  double got = 0.0, all = 0.0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    bool ok = eg.status == GradeStatus::Graded && !eg.runs.empty();
    for (const auto& r : eg.runs) ok = ok && (!row_asked(r, i) || (i < r.gradients.size() && r.gradients[i].verdict == Verdict::Correct));
    eg.credit[i] = ok ? 1.0 : 0.0;
    got += w.at(names[i]) * eg.credit[i];
    all += w.at(names[i]);
  }
  if (all <= 0.0) eg.max_points = 0.0;  // every share zero: the exercise is worth nothing
  eg.points = all > 0 ? eg.max_points * got / all : 0.0;
  eg.row_points.clear();
  for (const auto& n : names) eg.row_points.push_back(all > 0 ? eg.max_points * w.at(n) / all : 0.0);
}

StudentGrade grade_student(Run& run, const std::string& id, int slot) {
  StudentGrade sg;
  sg.id = id;
  const auto start = std::chrono::steady_clock::now();
  const fs::path work = run.scratch / ("slot" + std::to_string(slot));
  // The student's archives are unpacked by the grader, outside the sandbox's reach: only the text
  // of the exercise's file is handed to the build, as from a folder.
  const fs::path unpacked = run.scratch / ("unpacked" + std::to_string(slot));
  {
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::remove_all(unpacked, ec);
    fs::create_directories(unpacked);
    fs::permissions(unpacked, fs::perms::owner_all);
  }
  const Submission submission = open_submission(run.options.submissions, id, unpacked);
  prepare_folder(work, run.sandbox.uid(slot));
  for (const ExerciseInfo* info : run.exercises) {
    if (g_interrupted) break;
    ExerciseGrade eg;
    eg.info = info;
    grade_exercise(run, submission, work, slot, eg);
    score(run, eg);
    sg.total += eg.points;
    sg.max_total += eg.max_points;
    sg.exercises.push_back(std::move(eg));
    std::error_code ec;
    fs::remove_all(work / info->id(), ec);
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::remove_all(unpacked, ec);
  sg.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sg;
}

// ---------------------------------------------------------------------------------------------
// The run: its choices, its scratch folder, the students, the workers.

// The options that need no --out.
void check_basic_options(const GradeOptions& options) {
  if (!fs::is_directory(options.submissions)) throw SetupError(options.submissions.string() + " is not a folder of submissions");
  if (options.jobs < 1) throw SetupError("--jobs must be at least 1");
  if (options.jobs > kMaxSlots) throw SetupError("--jobs must be at most " + std::to_string(kMaxSlots));
  if (options.seeds < 0) throw SetupError("--seeds must be 0 or more");
}

// One grader at a time in an output folder: an exclusive flock on --out/grade.lock, held until
// the run ends (the kernel frees it when a grader is killed). A second grader, or a --resume
// while the first still runs, refuses before it touches anything else.
struct OutLock {
  int fd = -1;
  fs::path made;  // --out, when this run made it: removed again when no run was recorded in it
  explicit OutLock(const fs::path& out) {
    std::error_code ec;
    if (!fs::exists(out, ec)) made = out;
    fs::create_directories(out, ec);
    if (ec) throw SetupError("cannot make " + out.string() + ": " + ec.message());
    const fs::path file = out / "grade.lock";
    fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw SetupError("cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      fd = -1;
      made.clear();
      throw SetupError(out.string() + " is in use by another grader: wait for it to end, or choose another --out");
    }
  }
  ~OutLock() {
    std::error_code ec;
    if (!made.empty() && !fs::exists(made / "run.json", ec)) fs::remove_all(made, ec);
    if (fd >= 0) ::close(fd);
  }
  OutLock(const OutLock&) = delete;
  OutLock& operator=(const OutLock&) = delete;
};

// Checks the options against --out. Returns whether --out holds a run (then it is resumed or
// regraded from).
bool check_options(const GradeOptions& options) {
  const fs::path& out = options.out;
  const bool existing = fs::exists(out / "run.json");
  const bool continuing = options.resume || !options.regrade.empty();
  if (existing && !continuing)
    throw SetupError(out.string() + " holds a grading run already: --resume to continue it, or choose another --out");
  if (!existing && continuing) throw SetupError(out.string() + " holds no grading run to " + (options.resume ? "resume" : "regrade from"));
  return existing;
}

// The recorded run in --out: its exercises, seeds and weights.
void load_recorded_run(Run& run) {
  const fs::path& out = run.options.out;
  const std::string rec = read_file(out / "run.json");
  if (rec.find(kGradeFormat) == std::string::npos) throw SetupError((out / "run.json").string() + " is not a grading run of this checker");
  // Only a run graded as this checker grades is continued: the same grader version and threshold.
  JsonWriter expect;
  expect.begin_object().key("grader_version").value(kGraderVersion).key("threshold").value(kThreshold).end_object();
  const std::string want = expect.str().substr(1, expect.str().size() - 2);
  if (rec.find(want) == std::string::npos)
    throw SetupError((out / "run.json").string() + " was graded by another version of the checker or with another threshold (this one: " + want +
                     "): grade the class again into another --out");
  for (const auto& id : json_array(rec, "exercises")) run.exercises.push_back(&resolve_exercise(id));
  for (const auto& s : json_array(rec, "seeds")) run.seeds.push_back(std::stoull(s));
  if (run.exercises.empty() || run.seeds.empty()) throw SetupError((out / "run.json").string() + " is damaged: no exercises or seeds");
  run.weights = parse_weights(read_file(out / "weights.txt"), (out / "weights.txt").string());
}

// A new run: the exercises asked for, the default seed and --seeds hidden ones, the weights.
void choose_new_run(Run& run) {
  const GradeOptions& options = run.options;
  if (options.exercises.empty()) {
    for (const auto& e : all_exercises()) run.exercises.push_back(&e);
  } else {
    for (int n : options.exercises) {
      const ExerciseInfo* e = find_exercise(n);
      if (!e) throw SetupError("no exercise " + std::to_string(n));
      run.exercises.push_back(e);
    }
  }
  run.seeds.push_back(kDefaultSeed);
  std::random_device device;
  std::set<std::uint64_t> seen = {kDefaultSeed};
  while (static_cast<int>(run.seeds.size()) < options.seeds + 1) {
    const std::uint64_t s = 1 + (static_cast<std::uint64_t>(device()) & 0x7ffffffe);
    if (seen.insert(s).second) run.seeds.push_back(s);
  }
  std::string weights_text;
  if (!options.weights_file.empty()) {
    if (!fs::is_regular_file(options.weights_file)) throw SetupError("cannot read the weights file " + options.weights_file);
    weights_text = read_file(options.weights_file);
  }
  run.weights = parse_weights(weights_text, options.weights_file);
}

// The instances of every exercise, how submissions are built, and the sandbox they are built in.
void prepare_run(Run& run) {
  for (const auto* info : run.exercises) {
    auto& list = run.instances[info->number];
    for (auto s : run.seeds) list.push_back(grading_instance(*info, s));
  }
  run.toolchain = load_toolchain(*run.ws);
  std::vector<fs::path> must_read;
  for (const auto& h : run.toolchain.headers) must_read.push_back(h / (h.filename() == "bpdojo" ? "learner.hpp" : "cmake_pch.hxx"));
  run.sandbox = probe_sandbox(run.options.bubblewrap, run.options.jobs, must_read);
  if (!run.sandbox.bubblewrap) std::fprintf(stderr, "checker grade: warning: %s\n", run.sandbox.description.c_str());
}

// A scratch folder of its own in /tmp, after removing those of graders that were killed (SIGKILL
// leaves them): their pid is gone.
fs::path make_scratch() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("bpdojo-grade-", 0) != 0) continue;
    std::ifstream in(e.path() / "pid");
    long pid = 0;
    if (in >> pid && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
  char tmpl[] = "/tmp/bpdojo-grade-XXXXXX";
  const char* made = ::mkdtemp(tmpl);
  if (!made) throw SetupError("cannot make a temporary folder in /tmp");
  const fs::path scratch = made;
  std::ofstream(scratch / "pid") << ::getpid() << "\n";
  fs::permissions(scratch, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  return scratch;
}

// The sandbox can compile and run: the stub of the first exercise, before any submission.
void self_test(Run& run) {
  const ExerciseInfo& info = *run.exercises.front();
  const fs::path stub_folder = run.scratch / "selftest-submission" / "selftest";
  fs::create_directories(stub_folder);
  fs::copy_file(run.ws->root / "workbook" / "stubs" / info.source, stub_folder / info.source);
  ExerciseGrade eg;
  eg.info = &info;
  const fs::path work = run.scratch / "selftest";
  prepare_folder(work, run.sandbox.uid(0));
  // One instance is enough.
  auto saved = run.instances[info.number];
  run.instances[info.number] = {saved.front()};
  grade_exercise(run, Submission{stub_folder, {}}, work, 0, eg);
  run.instances[info.number] = saved;
  std::error_code ec;
  fs::remove_all(run.scratch / "selftest-submission", ec);
  fs::remove_all(work, ec);
  if (eg.status != GradeStatus::Graded || eg.runs.empty() || eg.runs.front().runner.end != ProcessResult::End::Exited) {
    std::string why = status_text(eg);
    if (!eg.compiler_output.empty()) why += " (" + eg.compiler_output.front() + ")";
    if (!eg.runs.empty()) why += " (" + eg.runs.front().runner.summary + ")";
    throw SetupError("the grading sandbox cannot build and run the pristine stub of " + info.id() + ": " + why);
  }
}


// The outputs in --out, ready for results: a new run's record written, or a recorded run's
// graded students (less the one regraded) with what an interrupted run left half written dropped.
// Returns the students graded already.
std::set<std::string> open_outputs(const Run& run, bool existing, const std::vector<std::string>& students) {
  const GradeOptions& options = run.options;
  fs::create_directories(options.out / "feedback");
  if (options.gradescope) fs::create_directories(options.out / "gradescope");
  if (!existing) {
    start_outputs(run);
    return {};
  }
  std::set<std::string> done = students_graded(options.out);
  if (!options.regrade.empty()) {
    if (std::find(students.begin(), students.end(), options.regrade) == students.end())
      throw SetupError("no submission named '" + shown_id(options.regrade) + "' in " + options.submissions.string());
    done.erase(options.regrade);
  }
  rewrite_outputs(run, done);
  return done;
}

std::string duration_text(double seconds) {
  const long s = std::lround(seconds);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + (s / 60 % 60 < 10 ? "0" : "") + std::to_string(s / 60 % 60) + "m";
}

struct Graded {
  std::size_t finished = 0;
  std::string failure;  // "<student>: <what>" when a worker stopped the run
};

// Grades `todo` with --jobs workers, each submission's files written as it finishes; SIGINT and
// SIGTERM stop them after the submissions under way.
Graded grade_all(Run& run, const std::vector<std::string>& todo) {
  g_interrupted = false;
  auto old_int = std::signal(SIGINT, on_interrupt);
  auto old_term = std::signal(SIGTERM, on_interrupt);
  std::atomic<std::size_t> next{0}, finished{0};
  const auto start = std::chrono::steady_clock::now();
  std::mutex print_mutex;
  std::string failure;
  auto worker = [&](int slot) {
    while (!g_interrupted) {
      const std::size_t k = next++;
      if (k >= todo.size()) return;
      try {
        StudentGrade sg = grade_student(run, todo[k], slot);
        if (g_interrupted) return;
        write_student(run, sg);
        const std::size_t n = ++finished;
        if (run.options.progress) {
          const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const double eta = elapsed / static_cast<double>(n) * static_cast<double>(todo.size() - n);
          std::lock_guard<std::mutex> lock(print_mutex);
          std::fprintf(stderr, "[%zu/%zu] %s %s/%s  ETA %s\n", n, todo.size(), shown_id(sg.id).c_str(), fixed(sg.total, 2).c_str(),
                       fixed(sg.max_total, 2).c_str(), duration_text(eta).c_str());
        }
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(print_mutex);
        if (failure.empty()) failure = shown_id(todo[k]) + ": " + e.what();
        g_interrupted = true;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int slot = 0; slot < std::min<int>(run.options.jobs, static_cast<int>(std::max<std::size_t>(todo.size(), 1))); ++slot)
    threads.emplace_back(worker, slot);
  for (auto& t : threads) t.join();
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  return {finished, failure};
}

// The outputs sorted, and only what is whole; what was graded, and the exit code.
int finish(const Run& run, const std::vector<std::string>& students, const std::set<std::string>& done,
           const std::vector<std::string>& todo, const Graded& graded) {
  const fs::path& out = run.options.out;
  std::set<std::string> all_done = done;
  for (const auto& s : students_graded(out)) all_done.insert(s);
  rewrite_outputs(run, all_done);
  write_class_summary(out);
  if (!graded.failure.empty()) throw SetupError("grading stopped at " + graded.failure);
  const bool interrupted = g_interrupted.exchange(false);
  if (run.options.gradescope && all_done.size() == 1 && students.size() == 1) write_gradescope_results(run, *all_done.begin());
  std::printf("%s %zu of %zu submissions (%zu before); %s\n", interrupted ? "interrupted after grading" : "graded",
              graded.finished, todo.size(), done.size(), run.sandbox.description.c_str());
  if (const std::size_t reused = run.builds.reuses())
    std::printf("identical files were built once: %zu build(s), reused %zu time(s)\n", run.builds.builds(), reused);
  std::printf("gradebook: %s\nresults: %s\nfeedback: %s\nclass summary: %s\n", (out / "gradebook.csv").c_str(),
              (out / "results.jsonl").c_str(), (out / "feedback").c_str(), (out / "summary.html").c_str());
  if (interrupted) {
    std::printf("rerun with --resume to grade the rest with the same seeds\n");
    return 130;
  }
  return 0;
}

}  // namespace

bool grading_interrupted() { return g_interrupted; }

bool row_asked(const CheckResult& r, std::size_t i) {
  if (!r.info || i < r.info->gradients.size()) return true;
  const auto steps = r.sizes.find("S");
  return !((r.info->experiment && r.experiment && r.experiment->steps == 0) ||
           (r.info->trains_rnn && r.rnn_training && r.rnn_training->steps == 0) ||
           ((r.info->trains_values || r.info->trains_gpt) && steps != r.sizes.end() && steps->second == 0));
}

std::pair<std::int64_t, std::int64_t> grading_range(const ExerciseInfo& info, const SizeSpec& spec) {
  if (!spec.varies_when_graded) return {spec.default_value, spec.default_value};
  const std::int64_t lo = std::max(spec.min, (spec.default_value + 1) / 2);
  const std::int64_t hi = std::min(spec.max, info.trains ? spec.default_value : 2 * spec.default_value);
  return {std::min(lo, spec.default_value), std::max(hi, spec.default_value)};
}

Instance grading_instance(const ExerciseInfo& info, std::uint64_t seed) {
  Instance in;
  in.seed = seed;
  Rng rng = Rng(seed).fork(("grade sizes " + info.id()).c_str());
  for (const auto& s : info.sizes) {
    if (seed == kDefaultSeed) {
      in.sizes[s.letter] = s.default_value;
      continue;
    }
    const auto [lo, hi] = grading_range(info, s);
    in.sizes[s.letter] = lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  return in;
}

int grade(const Workspace& ws, const GradeOptions& options) {
  Run run;
  run.ws = &ws;
  run.options = options;
  check_basic_options(options);
  const OutLock out_lock(options.out);
  const bool existing = check_options(options);
  const std::vector<std::string> students = list_students(options.submissions);
  if (existing) load_recorded_run(run);
  else choose_new_run(run);
  prepare_run(run);
  run.scratch = make_scratch();
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{run.scratch};
  self_test(run);

  const std::set<std::string> done = open_outputs(run, existing, students);
  std::vector<std::string> todo;
  for (const auto& s : students)
    if (!done.count(s) && (options.regrade.empty() || s == options.regrade)) todo.push_back(s);
  const Graded graded = grade_all(run, todo);
  return finish(run, students, done, todo, graded);
}

}  // namespace bpdojo
