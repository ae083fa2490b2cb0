#include "grade/grade.hpp"

#include "common/files.hpp"
#include "common/text.hpp"

#include "judge/check.hpp"
#include "common/json.hpp"
#include "learner/report.hpp"
#include "grade/sandbox.hpp"
#include "grade/submissions.hpp"
#include "judge/training.hpp"

#include "bpdojo/rng.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "bpdojo.grade/1";

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted = true; }

// Writes `text` to `p` whole: into a temporary beside it, then renamed over it.
void write_atomically(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw SetupError("cannot write " + tmp.string());
  }
  fs::rename(tmp, p);
}

// Appends `text` to `p` with one write, flushed to the disk before returning.
void append_durably(const fs::path& p, const std::string& text) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw SetupError("cannot write " + p.string());
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw SetupError("cannot write " + p.string());
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string sizes_text(const Sizes& sizes) {
  return join(sizes, [](const auto& size) { return size.first + "=" + std::to_string(size.second); });
}

// ---------------------------------------------------------------------------------------------
// The compiler and linker, as CMake built the learner's runners.

struct Toolchain {
  std::vector<std::string> compile;  // the command, with the source and object at these indices
  std::size_t source_at = 0, object_at = 0;
  std::vector<std::string> link_flags;
  std::map<int, std::vector<std::string>> libraries;  // exercise number -> archives, in link order
  std::vector<fs::path> headers;                      // the folders a submission may include from
};

Toolchain load_toolchain(const Workspace& ws) {
  Toolchain tc;
  const fs::path db = ws.build / "compile_commands.json";
  const std::string text = read_file(db);
  if (text.empty()) throw SetupError("cannot read " + db.string() + ": configure the build first (bash setup.sh)");
  // The learner runner of exercise 01: the flags every exercise file is compiled with.
  const ExerciseInfo& first = all_exercises().front();
  const std::string wanted = (ws.root / "exercises" / first.source).lexically_normal().string();
  for (std::size_t start = text.find('{'); start != std::string::npos; start = text.find('{', start + 1)) {
    const std::size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    const std::string object = text.substr(start, end - start);
    if (fs::path(json_string_field(object, "file")).lexically_normal().string() != wanted) continue;
    tc.compile = split_command(json_string_field(object, "command"));
    break;
  }
  bool have_source = false, have_object = false;
  for (std::size_t i = 0; i + 1 < tc.compile.size(); ++i) {
    if (tc.compile[i] == "-c") tc.source_at = i + 1, have_source = true;
    if (tc.compile[i] == "-o") tc.object_at = i + 1, have_object = true;
    if (tc.compile[i] == "-include") tc.headers.push_back(fs::path(tc.compile[i + 1]).parent_path());
  }
  if (!have_source || !have_object)
    throw SetupError(db.string() + " has no compile command for " + wanted + ": rebuild (bash setup.sh)");
  tc.compile.insert(tc.compile.begin() + 1, {"-fdiagnostics-color=never", "-MMD"});
  tc.source_at += 2;
  tc.object_at += 2;
  tc.headers.push_back(ws.root / "workbook" / "bpdojo");

  const fs::path linkfile = ws.build / "grade-toolchain.txt";
  std::istringstream lines(read_file(linkfile));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "link_flags") {
      for (std::string w; words >> w;) tc.link_flags.push_back(w);
    } else if (kind == "libraries") {
      int nn = 0;
      words >> nn;
      for (std::string w; words >> w;) tc.libraries[nn].push_back(w);
    }
  }
  if (tc.libraries.empty()) throw SetupError("cannot read " + linkfile.string() + ": configure the build first (bash setup.sh)");
  return tc;
}

// ---------------------------------------------------------------------------------------------
// One submission.

struct ExerciseGrade {
  const ExerciseInfo* info = nullptr;
  std::string status;  // "graded", "missing", "ambiguous", "refused", "compile error", "error"
  std::string reason;  // why it was not graded, or a note (a copy was used)
  fs::path file;       // relative to the submission
  std::vector<std::string> compiler_output;
  std::string compiler_warnings;
  std::vector<CheckResult> runs;  // one per instance
  std::vector<double> credit;     // per gradient row: 1 when correct on every instance
  std::vector<double> row_points;  // per gradient row: what its credit is worth
  double points = 0.0, max_points = 0.0;
};

