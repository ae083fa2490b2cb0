// The class summary (grade/summary.hpp) and the JSON reader it reads results.jsonl with. A class is
// generated here from a plan (each student's status, diagnosis and blamed line per gradient),
// written as results.jsonl rows with the JSON writer, and every count the summary gives is held
// to the count taken from the plan itself. (tests/grade_test.sh grades a real class and reads the
// HTML back against its results.jsonl.)
#include "common/json.hpp"
#include "common/json_read.hpp"
#include "common/workspace.hpp"
#include "grade/summary.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("the JSON reader takes what the writer writes, escapes and all, and refuses what is not JSON") {
  JsonWriter w;
  w.begin_object();
  w.key("s").value(std::string("a\"b\\c\nd\t\x01 \xC3\xA9 \xF0\x9F\x98\x80"));
  w.key("n").value(-1.5e-7);
  w.key("i").value(std::int64_t{-42});
  w.key("t").value(true);
  w.key("z").null();
  w.key("a").begin_array().value(1).value("x").begin_object().end_object().end_array();
  w.end_object();
  const JsonValue v = parse_json(w.str());
  REQUIRE(v.type == JsonValue::Type::Object);
  CHECK(v.text("s") == std::string("a\"b\\c\nd\t\x01 \xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK(v.num("n") == -1.5e-7);
  CHECK(v.num("i") == -42.0);
  CHECK(v.flag("t"));
  CHECK(v.find("z")->type == JsonValue::Type::Null);
  REQUIRE(v.find("a")->array.size() == 3);
  CHECK(v.find("a")->array[1].string == "x");
  CHECK(v.text("missing", "fallback") == "fallback");
  CHECK(v.num("s", 7.0) == 7.0);  // another type: the fallback
  // \u escapes, a surrogate pair among them.
  CHECK(parse_json(R"("\u00e9\ud83d\ude00\/")").string == "\xC3\xA9\xF0\x9F\x98\x80/");
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "01", "[01]", "1.", "-", "1e", "\"\\ud800\"", "\"\\udc00x\"",
                          "\"a\nb\"", "\"\\q\"", "tru", "nul", "{\"a\" 1}", "[1 2]", "1 2", "'a'", "\"abc"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_json(bad), JsonError);
  }
  CHECK_NOTHROW(parse_json(std::string(64, '[') + std::string(64, ']')));
  CHECK_THROWS_AS(parse_json(std::string(100000, '[') + std::string(100000, ']')), JsonError);  // no stack overflow
}

