#include "grade/summary.hpp"

#include "common/files.hpp"
#include "common/json_read.hpp"
#include "common/plot.hpp"
#include "common/text.hpp"
#include "common/workspace.hpp"
#include "grade/gradebook.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace bpdojo {

namespace fs = std::filesystem;

const std::string& summary_category(const std::string& status) {
  static const std::map<std::string, std::string> of = {
      {"correct", "correct"},        {"wrong", "wrong"},         {"wrong shape", "wrong"},
      {"not implemented", "not implemented"}, {"compile error", "compile error"}, {"crashed", "crashed"},
      {"timed out", "crashed"},      {"killed", "crashed"},      {"error", "crashed"},
      {"refused", "refused"},        {"missing", "not submitted"}, {"ambiguous", "not submitted"}};
  static const std::string unknown = "crashed";
  const auto it = of.find(status);
  return it == of.end() ? unknown : it->second;
}

std::vector<int> ClassSummary::score_histogram() const {
  std::vector<int> bins(10, 0);
  for (const auto& s : students) {
    const double share = s.max_points > 0 ? s.points / s.max_points : 0.0;
    bins[static_cast<std::size_t>(std::clamp(static_cast<int>(std::floor(share * 10.0 + 1e-9)), 0, 9))]++;
  }
  return bins;
}

ClassSummary summarize_results(const std::string& jsonl) {
  ClassSummary out;
  std::map<std::string, std::size_t> student_at, gradient_at;
  // Per gradient and diagnosis kind: the students, the first example.
  std::map<std::size_t, std::map<std::string, ClassSummary::Mistake>> mistakes;
  // Per student and exercise: the first row whose own line is wrong on the default instance.
  std::map<std::pair<std::string, std::string>, std::string> first_blamed;
  std::map<std::string, std::vector<std::string>> lines_of;  // per exercise, its rows in order
  std::istringstream in(jsonl);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    JsonValue row;
    try {
      row = parse_json(line);
    } catch (const JsonError& e) {
      throw SetupError("results.jsonl line " + std::to_string(number) + " is " + e.what());
    }
    const std::string student = row.text("student"), exercise = row.text("exercise"), gradient = row.text("gradient"),
                      status = row.text("status");
    if (row.type != JsonValue::Type::Object || student.empty() || exercise.empty() || gradient.empty() || status.empty())
      throw SetupError("results.jsonl line " + std::to_string(number) +
                       " is not a result row (student, exercise, gradient and status)");
    ++out.rows;
    auto [sit, new_student] = student_at.emplace(student, out.students.size());
    if (new_student) out.students.push_back({student, 0.0, 0.0, {}, false, false});
    ClassSummary::Student& st = out.students[sit->second];
    st.points += row.num("points");
    st.max_points += row.num("max_points");
    bool& finished = st.finished.emplace(exercise, true).first->second;
    if (status != "correct") finished = false;
    if (status == "ambiguous") st.ambiguous = true;
    if (status != "missing" && status != "ambiguous") st.submitted = true;

    const std::string key = exercise + '\n' + gradient;
    auto [git, new_gradient] = gradient_at.emplace(key, out.gradients.size());
    if (new_gradient) {
      out.gradients.push_back({exercise, gradient, {}, {}});
      lines_of[exercise].push_back(gradient);
      if (std::find(out.exercises.begin(), out.exercises.end(), exercise) == out.exercises.end())
        out.exercises.push_back(exercise);
    }
    out.gradients[git->second].counts[summary_category(status)]++;

    // The default instance (the first) says what the student was shown first; a diagnosis found
    // only on a hidden one still names the mistake.
    const JsonValue* instances = row.find("instances");
    if (status == "correct" || !instances || instances->type != JsonValue::Type::Array) continue;
    for (const JsonValue& inst : instances->array) {
      const JsonValue* d = inst.find("diagnosis");
      if (!d || d->type != JsonValue::Type::Object || d->text("kind").empty()) continue;
      ClassSummary::Mistake& m = mistakes[git->second][d->text("kind")];
      if (m.students++ == 0) {
        m.kind = d->text("kind");
        m.example = d->text("text");
      }
      break;
    }
    if (!instances->array.empty() && instances->array.front().flag("line_wrong"))
      first_blamed.emplace(std::make_pair(student, exercise), gradient);
  }
  std::sort(out.exercises.begin(), out.exercises.end());
  for (auto& [at, kinds] : mistakes) {
    auto& list = out.gradients[at].mistakes;
    for (auto& [kind, m] : kinds) list.push_back(std::move(m));
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.students > b.students; });
  }
  std::map<std::string, std::map<std::string, int>> blamed;
  for (const auto& [who, gradient] : first_blamed) blamed[who.second][gradient]++;
  for (const auto& [exercise, counts] : blamed) {
    if (lines_of[exercise].size() < 2) continue;
    auto& list = out.blamed_first[exercise];
    for (const auto& name : lines_of[exercise])  // the backward pass's order among equals
      if (counts.count(name)) list.emplace_back(name, counts.at(name));
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  }
  return out;
}