struct StudentGrade {
  std::string id;
  std::vector<ExerciseGrade> exercises;
  double total = 0.0, max_total = 0.0;
};

struct Run {
  const Workspace* ws = nullptr;
  GradeOptions options;
  std::vector<const ExerciseInfo*> exercises;
  std::vector<std::uint64_t> seeds;
  std::map<int, std::vector<Instance>> instances;
  Weights weights;
  Toolchain toolchain;
  Sandbox sandbox;
  fs::path scratch;  // temporary working folders
  std::mutex write_mutex;
};

std::vector<std::string> row_names(const ExerciseInfo& info) {
  std::vector<std::string> names;
  for (const auto& g : info.gradients) names.push_back(g.name);
  if (info.trains) {  // the rows check_exercise adds after the gradients, in its order
    for (const auto& n : update_row_names()) names.push_back(n);
    names.push_back(kTrainingRow);
  }
  return names;
}

void prepare_folder(const fs::path& dir, long uid) {
  fs::create_directories(dir);
  if (uid >= 0 && ::chown(dir.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(uid)) != 0)
    throw SetupError("cannot hand " + dir.string() + " to the sandbox user");
  fs::permissions(dir, fs::perms::owner_all);
}

void grade_exercise(Run& run, const fs::path& folder, const fs::path& work, int slot, ExerciseGrade& eg) {
  const ExerciseInfo& info = *eg.info;
  const FoundFile found = find_exercise_file(folder, info);
  eg.reason = found.reason;
  switch (found.status) {
    case FoundFile::Status::Missing: eg.status = "missing"; return;
    case FoundFile::Status::Ambiguous: eg.status = "ambiguous"; return;
    case FoundFile::Status::Refused: eg.status = "refused"; return;
    case FoundFile::Status::Found: break;
  }
  eg.file = found.file.lexically_relative(folder);
  const std::string source_text = read_file(found.file);
  if (const std::string why = refused_includes(source_text); !why.empty()) {
    eg.status = "refused";
    eg.reason = why;
    return;
  }
  const long uid = run.sandbox.uid(slot);
  const fs::path dir = work / info.id();
  prepare_folder(dir, uid);
  const fs::path source = dir / info.source;
  {
    std::ofstream out(source, std::ios::binary);
    out << source_text;
  }
  const fs::path object = dir / (info.id() + ".o"), exe = dir / info.id(), deps = dir / (info.id() + ".d");

  // Compile, in the sandbox: the workbook's headers and the precompiled header visible, nothing else of the project.
  std::vector<std::string> cmd = run.toolchain.compile;
  cmd[run.toolchain.source_at] = source.string();
  cmd[run.toolchain.object_at] = object.string();
  cmd.insert(cmd.end(), {"-MF", deps.string()});
  ProcessLimits climits;
  climits.wall_seconds = 120.0;
  climits.memory_bytes = std::size_t{3} << 30;
  climits.output_keep = 256 << 10;
  climits.file_bytes = std::size_t{1} << 30;
  climits = run.sandbox.limits(climits, slot);
  ProcessResult pr = run_process(run.sandbox.wrap(cmd, run.toolchain.headers, {dir}, dir), climits, dir.string());
  run.sandbox.sweep(slot);
  if (pr.end == ProcessResult::End::FailedToStart) throw SetupError("cannot run the compiler: " + pr.detail);
  if (pr.end != ProcessResult::End::Exited || pr.exit_code != 0) {
    eg.status = "compile error";
    std::size_t omitted = 0;
    eg.compiler_output = compiler_errors(pr.output, source, dir, kCompilerOutputLines, &omitted);
    if (pr.end == ProcessResult::End::TimedOut) eg.reason = "the compiler ran out of time (120 s)";
    else if (pr.end == ProcessResult::End::MemoryLimit) eg.reason = "the compiler ran out of memory";
    else if (pr.end == ProcessResult::End::Signaled) eg.reason = "the compiler died: " + signal_name(pr.signal);
    if (eg.compiler_output.empty()) {
      std::istringstream lines(pr.output);
      for (std::string line; std::getline(lines, line) && eg.compiler_output.size() < kCompilerOutputLines;) eg.compiler_output.push_back(line);
    }
    if (omitted) eg.compiler_output.push_back("(" + std::to_string(omitted) + " more lines)");
    return;
  }
  if (const std::string why = refused_dependencies(read_file(deps), source, run.toolchain.headers); !why.empty()) {
    eg.status = "refused";
    eg.reason = why;
    return;
  }
  // Link against the prebuilt workbook.
  std::vector<std::string> link = {run.toolchain.compile.front()};
  link.insert(link.end(), run.toolchain.link_flags.begin(), run.toolchain.link_flags.end());
  link.insert(link.end(), {object.string(), "-o", exe.string()});
  std::vector<fs::path> libs;
  for (const auto& lib : run.toolchain.libraries.at(info.number)) {
    link.push_back(lib);
    libs.push_back(lib);
  }
  pr = run_process(run.sandbox.wrap(link, libs, {dir}, dir), climits, dir.string());
  if (pr.end != ProcessResult::End::Exited || pr.exit_code != 0) {
    eg.status = "compile error";
    eg.reason = "it compiled but does not link";
    std::istringstream lines(pr.output);
    for (std::string line; std::getline(lines, line) && eg.compiler_output.size() < kCompilerOutputLines;) eg.compiler_output.push_back(line);
    return;
  }
  // Run on every instance, each in a fresh folder.
  eg.status = "graded";
  const auto& instances = run.instances.at(info.number);
  for (std::size_t k = 0; k < instances.size(); ++k) {
    if (g_interrupted) return;
    const fs::path rundir = dir / ("run" + std::to_string(k));
    prepare_folder(rundir, uid);
    CheckOptions options = default_options(info);
    options.seed = instances[k].seed;
    options.sizes = instances[k].sizes;
    options.rebuild = false;
    options.runner = exe.string();
    options.limits.memory_bytes = std::size_t{1} << 30;
    options.limits = run.sandbox.limits(options.limits, slot);
    options.command_prefix = run.sandbox.wrap({}, {exe}, {rundir}, rundir);
    options.workdir = rundir.string();
    try {
      eg.runs.push_back(check_exercise(*run.ws, info, options));
      run.sandbox.sweep(slot);
    } catch (const SetupError& e) {
      eg.status = "error";
      eg.reason = std::string("the grader could not run it: ") + e.what();
      eg.runs.clear();
      return;
    }
    std::error_code ec;
    fs::remove_all(rundir, ec);
    // A row earns credit only when correct on every instance: once none can, the rest need not run.
    bool open = false;
    const std::size_t rows = row_names(info).size();
    for (std::size_t i = 0; i < rows && !open; ++i) {
      bool ok = true;
      for (const auto& r : eg.runs) ok = ok && i < r.gradients.size() && r.gradients[i].verdict == Verdict::Correct;
      open = ok;
    }
    if (!open && k + 1 < instances.size()) {
      eg.reason += std::string(eg.reason.empty() ? "" : "; ") + "the other " + std::to_string(instances.size() - k - 1) +
                   " instance(s) were not run: no gradient could still earn credit";
      break;
    }
  }
}

