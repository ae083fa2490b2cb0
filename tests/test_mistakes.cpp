// The mistake catalogue (tests/mistakes/catalogue.cmake): each entry fails exactly the gradients it
// breaks, at least 100x above the threshold, and passes every other gradient. Its correct variants
// (right solutions computed otherwise) pass every gradient, at least 100x below the threshold.
#include "learner/report.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace bpdojo;

namespace {

struct Mistake {
  std::string name;
  int exercise;
  std::string runner;
  std::set<std::string> fails;
  bool has_lines = false;
  bool instance_sized = false;  // INSTANCE_SIZED: the instance sets the size of its error
  std::set<std::string> lines;  // the gradients whose own line is wrong (when has_lines)
  std::map<std::string, std::string> diagnoses;  // gradient -> the diagnosis kind it must get
  std::set<std::string> at_other_sizes;  // AT_OTHER_SIZES: correct at the defaults, may fail at the edges
};

std::vector<Mistake> catalogue() {
  std::ifstream in(BPDOJO_TEST_MISTAKE_MANIFEST);
  std::vector<Mistake> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    Mistake m;
    std::string nn;
    fields >> m.name >> nn >> m.runner;
    m.exercise = std::stoi(nn);
    bool diag = false, other = false;
    for (std::string g; fields >> g;) {
      if (g == "~") m.instance_sized = true;
      else if (g == "|") m.has_lines = true;
      else if (g == "@") diag = true;
      else if (g == "^") other = true;
      else if (other) m.at_other_sizes.insert(g);
      else if (diag) m.diagnoses[g.substr(0, g.find('='))] = g.substr(g.find('=') + 1);
      else (m.has_lines ? m.lines : m.fails).insert(g);
    }
    out.push_back(m);
  }
  return out;
}

TEST_CASE("the catalogue has at least 15 entries, every gradient it names exists" * doctest::test_suite("unit")) {
  const auto all = catalogue();
  MESSAGE("mistake catalogue: " << all.size() << " entries");
  CHECK(all.size() >= 15);
  for (const auto& m : all) {
    CAPTURE(m.name);
    const ExerciseInfo* info = find_exercise(m.exercise);
    REQUIRE(info);
    CHECK_FALSE(m.fails.empty());
    for (const auto& g : m.lines) {
      CAPTURE(g);
      CHECK(m.fails.count(g) == 1);  // a wrong line is a failing gradient
    }
    for (const auto& g : m.fails) {
      CAPTURE(g);
      CHECK(((info->trains && (g == "training" || g.rfind("update.", 0) == 0)) ||
             std::any_of(info->gradients.begin(), info->gradients.end(), [&](const GradientSpec& s) { return s.name == g; })));
    }
    for (const auto& g : m.at_other_sizes) {
      CAPTURE(g);
      CHECK(m.fails.count(g) == 0);
      CHECK(std::any_of(info->gradients.begin(), info->gradients.end(), [&](const GradientSpec& s) { return s.name == g; }));
    }
  }
}

