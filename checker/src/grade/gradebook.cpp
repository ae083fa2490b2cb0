#include "grade/gradebook.hpp"

#include "common/files.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "learner/report.hpp"

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace bpdojo {

namespace fs = std::filesystem;

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

namespace {

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

std::string sizes_text(const Sizes& sizes) {
  return join(sizes, [](const auto& size) { return size.first + "=" + std::to_string(size.second); });
}

// ---------------------------------------------------------------------------------------------
// feedback/<student>.txt

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += prefix + line + "\n";
  return out;
}

// The verdict of row `i` on instance `r`; nothing when the run has no such row.
std::optional<Verdict> row_verdict(const CheckResult& r, std::size_t i) {
  if (i < r.gradients.size()) return r.gradients[i].verdict;
  return std::nullopt;
}

std::string verdict_text(const std::optional<Verdict>& v) { return v ? to_string(*v) : "missing"; }

// The verdict of row `i` on each instance, shortened when they agree.
std::string row_verdicts(const ExerciseGrade& eg, std::size_t i) {
  std::optional<Verdict> first;
  bool same = true;
  std::vector<std::string> each;
  std::size_t asked = 0;
  for (const auto& r : eg.runs) {
    if (!row_asked(r, i)) continue;  // an experiment's row on an instance after the first
    const std::optional<Verdict> v = row_verdict(r, i);
    if (asked++ == 0) first = v;
    same = same && v == first;
    each.push_back(verdict_text(v) + " on seed " + std::to_string(r.seed));
  }
  if (same) return verdict_text(first) + (asked > 1 ? " on every instance" : asked < eg.runs.size() ? " on the first instance" : "");
  return join(each);
}

// An exercise that was graded: its instances, each row's credit, the report of the first
// instance that is not all correct.
std::string graded_feedback(const ExerciseGrade& eg) {
  std::string out;
  if (!eg.reason.empty()) out += "  note: " + eg.reason + "\n";
  out += "  instances:";
  for (const auto& r : eg.runs) out += " [seed " + std::to_string(r.seed) + (r.sizes.empty() ? "" : ": " + sizes_text(r.sizes)) + "]";
  out += "\n";
  const auto names = row_names(*eg.info);
  for (std::size_t i = 0; i < names.size(); ++i)
    out += "  " + names[i] + ": " + (eg.credit[i] > 0 ? "credit" : "no credit") + " (" + row_verdicts(eg, i) + ")\n";
  for (const auto& r : eg.runs) {
    if (r.all_correct()) continue;
    out += "  The report for seed " + std::to_string(r.seed) + ":\n";
    out += indent(text_report(r, Style{}), "  | ");
    break;
  }
  return out;
}

std::string feedback_text(const Run& run, const StudentGrade& sg) {
  std::string out = "Backprop Dojo: grade for " + shown_id(sg.id) + "\n";
  if (!run.sandbox.bubblewrap)
    out += "graded without the sandbox: " + run.sandbox.description + "; resource limits only, no isolation\n";
  out += "total " + fixed(sg.total, 2) + " / " + fixed(sg.max_total, 2) + "\n";
  out += "Each gradient earns its share when it is correct on every instance: the default one and " +
         std::to_string(run.seeds.size() - 1) + " hidden.\n";
  for (const auto& eg : sg.exercises) {
    const ExerciseInfo& info = *eg.info;
    out += "\n" + info.id() + " (" + info.title + "): " + fixed(eg.points, 2) + " / " + fixed(eg.max_points, 2) + "\n";
    if (!eg.file.empty()) out += "  file: " + eg.file.string() + "\n";
    if (eg.status != GradeStatus::Graded) {
      out += "  " + status_text(eg) + "\n";
      for (const auto& line : eg.compiler_output) out += "  | " + line + "\n";
      continue;
    }
    out += graded_feedback(eg);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// results.jsonl: a line per student, exercise and row

// The status of row `i`: "correct" when correct on every instance, else its first other verdict;
// the exercise's status when it was not graded.
std::string row_status(const ExerciseGrade& eg, std::size_t i) {
  if (eg.status != GradeStatus::Graded) return to_string(eg.status);
  for (const auto& r : eg.runs) {
    if (!row_asked(r, i)) continue;
    if (i < r.gradients.size() && r.gradients[i].verdict != Verdict::Correct) return to_string(r.gradients[i].verdict);
  }
  return "correct";
}

void jsonl_instance(JsonWriter& j, const CheckResult& r, std::size_t i) {
  j.begin_object();
  j.key("seed").value(r.seed);
  j.key("sizes").begin_object();
  for (const auto& [letter, value] : r.sizes) j.key(letter).value(value);
  j.end_object();
  const GradientResult* g = i < r.gradients.size() ? &r.gradients[i] : nullptr;
  j.key("verdict").value(g ? to_string(g->verdict) : row_asked(r, i) ? "missing" : "not asked");
  j.key("rel_error");
  if (g && g->comparison) j.value(g->comparison->rel_error);
  else j.null();
  j.key("message").value(g ? g->message : std::string());
  // A wrong gradient's recognisable mistake, and whether its own line is wrong (its local check
  // fails) or it inherits an earlier line's error: the class summary counts both.
  j.key("diagnosis");
  if (g && g->diagnosis) {
    j.begin_object();
    j.key("kind").value(g->diagnosis->kind);
    j.key("text").value(g->diagnosis->text);
    j.end_object();
  } else {
    j.null();
  }
  j.key("line_wrong").value(g && g->line_wrong);
  j.key("runner").value(r.runner.summary);
  j.end_object();
}

std::string jsonl_line(const StudentGrade& sg, const ExerciseGrade& eg, std::size_t i, const std::string& name, double weight) {
  JsonWriter j;
  j.begin_object();
  j.key("student").value(shown_id(sg.id));
  j.key("exercise").value(eg.info->id());
  j.key("gradient").value(name);
  j.key("status").value(row_status(eg, i));
  j.key("credit").value(eg.credit[i]);
  j.key("weight").value(weight);
  j.key("points").value(eg.row_points[i] * eg.credit[i]);
  j.key("max_points").value(eg.row_points[i]);
  j.key("reason").value(eg.reason);
  j.key("instances").begin_array();
  for (const auto& r : eg.runs) jsonl_instance(j, r, i);
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

std::string jsonl_lines(const Run& run, const StudentGrade& sg) {
  std::string out;
  for (const auto& eg : sg.exercises) {
    const auto names = row_names(*eg.info);
    const auto& w = run.weights.gradient.at(eg.info->number);
    for (std::size_t i = 0; i < names.size(); ++i) out += jsonl_line(sg, eg, i, names[i], w.at(names[i]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// gradescope/<student>.json

// Each test's score in cents, as printed (2 decimals): the overall score is their exact sum.
std::int64_t cents(double points) { return std::llround(points * 100.0); }

std::string gradescope_json(const StudentGrade& sg, const std::string& feedback) {
  std::int64_t total = 0;
  for (const auto& eg : sg.exercises)
    for (std::size_t i = 0; i < eg.row_points.size(); ++i) total += cents(eg.row_points[i] * eg.credit[i]);
  JsonWriter j;
  j.begin_object();
  j.key("score").value(static_cast<double>(total) / 100.0);
  j.key("execution_time").value(static_cast<std::int64_t>(std::ceil(sg.seconds)));
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
      j.key("score").value(static_cast<double>(cents(max * eg.credit[i])) / 100.0);
      j.key("max_score").value(static_cast<double>(cents(max)) / 100.0);
      j.key("status").value(eg.credit[i] > 0 ? "passed" : "failed");
      j.key("output").value(eg.status == GradeStatus::Graded ? row_verdicts(eg, i) : status_text(eg));
      j.key("visibility").value("visible");
      j.end_object();
    }
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

// ---------------------------------------------------------------------------------------------
// gradebook.csv

// A cell of text, RFC 4180: quoted when it holds a comma, a quote or a line break; and with a
// leading ' when a spreadsheet would take it for a formula (= + - @, a tab or a carriage return).
std::string csv_field(const std::string& text) {
  std::string s = text;
  if (!s.empty() && std::string("=+-@\t\r").find(s.front()) != std::string::npos) s = "'" + s;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_header(const Run& run) {
  std::string h = "student";
  for (const auto* info : run.exercises) h += "," + info->id();
  return h + ",total\n";
}

std::string csv_row(const StudentGrade& sg) {
  std::string row = csv_field(shown_id(sg.id));
  for (const auto& eg : sg.exercises) row += "," + fixed(eg.points, 2);
  return row + "," + fixed(sg.total, 2) + "\n";
}

// ---------------------------------------------------------------------------------------------
// state/: one file per graded student, written whole, the mark that it is done. It holds the
// student's id, gradebook row and results lines, from which gradebook.csv and results.jsonl are
// rebuilt (--resume, --regrade, the end of a run): the gradebook itself is never parsed.

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> unhex(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The state file of `id`: its bytes in hex, or a hash of them when that would be too long a name.
fs::path state_file(const fs::path& out, const std::string& id) {
  std::string name = hex(id);
  if (name.size() > 200) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
    char buf[24];
    std::snprintf(buf, sizeof buf, "h%016llx", static_cast<unsigned long long>(h));
    name = buf;
  }
  return out / "state" / (name + ".txt");
}

struct StudentState {
  std::string row;    // of gradebook.csv, with its newline
  std::string lines;  // of results.jsonl
};

std::string state_text(const std::string& id, const std::string& row, const std::string& lines) {
  return hex(id) + "\n" + hex(row) + "\n" + lines;
}

// Every graded student's state, by id.
std::map<std::string, StudentState> read_states(const fs::path& out) {
  std::map<std::string, StudentState> states;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out / "state", ec)) {
    if (e.path().extension() != ".txt") continue;
    const std::string text = read_file(e.path());
    const std::size_t a = text.find('\n');
    const std::size_t b = a == std::string::npos ? a : text.find('\n', a + 1);
    if (b == std::string::npos) continue;
    const auto id = unhex(text.substr(0, a));
    const auto row = unhex(text.substr(a + 1, b - a - 1));
    if (!id || !row) continue;
    states[*id] = {*row, text.substr(b + 1)};
  }
  return states;
}

// ---------------------------------------------------------------------------------------------
// run.json

void json_limits(JsonWriter& j, const Run& run) {
  const CheckOptions run_options = default_options(*find_exercise(1));
  j.key("limits").begin_object();
  j.key("wall_seconds").value(run_options.limits.wall_seconds);
  j.key("wall_seconds_training").value(default_options(*find_exercise(8)).limits.wall_seconds);
  j.key("memory_mib").value(static_cast<std::int64_t>(kRunMemoryBytes >> 20));
  j.key("output_mib").value(static_cast<std::int64_t>(run_options.limits.output_max >> 20));
  j.key("file_mib").value(static_cast<std::int64_t>(kFileBytes >> 20));
  // The tmpfs caps hold only where bubblewrap can size a tmpfs (docs/instructors.md, "Isolation").
  if (run.sandbox.bubblewrap && run.sandbox.tmpfs_size) {
    j.key("work_mib").value(static_cast<std::int64_t>(kWorkBytes >> 20));
    j.key("tmp_mib").value(static_cast<std::int64_t>(kTmpBytes >> 20));
    j.key("shm_mib").value(static_cast<std::int64_t>(kShmBytes >> 20));
  }
  j.key("processes").value(static_cast<std::int64_t>(run.sandbox.processes));
  j.key("compile_seconds").value(kCompileSeconds);
  j.end_object();
}

void json_instances(JsonWriter& j, const Run& run) {
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
}

void json_weights(JsonWriter& j, const Run& run) {
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
}

std::string run_json(const Run& run) {
  JsonWriter j;
  j.begin_object();
  j.key("format").value(kGradeFormat);
  j.key("grader_version").value(kGraderVersion);
  j.key("threshold").value(kThreshold);
  j.key("submissions").value(fs::absolute(run.options.submissions).lexically_normal().string());
  j.key("exercises").begin_array();
  for (const auto* info : run.exercises) j.value(info->id());
  j.end_array();
  j.key("seeds").begin_array();
  for (auto s : run.seeds) j.value(s);
  j.end_array();
  json_instances(j, run);
  json_weights(j, run);
  j.key("sandbox").value(run.sandbox.description);
  j.key("sandboxed").value(run.sandbox.bubblewrap);
  json_limits(j, run);
  j.key("jobs").value(run.options.jobs);
  j.end_object();
  return j.str() + "\n";
}

}  // namespace

std::string status_text(const ExerciseGrade& eg) {
  return std::string(to_string(eg.status)) + (eg.reason.empty() ? "" : ": " + eg.reason);
}

void start_outputs(const Run& run) {
  const fs::path& out = run.options.out;
  write_atomically(out / "run.json", run_json(run));
  write_atomically(out / "weights.txt", format_weights(run.weights));
  write_atomically(out / "gradebook.csv", csv_header(run));
  write_atomically(out / "results.jsonl", "");
}

std::set<std::string> students_graded(const fs::path& out) {
  std::set<std::string> students;
  for (const auto& [id, state] : read_states(out)) students.insert(id);
  return students;
}

void rewrite_outputs(const Run& run, const std::set<std::string>& keep) {
  const fs::path& out = run.options.out;
  std::string csv = csv_header(run), results;
  for (const auto& [id, state] : read_states(out)) {
    if (!keep.count(id)) continue;
    csv += state.row;
    results += state.lines;
  }
  write_atomically(out / "gradebook.csv", csv);
  write_atomically(out / "results.jsonl", results);
}

std::string shown_id(const std::string& id) { return escape_non_utf8(id); }

std::string feedback_name(const std::string& id) {
  std::string name = shown_id(id);
  // A file name has at most 255 bytes: a long id is cut (at a character) and told apart by a hash.
  if (name.size() > 200) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
    std::size_t cut = 180;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    char buf[24];
    std::snprintf(buf, sizeof buf, "~%016llx", static_cast<unsigned long long>(h));
    name = name.substr(0, cut) + buf;
  }
  return name;
}

void write_student(Run& run, const StudentGrade& sg) {
  const fs::path& out = run.options.out;
  const std::string fb = feedback_text(run, sg);
  std::lock_guard<std::mutex> lock(run.write_mutex);
  // A student's files first, the gradebook row last: a row in gradebook.csv means all is written.
  write_atomically(out / "feedback" / (feedback_name(sg.id) + ".txt"), fb);
  if (run.options.gradescope) write_atomically(out / "gradescope" / (feedback_name(sg.id) + ".json"), gradescope_json(sg, fb));
  // The state file marks the student graded; the gradebook and results follow it as it goes (and
  // are rebuilt from the states whenever a run ends or resumes).
  const std::string row = csv_row(sg), lines = jsonl_lines(run, sg);
  fs::create_directories(out / "state");
  write_atomically(state_file(out, sg.id), state_text(sg.id, row, lines));
  append_durably(out / "results.jsonl", lines);
  append_durably(out / "gradebook.csv", row);
}

void write_gradescope_results(const Run& run, const std::string& student) {
  const fs::path& out = run.options.out;
  write_atomically(out / "results.json", read_file(out / "gradescope" / (feedback_name(student) + ".json")));
}

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

}  // namespace bpdojo
