#include "common/workspace.hpp"

#include <doctest/doctest.h>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("compiler output is cut to the learner's file, errors first, paths relative, at most N lines") {
  const std::string out =
      "[1/2] Building CXX object exercises/CMakeFiles/learner_03.dir/exercise_03_tanh.cpp.o\n"
      "FAILED: exercises/CMakeFiles/learner_03.dir/exercise_03_tanh.cpp.o\n"
      "/usr/bin/c++ -I/w/workbook ... -c /w/exercises/exercise_03_tanh.cpp\n"
      "/w/exercises/exercise_03_tanh.cpp:25:7: warning: unused variable 'x' [-Wunused-variable]\n"
      "   25 |   int x = 1;\n"
      "      |       ^\n"
      "/w/exercises/exercise_03_tanh.cpp:24:42: error: expected ';' before 'foo'\n"
      "   24 |   grads.dx = cache.h.array() foo;\n"
      "      |                              ^~~\n"
      "In file included from /usr/include/eigen3/Eigen/Core:19,\n"
      "/usr/include/eigen3/Eigen/src/Core/Foo.h:1:1: note: something deep in Eigen\n"
      "ninja: build stopped: subcommand failed.\n";
  std::size_t omitted = 0;
  const auto lines = compiler_errors(out, "/w/exercises/exercise_03_tanh.cpp", "/w", 20, &omitted);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "exercises/exercise_03_tanh.cpp:24:42: error: expected ';' before 'foo'");
  CHECK(lines[1] == "   24 |   grads.dx = cache.h.array() foo;");
  CHECK(lines[3] == "exercises/exercise_03_tanh.cpp:25:7: warning: unused variable 'x' [-Wunused-variable]");
  CHECK(omitted == 0);
  const auto cut = compiler_errors(out, "/w/exercises/exercise_03_tanh.cpp", "/w", 2, &omitted);
  CHECK(cut.size() == 2);
  CHECK(omitted == 4);
}

TEST_CASE("exercise names resolve in every documented form, and an unknown one names the closest") {
  for (const char* name : {"exercise_03", "03", "3", "exercise_03_tanh", "tanh", "EXERCISE_03", "exercise_03_tanh.cpp"}) {
    CAPTURE(name);
    CHECK(resolve_exercise(name).number == 3);
  }
  CHECK(resolve_exercise("batch_norm").number == 5);
  auto message = [](const char* name) {
    try {
      resolve_exercise(name);
    } catch (const SetupError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("exercise_3x").find("the closest is exercise_03") != std::string::npos);
  CHECK(message("tahn").find("the closest is exercise_03") != std::string::npos);
  CHECK(message("linaer").find("the closest is exercise_02") != std::string::npos);
  CHECK(message("exercise_04_tanh").find("no exercise") != std::string::npos);
}

TEST_CASE("a word of one exercise's name or title finds it; a number that is no exercise's lists them, never a guess") {
  const std::vector<std::pair<const char*, int>> words = {{"chain", 1},   {"softmax", 4}, {"cross", 4},   {"batch", 5},
                                                          {"mlp", 6},     {"fused", 7},   {"train", 8},   {"relu", 9},
                                                          {"sigmoid", 9}, {"gelu", 9},    {"residual", 10}};
  for (const auto& [word, number] : words) {
    const char* name = word;  // (C++17 lambdas, CAPTURE's, cannot capture a structured binding)
    CAPTURE(name);
    CHECK(resolve_exercise(name).number == number);
  }
  for (const char* name : {"99", "exercise_99", "0"}) {
    CAPTURE(name);
    try {
      resolve_exercise(name);
      FAIL("resolved");
    } catch (const SetupError& e) {
      const std::string text = e.what();
      CHECK(text.find("the exercises are 01 chain_rule, 02 linear") != std::string::npos);
      CHECK(text.find("closest") == std::string::npos);
    }
  }
}

TEST_SUITE_END();