void score(const Run& run, ExerciseGrade& eg) {
  const ExerciseInfo& info = *eg.info;
  const auto names = row_names(info);
  const auto& w = run.weights.gradient.at(info.number);
  eg.max_points = run.weights.points.at(info.number);
  eg.credit.assign(names.size(), 0.0);
  double got = 0.0, all = 0.0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    bool ok = eg.status == "graded" && !eg.runs.empty();
    for (const auto& r : eg.runs) ok = ok && i < r.gradients.size() && r.gradients[i].verdict == Verdict::Correct;
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
  const fs::path folder = run.options.submissions / id;
  const fs::path work = run.scratch / ("slot" + std::to_string(slot));
  {
    std::error_code ec;
    fs::remove_all(work, ec);
  }
  prepare_folder(work, run.sandbox.uid(slot));
  for (const ExerciseInfo* info : run.exercises) {
    if (g_interrupted) break;
    ExerciseGrade eg;
    eg.info = info;
    grade_exercise(run, folder, work, slot, eg);
    score(run, eg);
    sg.total += eg.points;
    sg.max_total += eg.max_points;
    sg.exercises.push_back(std::move(eg));
    std::error_code ec;
    fs::remove_all(work / info->id(), ec);
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  return sg;
}

// ---------------------------------------------------------------------------------------------
// What a finished submission writes.

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += prefix + line + "\n";
  return out;
}

