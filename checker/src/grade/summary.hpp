// Backprop Dojo checker: the class summary of a grading run, for the instructor: which step of the
// backward pass to teach again. Built from results.jsonl alone (so `checker grade --summary-only`
// rebuilds it from any run's folder): the scores' distribution, per exercise the share of students
// who finished it, per gradient the share correct, wrong, not implemented, crashed or refused and
// its most common diagnoses (with one example of the line a student was shown, naming no one), the
// lines blamed first where an exercise has several, and the students who did not submit or whose
// files were ambiguous. Written as summary.md and a self-contained summary.html (inline SVG, no
// script, nothing fetched) whose every bar carries its count (data-count) for tools to read back.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bpdojo {

// The columns a gradient's rows fall in (a row's status, grouped): see summary_category().
inline const std::vector<std::string>& summary_categories() {
  static const std::vector<std::string> all = {"correct",       "wrong",   "not implemented", "compile error",
                                               "crashed",       "refused", "not submitted"};
  return all;
}
// "wrong shape" is wrong; "timed out", "killed" and "error" crashed; "missing" and "ambiguous" were
// not submitted; an unknown status counts as crashed (the run did not say what it was).
const std::string& summary_category(const std::string& status);

struct ClassSummary {
  struct Student {
    std::string id;
    double points = 0.0, max_points = 0.0;
    std::map<std::string, bool> finished;  // per exercise: every row correct
    bool submitted = false;                // some exercise not missing
    bool ambiguous = false;
  };
  struct Mistake {
    std::string kind;
    int students = 0;
    std::string example;  // the diagnosis line as one student was shown it
  };
  struct Gradient {
    std::string exercise, name;
    std::map<std::string, int> counts;  // per category
    std::vector<Mistake> mistakes;      // most common first
  };
  std::vector<Student> students;             // in results.jsonl's order
  std::vector<std::string> exercises;        // sorted
  std::vector<Gradient> gradients;           // in results.jsonl's order
  // Per exercise of several lines: how many students' first wrong line (its own local check
  // failing, on the default instance) each line was; most often first.
  std::map<std::string, std::vector<std::pair<std::string, int>>> blamed_first;
  std::size_t rows = 0;

  // Students per tenth of the maximum score: [0, 10 %), ..., [90 %, 100 %]; a student with no
  // points to earn counts in the first.
  std::vector<int> score_histogram() const;
};

// From results.jsonl's text; throws SetupError naming the line that is not a result row.
ClassSummary summarize_results(const std::string& jsonl);

std::string summary_markdown(const ClassSummary& s);
std::string summary_html(const ClassSummary& s);

// Reads DIR/results.jsonl and writes DIR/summary.md and DIR/summary.html (each atomically).
void write_class_summary(const std::filesystem::path& dir);

}  // namespace bpdojo