// Every mistake of one exercise fails where it should on the given seeds, 100x above the
// threshold, and nowhere else.
void mistakes_fail_where_they_should(int number, std::uint64_t first_seed, std::uint64_t last_seed) {
  double smallest_failing = 1e300;
  std::string smallest_where;
  std::vector<Mistake> all;
  for (const auto& m : catalogue())
    if (m.exercise == number) all.push_back(m);
  const int entries = static_cast<int>(all.size());
  const ExerciseInfo& info = *find_exercise(number);
  // Seed by seed, every entry on it: the judge computes each instance's reference once.
  for (std::uint64_t seed = first_seed; seed <= last_seed; ++seed) {
    for (const auto& m : all) {
      CAPTURE(m.name);
      // Exercise 08 trains: a short run shows a broken update (no threshold below 20000 steps),
      // where the entry says training fails; elsewhere training is not judged, and S = 0 checks
      // every gradient and the update without it.
      const Sizes sizes = info.trains ? Sizes{{"S", m.fails.count("training") ? 2000 : 0}} : info.runs() ? Sizes{{"S", 0}} : Sizes{};
      const CheckResult r = test::judge_runner(info, Flavour::Learner, seed, sizes, m.runner, info.trains ? 900.0 : 60.0);
      CAPTURE(seed);
      REQUIRE(r.runner.finished);
      for (const auto& g : r.gradients) {
        CAPTURE(g.name);
        if (m.fails.count(g.name)) {
          const bool shape = g.verdict == Verdict::WrongShape;
          CHECK((g.verdict == Verdict::Wrong || shape));
          if (g.name == "training") {
            MESSAGE(m.name << ": " << g.message);
            continue;
          }
          if (!shape) {
            REQUIRE(g.comparison);
            CHECK(g.comparison->rel_error >= 100 * g.threshold);
            if (g.comparison->rel_error < smallest_failing)
              smallest_failing = g.comparison->rel_error, smallest_where = m.name + " " + g.name;
          }
        } else if (g.name != "training") {  // training is judged only where listed
          CHECK(g.verdict == Verdict::Correct);
        }
      }
      for (const auto& g : r.gradients) {
        CAPTURE(g.name);
        // A diagnosis goes with a blamed line only: one that inherits its error says where it starts.
        // (An update row of a training exercise is judged on its own, not as a line.)
        if (g.diagnosis && g.name.rfind("update.", 0) != 0) CHECK(g.line_wrong);
        const auto want = m.diagnoses.find(g.name);
        if (want != m.diagnoses.end()) {
          REQUIRE(g.diagnosis);
          CHECK(g.diagnosis->kind == want->second);
          MESSAGE(m.name << " " << g.name << ": " << g.diagnosis->text);
        }
      }
      if (m.has_lines) {
        const auto named = r.wrong_lines();
        CHECK(std::set<std::string>(named.begin(), named.end()) == m.lines);
        // Every other failing gradient names the wrong line its error starts at.
        for (const auto& g : r.gradients) {
          CAPTURE(g.name);
          if (m.fails.count(g.name) && !m.lines.count(g.name)) CHECK(m.lines.count(g.inherits) == 1);
        }
      }
    }
  }
  CHECK(entries >= 2);
  MESSAGE("exercise " << number << ", seeds " << first_seed << " to " << last_seed << ": " << entries
                      << " mistakes; smallest relative error of a failing gradient "
                      << smallest_failing << " (" << smallest_where << ")");
}

// The same at the edges of the sizes (each letter's minimum and maximum, grading's two ends:
// test::instance_sizes) on the given seeds. A gradient the edit breaks is wrong at least 100x above
// the threshold, or coincides with the right one at least 100x below it (the edit changes nothing
// there: a sum over a batch of one); an INSTANCE_SIZED entry's is only reported, and behind batch
// norm over a batch of two it is held to a wrong verdict (see below). Every other gradient passes.
// Training is not run here (S = 0).
void mistakes_at_the_edges(int number, std::uint64_t last_seed, int last_seed_at_maxima) {
  const ExerciseInfo& info = *find_exercise(number);
  double smallest = 1e300, smallest_sized = 1e300, smallest_of_two = 1e300;
  std::string where, where_sized, where_of_two;
  int coincide = 0, runs = 0;
  std::vector<Mistake> entries;
  for (const auto& m : catalogue())
    if (m.exercise == number) entries.push_back(m);
  // Instance by instance, every entry on it: the judge computes each instance's reference once.
  for (auto [what, sizes] : test::instance_sizes(info, last_seed_at_maxima >= 0)) {
    if (what == "default") continue;
    if (info.runs()) sizes["S"] = 0;
    const bool maximum = what.find("maximum") != std::string::npos;
    const std::uint64_t last = maximum ? static_cast<std::uint64_t>(last_seed_at_maxima) : last_seed;
    for (std::uint64_t seed = 0; seed <= last; ++seed) {
      // Batch norm over a batch of two leaves of a gradient through it about eps / var of the terms
      // summed into it (the two normalised values are +-1 whatever the inputs), so an edit that
      // scales that gradient shrinks with it: held to a wrong verdict there, reported apart.
      const Sizes complete = complete_sizes(info, sizes);
      const std::vector<Graph> problems = info.problems(seed, complete);
      const bool two_normalised = complete.count("N") && complete.at("N") == 2 &&
                                  std::any_of(problems.begin(), problems.end(), [](const Graph& g) { return g.has("hprebn"); });
      for (const auto& m : entries) {
        CAPTURE(m.name);
        const CheckResult r = test::judge_runner(info, Flavour::Learner, seed, sizes, m.runner, 300.0);
        CAPTURE(r.reproduce);
        REQUIRE(r.runner.finished);
        ++runs;
        for (const auto& g : r.gradients) {
          CAPTURE(g.name);
          if (!m.fails.count(g.name) && !m.at_other_sizes.count(g.name)) {
            CHECK(g.verdict == Verdict::Correct);
            continue;
          }
          if (g.verdict == Verdict::WrongShape) continue;
          REQUIRE(g.comparison);
          const double e = g.comparison->rel_error;
          CAPTURE(e);
          if (m.instance_sized) {
            if (e < smallest_sized) smallest_sized = e, where_sized = r.reproduce + " " + m.name + " " + g.name;
          } else if (two_normalised && g.verdict == Verdict::Wrong) {
            if (e < smallest_of_two) smallest_of_two = e, where_of_two = r.reproduce + " " + m.name + " " + g.name;
          } else if (g.verdict == Verdict::Correct) {
            CHECK(e <= g.threshold / 100);
            ++coincide;
          } else {
            CHECK(g.verdict == Verdict::Wrong);
            CHECK(e >= 100 * g.threshold);
            if (e < smallest) smallest = e, where = r.reproduce + " " + m.name + " " + g.name;
          }
        }
      }
    }
  }
  MESSAGE("exercise " << number << " at the edges of its sizes, seeds 0 to " << last_seed
                      << (last_seed_at_maxima >= 0 ? ", each letter's maximum on seeds 0 to " + std::to_string(last_seed_at_maxima)
                                                    : std::string(", not at the maxima"))
                      << ", " << runs << " runs: smallest relative error of a failing gradient "
                      << smallest << " (" << where << "); " << coincide
                      << " gradients where the edit coincides with the right formula; entries sized by the instance: smallest "
                      << smallest_sized << " (" << where_sized << "); batch norm of two: smallest " << smallest_of_two << " ("
                      << where_of_two << ")");
}