std::string row_verdicts(const ExerciseGrade& eg, std::size_t i) {
  // The verdict on each instance, shortened when they agree.
  std::string first;
  bool same = true;
  std::vector<std::string> each;
  for (std::size_t k = 0; k < eg.runs.size(); ++k) {
    const auto& r = eg.runs[k];
    const std::string v = i < r.gradients.size() ? to_string(r.gradients[i].verdict) : "missing";
    if (k == 0) first = v;
    same = same && v == first;
    each.push_back(v + " on seed " + std::to_string(r.seed));
  }
  if (same) return first + (eg.runs.size() > 1 ? " on every instance" : "");
  return join(each);
}

std::string feedback_text(const Run& run, const StudentGrade& sg) {
  std::string out = "Backprop Dojo: grade for " + sg.id + "\n";
  out += "total " + fixed(sg.total, 2) + " / " + fixed(sg.max_total, 2) + "\n";
  out += "Each gradient earns its share when it is correct on every instance: the default one and " +
         std::to_string(run.seeds.size() - 1) + " hidden.\n";
  for (const auto& eg : sg.exercises) {
    const ExerciseInfo& info = *eg.info;
    out += "\n" + info.id() + " (" + info.title + "): " + fixed(eg.points, 2) + " / " + fixed(eg.max_points, 2) + "\n";
    if (!eg.file.empty()) out += "  file: " + eg.file.string() + "\n";
    if (eg.status != "graded") {
      out += "  " + eg.status + (eg.reason.empty() ? "" : ": " + eg.reason) + "\n";
      for (const auto& line : eg.compiler_output) out += "  | " + line + "\n";
      continue;
    }
    if (!eg.reason.empty()) out += "  note: " + eg.reason + "\n";
    out += "  instances:";
    for (const auto& r : eg.runs) out += " [seed " + std::to_string(r.seed) + (r.sizes.empty() ? "" : ": " + sizes_text(r.sizes)) + "]";
    out += "\n";
    const auto names = row_names(info);
    for (std::size_t i = 0; i < names.size(); ++i)
      out += "  " + names[i] + ": " + (eg.credit[i] > 0 ? "credit" : "no credit") + " (" + row_verdicts(eg, i) + ")\n";
    // The whole report of the first instance that is not all correct.
    for (const auto& r : eg.runs) {
      if (r.all_correct()) continue;
      out += "  The report for seed " + std::to_string(r.seed) + ":\n";
      out += indent(text_report(r, Style{}), "  | ");
      break;
    }
  }
  return out;
}

std::string jsonl_lines(const Run& run, const StudentGrade& sg) {
  std::string out;
  for (const auto& eg : sg.exercises) {
    const auto names = row_names(*eg.info);
    const auto& w = run.weights.gradient.at(eg.info->number);
    for (std::size_t i = 0; i < names.size(); ++i) {
      JsonWriter j;
      j.begin_object();
      j.key("student").value(sg.id);
      j.key("exercise").value(eg.info->id());
      j.key("gradient").value(names[i]);
      std::string status = eg.status;
      if (status == "graded") {
        status = "correct";
        for (const auto& r : eg.runs)
          if (i < r.gradients.size() && r.gradients[i].verdict != Verdict::Correct) {
            status = to_string(r.gradients[i].verdict);
            break;
          }
      }
      j.key("status").value(status);
      j.key("credit").value(eg.credit[i]);
      j.key("weight").value(w.at(names[i]));
      j.key("points").value(eg.row_points[i] * eg.credit[i]);
      j.key("max_points").value(eg.row_points[i]);
      j.key("reason").value(eg.reason);
      j.key("instances").begin_array();
      for (const auto& r : eg.runs) {
        j.begin_object();
        j.key("seed").value(r.seed);
        j.key("sizes").begin_object();
        for (const auto& [letter, value] : r.sizes) j.key(letter).value(value);
        j.end_object();
        const GradientResult* g = i < r.gradients.size() ? &r.gradients[i] : nullptr;
        j.key("verdict").value(g ? to_string(g->verdict) : "missing");
        j.key("rel_error");
        if (g && g->comparison) j.value(g->comparison->rel_error);
        else j.null();
        j.key("message").value(g ? g->message : std::string());
        j.key("runner").value(r.runner.summary);
        j.end_object();
      }
      j.end_array();
      j.end_object();
      out += j.str() + "\n";
    }
  }
  return out;
}

