#include "grade/gradebook.hpp"

#include "common/files.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "learner/report.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

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

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
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
  for (std::size_t k = 0; k < eg.runs.size(); ++k) {
    const auto& r = eg.runs[k];
    const std::optional<Verdict> v = row_verdict(r, i);
    if (k == 0) first = v;
    same = same && v == first;
    each.push_back(verdict_text(v) + " on seed " + std::to_string(r.seed));
  }
  if (same) return verdict_text(first) + (eg.runs.size() > 1 ? " on every instance" : "");
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
  std::string out = "Backprop Dojo: grade for " + sg.id + "\n";
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
  for (const auto& r : eg.runs)
    if (i < r.gradients.size() && r.gradients[i].verdict != Verdict::Correct) return to_string(r.gradients[i].verdict);
  return "correct";
}

void jsonl_instance(JsonWriter& j, const CheckResult& r, std::size_t i) {
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

std::string jsonl_line(const StudentGrade& sg, const ExerciseGrade& eg, std::size_t i, const std::string& name, double weight) {
  JsonWriter j;
  j.begin_object();
  j.key("student").value(sg.id);
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

std::string csv_field(const std::string& s) {
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

std::set<std::string> students_in_gradebook(const fs::path& out) {
  std::set<std::string> students;
  const auto rows = lines_of(read_file(out / "gradebook.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i) students.insert(csv_first(rows[i]));
  return students;
}

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

void write_gradescope_results(const Run& run, const std::string& student) {
  const fs::path& out = run.options.out;
  write_atomically(out / "results.json", read_file(out / "gradescope" / (student + ".json")));
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