struct Variant {
  std::string name;
  int exercise;
  std::string runner;
};

std::vector<Variant> variants() {
  std::ifstream in(BPDOJO_TEST_VARIANT_MANIFEST);
  std::vector<Variant> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    Variant v;
    std::string nn;
    fields >> v.name >> nn >> v.runner;
    v.exercise = std::stoi(nn);
    out.push_back(v);
  }
  return out;
}

// Every variant of one exercise passes every gradient on the given seeds, 100x below the threshold,
// with no diagnosis. An exercise without variants passes (they are declared where natural, not
// asked of every exercise; the unit case below asks them of 04 to 07).
// With `edges`, at the edges of the sizes instead of the defaults (test::instance_sizes, the maxima
// on seed 0 only unless `last_at_maxima` says otherwise).
void variants_pass(int number, std::uint64_t first_seed, std::uint64_t last_seed, bool edges = false, int last_at_maxima = -1) {
  double worst = 0.0;
  std::string where = "none";
  int entries = 0;
  const ExerciseInfo& exercise = *find_exercise(number);
  std::vector<std::pair<std::string, Sizes>> shapes{{"default", {}}};
  if (edges) {
    shapes = test::instance_sizes(exercise, last_at_maxima >= 0);
    shapes.erase(shapes.begin() + 1);  // the defaults: the other entries
  }
  for (const auto& v : variants()) {
    if (v.exercise != number) continue;
    ++entries;
    CAPTURE(v.name);
    const ExerciseInfo& info = *find_exercise(v.exercise);
    for (auto [what, sizes] : shapes) {
      if (info.runs()) sizes["S"] = 0;
      const bool maximum = what.find("maximum") != std::string::npos;
      const std::uint64_t first = maximum ? 0 : first_seed;
      const std::uint64_t last = maximum ? static_cast<std::uint64_t>(last_at_maxima) : last_seed;
      for (std::uint64_t seed = first; seed <= last; ++seed) {
        const CheckResult r = test::judge_runner(info, Flavour::Learner, seed, sizes, v.runner, 300.0);
        CAPTURE(r.reproduce);
        REQUIRE(r.runner.finished);
        REQUIRE_FALSE(r.gradients.empty());
        for (const auto& g : r.gradients) {
          if (g.run_row) continue;
          CAPTURE(g.name);
          CHECK(g.verdict == Verdict::Correct);
          CHECK_FALSE(g.diagnosis);
          REQUIRE(g.comparison);
          CHECK(g.comparison->rel_error <= g.threshold / 100);
          if (g.comparison->rel_error > worst) worst = g.comparison->rel_error, where = r.reproduce + " " + v.name + " " + g.name;
        }
      }
    }
  }
  MESSAGE("exercise " << number << std::string(edges ? " at the edges of its sizes" : "") << ", seeds " << first_seed << " to " << last_seed << ": " << entries
                      << " correct variants; largest relative error of a gradient " << worst << " (" << where << ")");
}

}  // namespace