std::string gradescope_json(const StudentGrade& sg, const std::string& feedback) {
  JsonWriter j;
  j.begin_object();
  j.key("score").value(sg.total);
  j.key("output").value(feedback);
  j.key("visibility").value("visible");
  j.key("stdout_visibility").value("hidden");
  j.key("tests").begin_array();
  for (const auto& eg : sg.exercises) {
    const auto names = row_names(*eg.info);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const double max = eg.row_points[i];
      j.begin_object();
      j.key("name").value(eg.info->id() + " " + eg.info->title + ": " + names[i]);
      j.key("score").value(max * eg.credit[i]);
      j.key("max_score").value(max);
      j.key("status").value(eg.credit[i] > 0 ? "passed" : "failed");
      std::string output = eg.status == "graded" ? row_verdicts(eg, i) : eg.status + (eg.reason.empty() ? "" : ": " + eg.reason);
      j.key("output").value(output);
      j.key("visibility").value("visible");
      j.end_object();
    }
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

std::string csv_header(const Run& run) {
  std::string h = "student";
  for (const auto* info : run.exercises) h += "," + info->id();
  return h + ",total\n";
}

std::string csv_row(const StudentGrade& sg) {
  std::string row = csv_field(sg.id);
  for (const auto& eg : sg.exercises) row += "," + fixed(eg.points, 2);
  return row + "," + fixed(sg.total, 2) + "\n";
}

// The first field of a CSV row (the student), unquoted.
std::string csv_first(const std::string& row) {
  if (row.empty() || row[0] != '"') return row.substr(0, row.find(','));
  std::string out;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '"') {
      if (i + 1 < row.size() && row[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        break;
      }
    } else {
      out += row[i];
    }
  }
  return out;
}