namespace {

std::string percent(int part, int whole) { return whole > 0 ? fixed(100.0 * part / whole, 0) + " %" : "-"; }

int finished_count(const ClassSummary& s, const std::string& exercise) {
  int n = 0;
  for (const auto& st : s.students) {
    const auto it = st.finished.find(exercise);
    n += it != st.finished.end() && it->second;
  }
  return n;
}

std::string bin_label(std::size_t b) {
  return std::to_string(b * 10) + (b == 9 ? "-100 %" : "-" + std::to_string(b * 10 + 10) + " %");
}

// A Markdown table cell: no pipe or line break can end it early.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

int count(const ClassSummary::Gradient& g, const std::string& category) {
  const auto it = g.counts.find(category);
  return it == g.counts.end() ? 0 : it->second;
}

std::vector<std::string> not_submitted(const ClassSummary& s) {
  std::vector<std::string> ids;
  for (const auto& st : s.students)
    if (!st.submitted && !st.ambiguous) ids.push_back(st.id);
  return ids;
}

std::vector<std::string> ambiguous(const ClassSummary& s) {
  std::vector<std::string> ids;
  for (const auto& st : s.students)
    if (st.ambiguous) ids.push_back(st.id);
  return ids;
}

// The mistakes the summary shows: up to three per gradient, most common first.
std::vector<std::pair<const ClassSummary::Gradient*, const ClassSummary::Mistake*>> top_mistakes(const ClassSummary& s) {
  std::vector<std::pair<const ClassSummary::Gradient*, const ClassSummary::Mistake*>> out;
  for (const auto& g : s.gradients)
    for (std::size_t k = 0; k < g.mistakes.size() && k < 3; ++k) out.emplace_back(&g, &g.mistakes[k]);
  return out;
}

std::string headline(const ClassSummary& s) {
  return std::to_string(s.students.size()) + " students, " + std::to_string(s.exercises.size()) + " exercises, " +
         std::to_string(s.rows) + " rows of results.jsonl";
}

}  // namespace

std::string summary_markdown(const ClassSummary& s) {
  std::ostringstream o;
  const int n = static_cast<int>(s.students.size());
  o << "# Class summary\n\n" << headline(s) << ".\n\n## Scores\n\n| share of the points | students |\n|---|---|\n";
  const auto bins = s.score_histogram();
  for (std::size_t b = 0; b < bins.size(); ++b) o << "| " << bin_label(b) << " | " << bins[b] << " |\n";
  o << "\n## Exercises finished (every gradient correct on every instance)\n\n| exercise | students | share |\n|---|---|---|\n";
  for (const auto& e : s.exercises) {
    const int f = finished_count(s, e);
    o << "| " << e << " | " << f << " of " << n << " | " << percent(f, n) << " |\n";
  }
  o << "\n## Gradients (students, and their share of the class)\n\n| exercise | gradient |";
  for (const auto& c : summary_categories()) o << " " << c << " |";
  o << "\n|---|---|";
  for (std::size_t k = 0; k < summary_categories().size(); ++k) o << "---|";
  o << "\n";
  for (const auto& g : s.gradients) {
    o << "| " << g.exercise << " | " << cell(g.name) << " |";
    for (const auto& c : summary_categories()) {
      const int k = count(g, c);
      o << " " << k << (k > 0 ? " (" + percent(k, n) + ")" : "") << " |";
    }
    o << "\n";
  }
  o << "\n## The most common mistakes\n\nWhat the checker recognised in wrong gradients, with one line as a student saw it.\n\n";
  const auto shown = top_mistakes(s);
  if (!shown.empty()) o << "| exercise | gradient | mistake | students | example |\n|---|---|---|---|---|\n";
  for (const auto& [g, m] : shown)
    o << "| " << g->exercise << " | " << cell(g->name) << " | " << cell(m->kind) << " | " << m->students << " | "
      << cell(m->example) << " |\n";
  if (shown.empty()) o << "None recognised.\n";
  o << "\n## Lines blamed first\n\nPer exercise of several lines, each student's first line whose own local check fails: "
       "where their backward pass first goes wrong.\n\n";
  if (s.blamed_first.empty()) o << "None.\n";
  for (const auto& [exercise, list] : s.blamed_first) {
    o << "- " << exercise << ": ";
    for (std::size_t k = 0; k < list.size(); ++k) o << (k ? ", " : "") << list[k].first << " (" << list[k].second << ")";
    o << "\n";
  }
  const auto missing = not_submitted(s), unclear = ambiguous(s);
  o << "\n## Not submitted\n\n";
  if (missing.empty()) o << "None.\n";
  for (const auto& id : missing) o << "- " << cell(id) << "\n";
  o << "\n## Ambiguous files (more than one candidate for an exercise)\n\n";
  if (unclear.empty()) o << "None.\n";
  for (const auto& id : unclear) o << "- " << cell(id) << "\n";
  return o.str();
}