TEST_CASE("the correct variants: exercises 04 to 07 have some, every one of an exercise that exists, no name twice" * doctest::test_suite("unit")) {
  const auto all = variants();
  MESSAGE("correct variants: " << all.size() << " entries");
  std::map<int, int> per_exercise;
  std::set<std::string> names;
  for (const auto& v : all) {
    CAPTURE(v.name);
    CHECK(find_exercise(v.exercise));
    CHECK(names.insert(v.name).second);
    ++per_exercise[v.exercise];
  }
  for (int number : {4, 5, 6, 7}) {
    CAPTURE(number);
    CHECK(per_exercise[number] >= 1);
  }
}

// One ctest entry per exercise and suite (tests/support.hpp, exercises_under_test). An exercise that
// trains shows a broken update in a short run; the local check names exactly the wrong lines where
// the catalogue lists them (06, 07). The fast suite: seed 0. The deep suite: seeds 1 to 4, and 1 and
// 2 where a run costs seconds (test::costly_runs: the network, 06 to 08; a sweep, test::sweep: 1 to
// 19 for all).
TEST_CASE("each exercise: its catalogue mistakes fail where they should at seed 0, 100x above the threshold, and nowhere else" * doctest::test_suite("e2e.catalogue")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) mistakes_fail_where_they_should(info->number, 0, 0);
}
TEST_CASE("each exercise: its catalogue mistakes fail where they should on seeds 1 to 4 (1 and 2 where runs are costly), 100x above the threshold, and nowhere else" * doctest::test_suite("deep.catalogue")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) {
    mistakes_fail_where_they_should(info->number, 1, test::sweep() ? 19 : test::costly_runs(*info) ? 2 : 4);
  }
}

// At the edges of the sizes: seed 0 with each letter's maximum, and seeds 0 to 4 at the minimum and
// grading's two ends, except where a run at those sizes costs seconds (test::costly_runs: 06 to 08):
// seeds 0 and 1, and the maxima left to a wider sweep (BPDOJO_TEST_SWEEP, test::sweep: seeds 0 to 19,
// and each maximum on seeds 0 to 4, for every exercise).
TEST_CASE("each exercise: its catalogue mistakes at the edges of the sizes fail 100x above the threshold or coincide with the right formula" *
          doctest::test_suite("deep.catalogue")) {
  const bool sweep = test::sweep();
  for (const ExerciseInfo* info : test::exercises_under_test()) {
    const bool costly = test::costly_runs(*info);
    mistakes_at_the_edges(info->number, sweep ? 19 : costly ? 1 : 4, sweep ? 4 : costly ? -1 : 0);
  }
}

// The same entries for the variants; an exercise without any passes and says so.
TEST_CASE("each exercise: its correct variants pass every gradient at seed 0, 100x below the threshold" * doctest::test_suite("e2e.catalogue")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) variants_pass(info->number, 0, 0);
}
TEST_CASE("each exercise: its correct variants pass every gradient on seeds 1 to 4, 100x below the threshold" * doctest::test_suite("deep.catalogue")) {
  // And at the edges of the sizes: seeds 0 to 4 and each letter's maximum on seed 0 (a sweep,
  // test::sweep: seeds 0 to 19 everywhere).
  for (const ExerciseInfo* info : test::exercises_under_test()) {
    variants_pass(info->number, 1, test::sweep() ? 19 : 4);
    variants_pass(info->number, 0, test::sweep() ? 19 : 4, true, test::sweep() ? 19 : 0);
  }
}