namespace {

struct PlannedRow {
  std::string status;
  std::string diagnosis;  // kind, or empty
  bool line_wrong = false;
  double points = 0, max_points = 1;
};

// results.jsonl's row as gradebook.cpp writes it (the fields the summary reads, and others).
std::string row_json(const std::string& student, const std::string& exercise, const std::string& gradient, const PlannedRow& p) {
  JsonWriter j;
  j.begin_object();
  j.key("student").value(student);
  j.key("exercise").value(exercise);
  j.key("gradient").value(gradient);
  j.key("status").value(p.status);
  j.key("credit").value(p.status == "correct" ? 1 : 0);
  j.key("weight").value(1.0);
  j.key("points").value(p.points);
  j.key("max_points").value(p.max_points);
  j.key("reason").value("");
  j.key("instances").begin_array();
  for (int k = 0; k < 2; ++k) {
    j.begin_object();
    j.key("seed").value(k);
    j.key("verdict").value(p.status);
    j.key("diagnosis");
    if (!p.diagnosis.empty() && k == 0) {
      j.begin_object().key("kind").value(p.diagnosis).key("text").value("your " + gradient + " is " + p.diagnosis).end_object();
    } else {
      j.null();
    }
    j.key("line_wrong").value(p.line_wrong && k == 0);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

// The data-count of every segment of the chart `id`, keyed "label|category".
std::map<std::string, int> chart_counts(const std::string& html, const std::string& id) {
  std::map<std::string, int> out;
  const std::size_t start = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + id + "\"");
  REQUIRE(start != std::string::npos);
  const std::string svg = html.substr(start, html.find("</svg>", start) - start);
  const std::regex row("<g class=\"row\" data-label=\"([^\"]*)\">([\\s\\S]*?)</g>");
  const std::regex seg("data-category=\"([^\"]*)\" data-count=\"([0-9]+)\"");
  for (auto r = std::sregex_iterator(svg.begin(), svg.end(), row); r != std::sregex_iterator(); ++r) {
    const std::string body = (*r)[2];
    for (auto s = std::sregex_iterator(body.begin(), body.end(), seg); s != std::sregex_iterator(); ++s)
      out[(*r)[1].str() + "|" + (*s)[1].str()] = std::stoi((*s)[2]);
  }
  return out;
}

}  // namespace

TEST_CASE("a generated class of 20: every count in the summary is the plan's, in the Markdown and in the SVG") {
  const std::vector<std::string> ex6 = {"dlogprobs", "dprobs", "dh", "dW1"};
  const std::vector<std::string> ex3 = {"dx"};
  const char* statuses[] = {"correct",       "wrong",       "not implemented", "crashed",
                            "refused",       "compile error", "wrong shape",   "timed out"};
  std::map<std::string, std::map<std::string, std::vector<PlannedRow>>> plan;  // student -> exercise -> rows
  std::vector<std::string> students;
  for (int s = 0; s < 20; ++s) {
    const std::string id = s == 4 ? "o'<b>&\"x|y" : "student_" + std::to_string(s);
    students.push_back(id);
    auto& e6 = plan[id]["exercise_06"];
    auto& e3 = plan[id]["exercise_03"];
    for (std::size_t g = 0; g < ex6.size(); ++g) {
      PlannedRow p;
      if (s == 3) p.status = "missing";                 // did not submit
      else if (s == 4) p.status = "ambiguous";          // two candidate files
      else if (s < 10) p.status = "correct";
      else p.status = statuses[(s + g) % 8];
      // The same mistake for students 10-14 in dh (a shared misconception), another kind for 15-16.
      if (p.status == "wrong" || p.status == "wrong shape") p.diagnosis = s < 15 ? "times_n" : "transposed";
      // The first wrong line: from the plan, the earliest row (in the backward pass's order) marked.
      p.line_wrong = p.status == "wrong" && g >= 1;
      p.points = p.status == "correct" ? 1.0 : 0.0;
      e6.push_back(p);
    }
    PlannedRow p3;
    p3.status = s == 3 ? "missing" : s % 3 == 0 ? "wrong" : "correct";
    p3.diagnosis = p3.status == "wrong" ? "sign" : "";
    p3.points = p3.status == "correct" ? 4.0 : 0.0;
    p3.max_points = 4.0;
    e3.push_back(p3);
  }
  std::string jsonl;
  for (const auto& id : students) {
    for (const char* e : {"exercise_03", "exercise_06"}) {
      const auto& names = std::string(e) == "exercise_03" ? ex3 : ex6;
      for (std::size_t g = 0; g < names.size(); ++g) jsonl += row_json(id, e, names[g], plan[id][e][g]);
    }
  }
  const ClassSummary s = summarize_results(jsonl);
  CHECK(s.rows == 20 * 5);
  REQUIRE(s.students.size() == 20);
  CHECK(s.exercises == std::vector<std::string>{"exercise_03", "exercise_06"});
  REQUIRE(s.gradients.size() == 5);

  // Per gradient: each category's count from the plan.
  const std::string html = summary_html(s);
  const auto svg = chart_counts(html, "gradients");
  for (const auto& g : s.gradients) {
    const auto& names = g.exercise == "exercise_03" ? ex3 : ex6;
    const std::size_t at = static_cast<std::size_t>(std::find(names.begin(), names.end(), g.name) - names.begin());
    std::map<std::string, int> want;
    for (const auto& id : students) want[summary_category(plan[id][g.exercise][at].status)]++;
    for (const auto& c : summary_categories()) {
      CAPTURE(g.exercise);
      CAPTURE(g.name);
      CAPTURE(c);
      CHECK((g.counts.count(c) ? g.counts.at(c) : 0) == (want.count(c) ? want.at(c) : 0));
      CHECK(svg.at(g.exercise + " " + g.name + "|" + c) == (want.count(c) ? want.at(c) : 0));
    }
    // Diagnoses: students per kind.
    std::map<std::string, int> kinds;
    for (const auto& id : students)
      if (!plan[id][g.exercise][at].diagnosis.empty()) kinds[plan[id][g.exercise][at].diagnosis]++;
    REQUIRE(g.mistakes.size() == kinds.size());
    for (std::size_t k = 0; k < g.mistakes.size(); ++k) {
      CHECK(g.mistakes[k].students == kinds.at(g.mistakes[k].kind));
      CHECK(g.mistakes[k].example == "your " + g.name + " is " + g.mistakes[k].kind);
      if (k) CHECK(g.mistakes[k - 1].students >= g.mistakes[k].students);
    }
  }
  // Finished: every row correct.
  const auto finished = chart_counts(html, "finished");
  for (const char* e : {"exercise_03", "exercise_06"}) {
    int want = 0;
    for (const auto& id : students) {
      bool all = true;
      for (const auto& p : plan[id][e]) all = all && p.status == "correct";
      want += all;
    }
    CAPTURE(e);
    CHECK(finished.at(std::string(e) + "|finished") == want);
    CHECK(finished.at(std::string(e) + "|not finished") == 20 - want);
  }
  // The scores' histogram.
  std::vector<int> bins(10, 0);
  for (const auto& id : students) {
    double points = 0, max = 0;
    for (const auto& [e, rows] : plan[id])
      for (const auto& p : rows) points += p.points, max += p.max_points;
    bins[std::min(9, static_cast<int>(points / max * 10 + 1e-9))]++;
  }
  CHECK(s.score_histogram() == bins);
  const std::regex bar("data-bin=\"([0-9])\" data-count=\"([0-9]+)\"");
  int seen = 0;
  for (auto m = std::sregex_iterator(html.begin(), html.end(), bar); m != std::sregex_iterator(); ++m, ++seen)
    CHECK(std::stoi((*m)[2]) == bins[static_cast<std::size_t>(std::stoi((*m)[1]))]);
  CHECK(seen == 10);
  // Lines blamed first in 06: per student, the first planned row with its own line wrong.
  std::map<std::string, int> first;
  for (const auto& id : students) {
    const auto& rows = plan[id]["exercise_06"];
    for (std::size_t g = 0; g < rows.size(); ++g)
      if (rows[g].line_wrong) {
        first[ex6[g]]++;
        break;
      }
  }
  REQUIRE(s.blamed_first.count("exercise_06"));
  CHECK(s.blamed_first.count("exercise_03") == 0);  // one line: nothing to rank
  int blamed_total = 0;
  for (const auto& [name, n] : s.blamed_first.at("exercise_06")) {
    CHECK(n == first.at(name));
    blamed_total += n;
  }
  int want_total = 0;
  for (const auto& [name, n] : first) want_total += n;
  CHECK(blamed_total == want_total);
  // Who did not submit, whose files were ambiguous; ids escaped in HTML, pipes in Markdown.
  const std::string md = summary_markdown(s);
  CHECK(md.find("## Not submitted\n\n- student_3\n") != std::string::npos);
  CHECK(md.find("## Ambiguous files (more than one candidate for an exercise)\n\n- o'<b>&\"x\\|y\n") != std::string::npos);
  CHECK(html.find("<li>student_3</li>") != std::string::npos);
  CHECK(html.find("&lt;b&gt;&amp;") != std::string::npos);
  CHECK(html.find("o'<b>") == std::string::npos);
  CHECK(md.find("| exercise_03 | 13 of 20 | 65 % |") != std::string::npos);  // s % 3 != 0, but 3: 13
  // The gradients' table: students and their share, per category (dx: 13 correct, 6 wrong, 1 absent).
  CHECK(md.find("| exercise_03 | dx | 13 (65 %) | 6 (30 %) | 0 | 0 | 0 | 0 | 1 (5 %) |") != std::string::npos);
  CHECK(html.find("<title>exercise_03 dx: wrong 6 of 20 (30 %)</title>") != std::string::npos);
}

TEST_CASE("a line of results.jsonl that is not a result row is an error naming the line") {
  const std::string row = R"({"student":"a","exercise":"exercise_03","gradient":"dx","status":"correct"})";
  CHECK_THROWS_WITH_AS(summarize_results(row + "\n\n{oops\n"),
                       doctest::Contains("results.jsonl line 3 is not JSON at byte 1"), SetupError);
  CHECK_THROWS_WITH_AS(summarize_results("[1,2]\n"), doctest::Contains("line 1 is not a result row"), SetupError);
  const ClassSummary empty = summarize_results("");
  CHECK(empty.students.empty());
  CHECK(summary_html(empty).find("<h1>Class summary</h1>") != std::string::npos);
  CHECK(summary_markdown(empty).find("0 students") != std::string::npos);
}

TEST_SUITE_END();
