// What every exercise ships with besides its code (docs/contributing.md): hints at three levels for
// every gradient, a derivation note, a row in the README's table, and a stub whose header comment
// is the lesson (how to run it, what to watch and read).
#include "support.hpp"
#include "learner/hints.hpp"

#include <doctest/doctest.h>

#include <fstream>
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

TEST_SUITE_END();