namespace {

// The runner's wall time, the one figure of a report that changes from run to run: "(0.01 s)" is
// "(t s)". (Not std::regex: GCC 12 warns inside <regex> under the sanitizers, -Werror.)
std::string untimed(const std::string& text) {
  const auto digits = [&](std::size_t i) {
    std::size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    return j;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '(') {
      const std::size_t a = digits(i + 1);
      if (a > i + 1 && a < text.size() && text[a] == '.') {
        const std::size_t b = digits(a + 1);
        if (b > a + 1 && text.compare(b, 3, " s)") == 0) {
          out += "(t s)";
          i = b + 3;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// `shown` is `printed`, or an abridged copy of it: it may begin and end anywhere, and a line "  ..."
// stands for any number of lines. Returns the first line of `shown` that does not fit, "" if all do.
std::string first_difference(const std::vector<std::string>& shown, const std::vector<std::string>& printed) {
  if (shown.empty()) return "(an empty block)";
  std::size_t p = std::find(printed.begin(), printed.end(), shown[0]) - printed.begin();
  if (p == printed.size()) return shown[0];
  for (std::size_t s = 0; s < shown.size(); ++s) {
    if (shown[s] == "  ...") {
      if (s + 1 == shown.size()) return "";
      while (p < printed.size() && printed[p] != shown[s + 1]) ++p;
      continue;
    }
    if (p >= printed.size() || printed[p] != shown[s]) return shown[s];
    ++p;
  }
  return "";
}

}  // namespace

// The README's example outputs are the checker's own, so they cannot drift: a code block after a
// line "<!-- checker output: NAME -->" is the text report of catalogue entry NAME at seed 0 and the
// default sizes (the runner's time aside), whole or abridged with "  ...".
TEST_CASE("the README's example outputs are what the checker prints for them" * doctest::test_suite("e2e.catalogue")) {
  std::ifstream in(std::string(BPDOJO_TEST_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str(), marker = "<!-- checker output: ";
  const std::vector<Mistake> all = catalogue();
  int blocks = 0;
  for (std::size_t at = readme.find(marker); at != std::string::npos; at = readme.find(marker, at + 1)) {
    const std::size_t name_at = at + marker.size();
    const std::string name = readme.substr(name_at, readme.find(' ', name_at) - name_at);
    CAPTURE(name);
    const auto m = std::find_if(all.begin(), all.end(), [&](const Mistake& e) { return e.name == name; });
    REQUIRE(m != all.end());
    const std::size_t open = readme.find("```\n", at), close = readme.find("\n```", open + 4);
    REQUIRE(close != std::string::npos);
    const std::string shown = readme.substr(open + 4, close - open - 4);
    const CheckResult r = test::judge_runner(*find_exercise(m->exercise), Flavour::Learner, 0, {}, m->runner);
    const std::string printed = untimed(text_report(r, Style{}));
    CAPTURE(printed);
    CHECK(first_difference(lines_of(untimed(shown)), lines_of(printed)) == "");
    ++blocks;
  }
  CHECK(blocks >= 2);
}

// Exercise 01's part (b) asks for dW1 and db1, not the dz1 both are computed from: a slip in dz1
// (sigmoid' as s) makes both wrong with no line before them to check. Both are blamed, and the
// shared dz1 is named as the likely mistake; a slip in one of them alone names nothing shared.
TEST_CASE("01: two lines wrong through the value they share name it as the likely mistake" * doctest::test_suite("e2e.catalogue")) {
  const std::vector<Mistake> all = catalogue();
  const auto runner = [&](const std::string& name) {
    const auto m = std::find_if(all.begin(), all.end(), [&](const Mistake& e) { return e.name == name; });
    REQUIRE(m != all.end());
    return m->runner;
  };
  const ExerciseInfo& info = *find_exercise(1);
  const CheckResult shared = test::judge_runner(info, Flavour::Learner, 0, {}, runner("chain_b_sigmoid_prime_as_sigmoid"));
  for (const char* name : {"b.dW1", "b.db1"}) {
    CAPTURE(name);
    const GradientResult& g = test::gradient(shared, name);
    CHECK(g.verdict == Verdict::Wrong);
    CHECK(g.line_wrong);
    CHECK(g.shared_source == "dz1");
    CHECK(g.shared_with.size() == 1);
  }
  const std::string text = text_report(shared, Style{});
  CHECK(text.find("wrong together with b.db1; both are computed only from your dz1: the likely mistake is there") != std::string::npos);
  CHECK(json_report(shared).find("\"shared_source\":\"dz1\"") != std::string::npos);
  const CheckResult alone = test::judge_runner(info, Flavour::Learner, 0, {}, runner("chain_b_dW1_transposed"));
  CHECK(test::gradient(alone, "b.dW1").verdict != Verdict::Correct);
  CHECK(test::gradient(alone, "b.dW1").shared_source.empty());
  CHECK(text_report(alone, Style{}).find("wrong together") == std::string::npos);
}