namespace {

using plot::escape;

const char* colour(const std::string& category) {
  static const std::map<std::string, const char*> of = {
      {"correct", "#2e7d32"}, {"wrong", "#c62828"},   {"not implemented", "#9e9e9e"}, {"compile error", "#6a1b9a"},
      {"crashed", "#ef6c00"}, {"refused", "#37474f"}, {"not submitted", "#e0e0e0"},
      {"finished", "#2e7d32"}, {"not finished", "#e0e0e0"}};
  return of.at(category);
}

// Vertical bars: the scores' distribution.
std::string histogram_svg(const std::vector<int>& bins) {
  const int top = std::max(1, *std::max_element(bins.begin(), bins.end()));
  const double w = 600, h = 220, left = 40, bottom = 40, bar = (w - left - 10) / static_cast<double>(bins.size());
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"scores\" width=\"" << w << "\" height=\"" << h << "\" viewBox=\"0 0 "
    << w << " " << h << "\" role=\"img\" aria-label=\"students per share of the points\">\n";
  o << "<line x1=\"" << left << "\" y1=\"" << h - bottom << "\" x2=\"" << w - 10 << "\" y2=\"" << h - bottom
    << "\" stroke=\"#444\"/>\n";
  for (std::size_t b = 0; b < bins.size(); ++b) {
    const double bh = (h - bottom - 30) * bins[b] / top, x = left + static_cast<double>(b) * bar;
    o << "<rect class=\"bar\" data-bin=\"" << b << "\" data-count=\"" << bins[b] << "\" x=\"" << fixed(x + 3, 1) << "\" y=\""
      << fixed(h - bottom - bh, 1) << "\" width=\"" << fixed(bar - 6, 1) << "\" height=\"" << fixed(bh, 1)
      << "\" fill=\"#1565c0\"><title>" << bin_label(b) << ": " << bins[b] << "</title></rect>\n";
    o << "<text x=\"" << fixed(x + bar / 2, 1) << "\" y=\"" << fixed(h - bottom - bh - 4, 1)
      << "\" text-anchor=\"middle\" font-size=\"12\">" << bins[b] << "</text>\n";
    o << "<text x=\"" << fixed(x + bar / 2, 1) << "\" y=\"" << h - bottom + 16 << "\" text-anchor=\"middle\" font-size=\"11\">"
      << b * 10 << "%</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

// One horizontal bar per row, split into segments with their counts.
struct BarRow {
  std::string label;
  std::vector<std::pair<std::string, int>> segments;  // category, count
};

// `whole`: the count a full bar stands for; with `shares`, each segment's title gives its share of it.
std::string bars_svg(const std::string& id, const std::vector<BarRow>& rows, int whole, bool shares) {
  const double w = 720, label_w = 200, row_h = 22, top = 8, width = w - label_w - 20;
  const double h = top + row_h * static_cast<double>(rows.size()) + 8;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" << id << "\" width=\"" << w << "\" height=\"" << fixed(h, 0)
    << "\" viewBox=\"0 0 " << w << " " << fixed(h, 0) << "\" role=\"img\">\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + row_h * static_cast<double>(r);
    o << "<g class=\"row\" data-label=\"" << escape(rows[r].label) << "\">\n";
    o << "<text x=\"" << label_w - 6 << "\" y=\"" << fixed(y + 15, 1) << "\" text-anchor=\"end\" font-size=\"12\">"
      << escape(rows[r].label) << "</text>\n";
    double x = label_w;
    for (const auto& [category, n] : rows[r].segments) {
      const double sw = whole > 0 ? width * n / whole : 0.0;
      o << "<rect class=\"segment\" data-category=\"" << escape(category) << "\" data-count=\"" << n << "\" x=\""
        << fixed(x, 1) << "\" y=\"" << fixed(y + 2, 1) << "\" width=\"" << fixed(sw, 1) << "\" height=\"" << row_h - 4
        << "\" fill=\"" << colour(category) << "\"><title>" << escape(rows[r].label) << ": " << escape(category) << " " << n
        << (shares ? " of " + std::to_string(whole) + " (" + percent(n, whole) + ")" : "") << "</title></rect>\n";
      const bool light = category == "not submitted" || category == "not finished";
      if (n > 0 && sw >= 18)
        o << "<text x=\"" << fixed(x + sw / 2, 1) << "\" y=\"" << fixed(y + 15, 1)
          << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" << (light ? "#000" : "#fff") << "\">" << n << "</text>\n";
      x += sw;
    }
    o << "</g>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string legend_html() {
  std::string out = "<p class=\"legend\">";
  for (const auto& c : summary_categories())
    out += "<span><i style=\"background:" + std::string(colour(c)) + "\"></i>" + escape(c) + "</span> ";
  return out + "</p>\n";
}

}  // namespace

std::string summary_html(const ClassSummary& s) {
  const int n = static_cast<int>(s.students.size());
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Class summary</title>\n<style>\n"
       "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}\n"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\n"
       ".legend span{margin-right:1em;font-size:.9em}.legend i{display:inline-block;width:.9em;height:.9em;"
       "margin-right:.3em;vertical-align:middle}\nsvg text{font-family:system-ui,sans-serif}\n</style>\n</head>\n<body>\n";
  o << "<h1>Class summary</h1>\n<p>" << escape(headline(s)) << ".</p>\n";
  o << "<h2>Scores</h2>\n<p>Students per share of the points.</p>\n" << histogram_svg(s.score_histogram());
  std::vector<BarRow> finished;
  for (const auto& e : s.exercises) {
    const int f = finished_count(s, e);
    finished.push_back({e, {{"finished", f}, {"not finished", n - f}}});
  }
  o << "<h2>Exercises finished</h2>\n<p>Every gradient correct on every instance, of " << n << " students.</p>\n"
    << bars_svg("finished", finished, n, true);
  std::vector<BarRow> gradients;
  for (const auto& g : s.gradients) {
    BarRow row{g.exercise + " " + g.name, {}};
    for (const auto& c : summary_categories()) row.segments.emplace_back(c, count(g, c));
    gradients.push_back(std::move(row));
  }
  o << "<h2>Gradients</h2>\n" << legend_html() << bars_svg("gradients", gradients, n, true);
  o << "<h2>The most common mistakes</h2>\n<p>What the checker recognised in wrong gradients, with one line as a "
       "student saw it.</p>\n";
  const auto shown = top_mistakes(s);
  if (!shown.empty())
    o << "<table id=\"mistakes\">\n<tr><th>exercise</th><th>gradient</th><th>mistake</th><th>students</th>"
         "<th>example</th></tr>\n";
  for (const auto& [g, m] : shown)
    o << "<tr><td>" << escape(g->exercise) << "</td><td>" << escape(g->name) << "</td><td>" << escape(m->kind)
      << "</td><td data-count=\"" << m->students << "\">" << m->students << "</td><td>" << escape(m->example) << "</td></tr>\n";
  o << (shown.empty() ? "<p>None recognised.</p>\n" : "</table>\n");
  o << "<h2>Lines blamed first</h2>\n<p>Per exercise of several lines, each student's first line whose own local check "
       "fails: where their backward pass first goes wrong.</p>\n";
  if (s.blamed_first.empty()) o << "<p>None.</p>\n";
  for (const auto& [exercise, list] : s.blamed_first) {
    std::vector<BarRow> rows;
    int most = 0;
    for (const auto& [name, c] : list) {
      rows.push_back({name, {{"wrong", c}}});
      most = std::max(most, c);
    }
    o << "<h3>" << escape(exercise) << "</h3>\n" << bars_svg("blamed_" + exercise, rows, std::max(most, 1), false);
  }
  const auto list_html = [&o](const std::vector<std::string>& ids) {
    if (ids.empty()) {
      o << "<p>None.</p>\n";
      return;
    }
    o << "<ul>\n";
    for (const auto& id : ids) o << "<li>" << escape(id) << "</li>\n";
    o << "</ul>\n";
  };
  o << "<h2>Not submitted</h2>\n";
  list_html(not_submitted(s));
  o << "<h2>Ambiguous files</h2>\n<p>More than one candidate for an exercise.</p>\n";
  list_html(ambiguous(s));
  o << "</body>\n</html>\n";
  return o.str();
}

void write_class_summary(const fs::path& dir) {
  const fs::path results = dir / "results.jsonl";
  const std::optional<std::string> text = read_bytes(results);
  if (!text) throw SetupError("cannot read " + results.string() + ": not a grading run's folder");
  const ClassSummary s = summarize_results(*text);
  write_atomically(dir / "summary.md", summary_markdown(s));
  write_atomically(dir / "summary.html", summary_html(s));
}

}  // namespace bpdojo