// The student of a results.jsonl line (every line starts {"student":"...").
std::string jsonl_student(const std::string& line) {
  const std::string prefix = "{\"student\":";
  if (line.rfind(prefix, 0) != 0) return "";
  std::string out;
  for (std::size_t i = prefix.size() + 1; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    out += line[i];
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The gradebook and results of the students in `keep` only (the others were interrupted or are
// regraded), rows sorted by student; results keep their order within a student.
void rewrite_outputs(const Run& run, const std::set<std::string>& keep) {
  const fs::path& out = run.options.out;
  auto csv = lines_of(read_file(out / "gradebook.csv"));
  std::vector<std::string> rows;
  for (std::size_t i = 1; i < csv.size(); ++i)
    if (keep.count(csv_first(csv[i]))) rows.push_back(csv[i]);
  std::sort(rows.begin(), rows.end(), [](const std::string& a, const std::string& b) { return csv_first(a) < csv_first(b); });
  std::string text = csv_header(run);
  for (const auto& r : rows) text += r + "\n";
  write_atomically(out / "gradebook.csv", text);
  std::map<std::string, std::string> by_student;
  for (const auto& line : lines_of(read_file(out / "results.jsonl"))) {
    const std::string s = jsonl_student(line);
    if (keep.count(s)) by_student[s] += line + "\n";
  }
  text.clear();
  for (const auto& [s, lines] : by_student) text += lines;
  write_atomically(out / "results.jsonl", text);
}

void write_student(Run& run, const StudentGrade& sg) {
  const fs::path& out = run.options.out;
  const std::string fb = feedback_text(run, sg);
  std::lock_guard<std::mutex> lock(run.write_mutex);
  // A student's files first, the gradebook row last: a row in gradebook.csv means all is written.
  write_atomically(out / "feedback" / (sg.id + ".txt"), fb);
  if (run.options.gradescope) write_atomically(out / "gradescope" / (sg.id + ".json"), gradescope_json(sg, fb));
  append_durably(out / "results.jsonl", jsonl_lines(run, sg));
  append_durably(out / "gradebook.csv", csv_row(sg));
}

// ---------------------------------------------------------------------------------------------
// The run: its record, the students, the workers.

std::string run_json(const Run& run) {
  JsonWriter j;
  j.begin_object();
  j.key("format").value(kFormat);
  j.key("submissions").value(fs::absolute(run.options.submissions).lexically_normal().string());
  j.key("exercises").begin_array();
  for (const auto* info : run.exercises) j.value(info->id());
  j.end_array();
  j.key("seeds").begin_array();
  for (auto s : run.seeds) j.value(s);
  j.end_array();
  j.key("instances").begin_object();
  for (const auto* info : run.exercises) {
    j.key(info->id()).begin_array();
    for (const auto& in : run.instances.at(info->number)) {
      j.begin_object();
      j.key("seed").value(in.seed);
      j.key("sizes").begin_object();
      for (const auto& [letter, value] : in.sizes) j.key(letter).value(value);
      j.end_object();
      j.end_object();
    }
    j.end_array();
  }
  j.end_object();
  j.key("weights").begin_object();
  for (const auto* info : run.exercises) {
    j.key(info->id()).begin_object();
    j.key("points").value(run.weights.points.at(info->number));
    j.key("gradients").begin_object();
    for (const auto& n : row_names(*info)) j.key(n).value(run.weights.gradient.at(info->number).at(n));
    j.end_object();
    j.end_object();
  }
  j.end_object();
  j.key("sandbox").value(run.sandbox.description);
  j.key("limits").begin_object();
  j.key("wall_seconds").value(default_options(*find_exercise(1)).limits.wall_seconds);
  j.key("wall_seconds_training").value(default_options(*find_exercise(8)).limits.wall_seconds);
  j.key("memory_mib").value(1024);
  j.key("output_mib").value(64);
  j.key("file_mib").value(256);
  j.key("processes").value(static_cast<std::int64_t>(run.sandbox.processes));
  j.key("compile_seconds").value(120.0);
  j.end_object();
  j.key("jobs").value(run.options.jobs);
  j.end_object();
  return j.str() + "\n";
}

// The numbers after `"key":[` in run.json.
std::vector<std::string> json_array(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  const std::string pattern = "\"" + key + "\":[";
  const std::size_t at = text.find(pattern);
  if (at == std::string::npos) return out;
  const std::size_t end = text.find(']', at);
  std::string items = text.substr(at + pattern.size(), end - at - pattern.size());
  std::istringstream in(items);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty() && item.front() == '"') item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<std::string> list_students(const fs::path& submissions) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(submissions, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "__MACOSX" || name.rfind('.', 0) == 0) continue;
    if (e.is_directory(ec) && !e.is_symlink(ec)) out.push_back(name);
  }
  if (ec) throw SetupError("cannot read " + submissions.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string duration_text(double seconds) {
  const long s = std::lround(seconds);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + (s / 60 % 60 < 10 ? "0" : "") + std::to_string(s / 60 % 60) + "m";
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
  grade_exercise(run, stub_folder, work, 0, eg);
  run.instances[info.number] = saved;
  std::error_code ec;
  fs::remove_all(run.scratch / "selftest-submission", ec);
  fs::remove_all(work, ec);
  if (eg.status != "graded" || eg.runs.empty() || eg.runs.front().runner.end != ProcessResult::End::Exited) {
    std::string why = eg.status + (eg.reason.empty() ? "" : ": " + eg.reason);
    if (!eg.compiler_output.empty()) why += " (" + eg.compiler_output.front() + ")";
    if (!eg.runs.empty()) why += " (" + eg.runs.front().runner.summary + ")";
    throw SetupError("the grading sandbox cannot build and run the pristine stub of " + info.id() + ": " + why);
  }
}

}  // namespace

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

Weights parse_weights(const std::string& text, const std::string& label) {
  Weights w;
  for (const auto& info : all_exercises()) {
    w.points[info.number] = 10.0;
    double sum = 0.0;
    for (const auto& n : row_names(info)) {
      if (n == kTrainingRow) continue;
      w.gradient[info.number][n] = 1.0;
      sum += 1.0;
    }
    if (info.trains) w.gradient[info.number][kTrainingRow] = sum;  // the run weighs as much as every other row
  }
  std::istringstream lines(text);
  int lineno = 0;
  for (std::string line; std::getline(lines, line);) {
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const std::string where = label + ":" + std::to_string(lineno) + ": ";
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw SetupError(where + "expected `exercise_03 = 10` or `exercise_03.dx = 2`");
    std::string name = line.substr(first, eq - first);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    double value = 0.0;
    try {
      std::size_t used = 0;
      const std::string v = line.substr(eq + 1);
      value = std::stod(v, &used);
      if (v.find_first_not_of(" \t\r", used) != std::string::npos) throw std::invalid_argument(v);
    } catch (const std::logic_error&) {
      throw SetupError(where + "the weight of " + name + " is not a number");
    }
    if (!(value >= 0.0) || !std::isfinite(value)) throw SetupError(where + "a weight must be a number >= 0");
    const auto dot = name.find('.');
    const std::string ex = name.substr(0, dot);
    const ExerciseInfo* info = nullptr;
    for (const auto& e : all_exercises())
      if (e.id() == ex) info = &e;
    if (!info) throw SetupError(where + "no exercise named '" + ex + "' (exercise_01 ... exercise_" +
                                (all_exercises().back().number < 10 ? "0" : "") + std::to_string(all_exercises().back().number) + ")");
    if (dot == std::string::npos) {
      w.points[info->number] = value;
    } else {
      const std::string g = name.substr(dot + 1);
      auto& grads = w.gradient[info->number];
      if (!grads.count(g)) throw SetupError(where + info->id() + " has no gradient '" + g + "'");
      grads[g] = value;
    }
  }
  return w;
}

std::string format_weights(const Weights& w) {
  std::string out = "# The weights of this grading run (the format of --weights).\n";
  char buf[64];
  for (const auto& info : all_exercises()) {
    if (!w.points.count(info.number)) continue;
    std::snprintf(buf, sizeof buf, "%.17g", w.points.at(info.number));
    out += info.id() + " = " + buf + "\n";
    for (const auto& n : row_names(info)) {
      std::snprintf(buf, sizeof buf, "%.17g", w.gradient.at(info.number).at(n));
      out += info.id() + "." + n + " = " + buf + "\n";
    }
  }
  return out;
}

int grade(const Workspace& ws, const GradeOptions& options) {
  Run run;
  run.ws = &ws;
  run.options = options;
  if (!fs::is_directory(options.submissions)) throw SetupError(options.submissions.string() + " is not a folder of submissions");
  if (options.jobs < 1) throw SetupError("--jobs must be at least 1");
  if (options.seeds < 0) throw SetupError("--seeds must be 0 or more");
  const fs::path& out = options.out;
  const bool existing = fs::exists(out / "run.json");
  const bool continuing = options.resume || !options.regrade.empty();
  if (existing && !continuing)
    throw SetupError(out.string() + " holds a grading run already: --resume to continue it, or choose another --out");
  if (!existing && continuing) throw SetupError(out.string() + " holds no grading run to " + (options.resume ? "resume" : "regrade from"));

  std::vector<std::string> students = list_students(options.submissions);
  if (continuing) {
    // The recorded run: its exercises, seeds and weights.
    const std::string rec = read_file(out / "run.json");
    if (rec.find(kFormat) == std::string::npos) throw SetupError((out / "run.json").string() + " is not a grading run of this checker");
    for (const auto& id : json_array(rec, "exercises")) run.exercises.push_back(&resolve_exercise(id));
    for (const auto& s : json_array(rec, "seeds")) run.seeds.push_back(std::stoull(s));
    if (run.exercises.empty() || run.seeds.empty()) throw SetupError((out / "run.json").string() + " is damaged: no exercises or seeds");
    run.weights = parse_weights(read_file(out / "weights.txt"), (out / "weights.txt").string());
  } else {
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
  for (const auto* info : run.exercises) {
    auto& list = run.instances[info->number];
    for (auto s : run.seeds) list.push_back(grading_instance(*info, s));
  }
  run.toolchain = load_toolchain(ws);
  std::vector<fs::path> must_read;
  for (const auto& h : run.toolchain.headers) must_read.push_back(h / (h.filename() == "bpdojo" ? "learner.hpp" : "cmake_pch.hxx"));
  run.sandbox = probe_sandbox(options.bubblewrap, must_read);
  if (!run.sandbox.bubblewrap) std::fprintf(stderr, "checker grade: warning: %s\n", run.sandbox.description.c_str());

  // Scratch folders of graders that were killed (SIGKILL leaves them): their pid is gone.
  {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/tmp", ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("bpdojo-grade-", 0) != 0) continue;
      std::ifstream in(e.path() / "pid");
      long pid = 0;
      if (in >> pid && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
    }
  }
  {
    char tmpl[] = "/tmp/bpdojo-grade-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (!made) throw SetupError("cannot make a temporary folder in /tmp");
    run.scratch = made;
    std::ofstream(run.scratch / "pid") << ::getpid() << "\n";
    fs::permissions(run.scratch, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{run.scratch};
  self_test(run);

  // The record of the run, before any result.
  fs::create_directories(out / "feedback");
  if (options.gradescope) fs::create_directories(out / "gradescope");
  std::set<std::string> done;
  if (!existing) {
    write_atomically(out / "run.json", run_json(run));
    write_atomically(out / "weights.txt", format_weights(run.weights));
    write_atomically(out / "gradebook.csv", csv_header(run));
    write_atomically(out / "results.jsonl", "");
  } else {
    const auto csv = lines_of(read_file(out / "gradebook.csv"));
    for (std::size_t i = 1; i < csv.size(); ++i) done.insert(csv_first(csv[i]));
    if (!options.regrade.empty()) {
      if (std::find(students.begin(), students.end(), options.regrade) == students.end())
        throw SetupError("no submission named '" + options.regrade + "' in " + options.submissions.string());
      done.erase(options.regrade);
    }
    rewrite_outputs(run, done);  // drops what an interrupted run left half written
  }
  std::vector<std::string> todo;
  for (const auto& s : students)
    if (!done.count(s) && (options.regrade.empty() || s == options.regrade)) todo.push_back(s);

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
        if (options.progress) {
          const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const double eta = elapsed / static_cast<double>(n) * static_cast<double>(todo.size() - n);
          std::lock_guard<std::mutex> lock(print_mutex);
          std::fprintf(stderr, "[%zu/%zu] %s %s/%s  ETA %s\n", n, todo.size(), sg.id.c_str(), fixed(sg.total, 2).c_str(),
                       fixed(sg.max_total, 2).c_str(), duration_text(eta).c_str());
        }
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(print_mutex);
        if (failure.empty()) failure = todo[k] + ": " + e.what();
        g_interrupted = true;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int slot = 0; slot < std::min<int>(options.jobs, static_cast<int>(std::max<std::size_t>(todo.size(), 1))); ++slot)
    threads.emplace_back(worker, slot);
  for (auto& t : threads) t.join();
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);

  // Sorted, and only what is whole.
  std::set<std::string> all_done = done;
  const auto rows = lines_of(read_file(out / "gradebook.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i) all_done.insert(csv_first(rows[i]));
  rewrite_outputs(run, all_done);
  if (!failure.empty()) throw SetupError("grading stopped at " + failure);
  const bool interrupted = g_interrupted.exchange(false);
  if (options.gradescope && all_done.size() == 1 && students.size() == 1)
    write_atomically(out / "results.json", read_file(out / "gradescope" / (*all_done.begin() + ".json")));
  std::printf("%s %zu of %zu submissions (%zu before); %s\n", interrupted ? "interrupted after grading" : "graded",
              static_cast<std::size_t>(finished), todo.size(), done.size(), run.sandbox.description.c_str());
  std::printf("gradebook: %s\nresults: %s\nfeedback: %s\n", (out / "gradebook.csv").c_str(), (out / "results.jsonl").c_str(),
              (out / "feedback").c_str());
  if (interrupted) {
    std::printf("rerun with --resume to grade the rest with the same seeds\n");
    return 130;
  }
  return 0;
}

}  // namespace bpdojo
