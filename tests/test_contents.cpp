// What every exercise ships with besides its code (docs/contributing.md): hints at three levels for
// every gradient, a derivation note, a row in the README's table, and a stub whose header comment
// is the lesson (how to run it, what to watch and read).
#include "support.hpp"
#include "judge/experiment.hpp"
#include "learner/hints.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

using namespace bpdojo;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_SUITE_BEGIN("unit");

TEST_CASE("every gradient of every exercise has hints at all three levels") {
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    const auto hints = exercise_hints(test::workspace(), info);
    for (const auto& g : info.gradients) {
      CAPTURE(g.name);
      const auto it = hints.find(hint_section(g.name));
      REQUIRE(it != hints.end());
      for (const std::string& level : it->second) CHECK(level.size() > 20);
    }
    if (info.trains || info.trains_rnn || info.trains_gpt) {  // the training row, offered once every gradient is correct
      const auto it = hints.find("training");
      REQUIRE(it != hints.end());
      for (const std::string& level : it->second) CHECK(level.size() > 20);
    }
    if (info.experiment)  // its rows are what `checker hint` offers once every gradient is correct
      for (const auto& row : experiment_row_names()) {
        CAPTURE(row);
        const auto it = hints.find(row);
        REQUIRE(it != hints.end());
        for (const std::string& level : it->second) CHECK(level.size() > 20);
      }
  }
}

TEST_CASE("every exercise has its derivation note, its README row, and a stub that says how to run it and what to read") {
  const fs::path root = BPDOJO_TEST_SOURCE_DIR;
  const std::string readme = slurp(root / "README.md");
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    const std::string nn = info.id().substr(9);
    CHECK(fs::file_size(root / "docs" / (info.id() + ".md")) > 1000);
    const std::string stem = info.source.substr(0, info.source.size() - 4);
    CHECK(readme.find("| " + nn + " | `" + stem + "` |") != std::string::npos);
    const std::string stub = slurp(root / "workbook" / "stubs" / info.source);
    CHECK(stub.find("// Run:    checker " + info.id()) != std::string::npos);
    CHECK(stub.find("// Watch:") != std::string::npos);
    CHECK(stub.find("// Read:") != std::string::npos);
    CHECK(stub.find("#include \"bpdojo/" + stem + ".hpp\"") != std::string::npos);
  }
}

// The lecture's published chapters: 0:13:01 exercise 1, 1:05:17 Bessel's correction, 1:26:31 exercise 2,
// 1:36:37 exercise 3, 1:50:02 exercise 4. A learner who is stuck jumps to where the answer is given.
TEST_CASE("every link to the backprop-ninja lecture names its chapter: exercise headers, README rows, the last hint") {
  const fs::path root = BPDOJO_TEST_SOURCE_DIR;
  const std::string lecture = "https://www.youtube.com/watch?v=q8SA3rM6ckI";
  const std::set<std::string> chapters = {"&t=781s", "&t=3917s", "&t=5191s", "&t=5797s", "&t=6602s"};
  auto every_link_has_a_chapter = [&](const std::string& text) {
    int links = 0;
    for (std::size_t at = text.find(lecture); at != std::string::npos; at = text.find(lecture, at + 1)) {
      ++links;
      const std::size_t end = text.find_first_of(" )\n", at + lecture.size());
      CHECK(chapters.count(text.substr(at + lecture.size(), end - at - lecture.size())) == 1);
    }
    return links;
  };
  std::set<std::string> with_the_lecture;  // "04": the exercises whose README row says to watch it
  std::istringstream readme(slurp(root / "README.md"));
  for (std::string line; std::getline(readme, line);)
    if (line.rfind("| ", 0) == 0 && every_link_has_a_chapter(line) > 0) with_the_lecture.insert(line.substr(2, 2));
  CHECK(with_the_lecture.size() >= 7);
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    every_link_has_a_chapter(slurp(root / "workbook" / "stubs" / info.source));
    if (!with_the_lecture.count(info.id().substr(9))) continue;
    for (const auto& hints : exercise_hints(test::workspace(), info)) {
      CAPTURE(hints.first);  // (not a structured binding: C++17 lambdas, CAPTURE's, cannot capture one)
      CHECK(every_link_has_a_chapter(hints.second[2]) == 1);
    }
  }
}

TEST_SUITE_END();
