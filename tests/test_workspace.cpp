#include "common/process.hpp"
#include "common/workspace.hpp"
#include "grade/toolchain.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <unistd.h>

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

namespace {

// A learner's file in a folder of its own, and a compiler's output about it ("@" stands for its path).
struct LearnerFile {
  fs::path root = fs::temp_directory_path() / ("bpdojo-compiler-output-" + std::to_string(::getpid()));
  fs::path file = root / "exercises" / "exercise_03_tanh.cpp";
  explicit LearnerFile(const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  ~LearnerFile() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string output(std::string text) const {
    for (std::size_t p; (p = text.find('@')) != std::string::npos;) text.replace(p, 1, file.string());
    return text;
  }
};

const char* const kUninitialised =
    "#include \"bpdojo/exercise_03_tanh.hpp\"\n"
    "\n"
    "namespace bpdojo {\n"
    "\n"
    "void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {\n"
    "  double u;\n"
    "  grads.dx = dh.array() * (1.0 - cache.h.array().square()) * u;\n"
    "}\n"
    "\n"
    "}  // namespace bpdojo\n";

}  // namespace

// GCC 12 at the runner's -O1 (abridged: the types shortened): the warning sits in an Eigen header,
// and the chain of inlined calls before it names the learner's line.
TEST_CASE("a warning GCC places in a header is shown at the learner's line its inlining chain names") {
  const LearnerFile learner(kUninitialised);
  const std::string out = learner.output(
      "In file included from /usr/include/eigen3/Eigen/Core:255,\n"
      "                 from <command-line>:\n"
      "In copy constructor 'Eigen::internal::scalar_constant_op<Scalar>::scalar_constant_op(const scalar_constant_op<Scalar>&) [with Scalar = double]',\n"
      "    inlined from 'Eigen::CwiseNullaryOp<...>::CwiseNullaryOp(const CwiseNullaryOp<...>&)' at /usr/include/eigen3/Eigen/src/Core/CwiseNullaryOp.h:60:7,\n"
      "    inlined from 'bpdojo::Grad& bpdojo::Grad::operator=(const Eigen::ArrayBase<Derived>&) [with Derived = ...]' at /w/workbook/include/bpdojo/learner.hpp:54:16,\n"
      "    inlined from 'void bpdojo::tanh_backward(const TanhCache&, const Matrix&, TanhGrads&)' at @:7:62:\n"
      "/usr/include/eigen3/Eigen/src/Core/functors/NullaryFunctors.h:19:95: warning: 'u' may be used uninitialized [-Wmaybe-uninitialized]\n"
      "   19 |   EIGEN_DEVICE_FUNC EIGEN_STRONG_INLINE scalar_constant_op(const scalar_constant_op& other) : m_other(other.m_other) { }\n"
      "      |                                                                                               ^~~~~~~~~~~~~~~~~~~~~~\n"
      "@: In function 'void bpdojo::tanh_backward(const TanhCache&, const Matrix&, TanhGrads&)':\n"
      "@:6:10: note: 'u' was declared here\n"
      "    6 |   double u;\n"
      "      |          ^\n"
      "/usr/include/eigen3/Eigen/src/Core/Foo.h:3:1: warning: a warning no chain ties to the learner's file\n");
  std::size_t omitted = 0;
  const auto lines = compiler_errors(out, learner.file, learner.root, 20, &omitted);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "exercises/exercise_03_tanh.cpp:7:62: warning: 'u' may be used uninitialized [-Wmaybe-uninitialized]");
  CHECK(lines[1] == "    7 |   grads.dx = dh.array() * (1.0 - cache.h.array().square()) * u;");
  CHECK(lines[2] == "      | " + std::string(61, ' ') + "^");
  CHECK(lines[3].rfind("exercises/exercise_03_tanh.cpp: In function", 0) == 0);
  CHECK(lines[4] == "exercises/exercise_03_tanh.cpp:6:10: note: 'u' was declared here");
  CHECK(omitted == 0);
}

// An Eigen static assertion: GCC prints the instantiation chain before the error, clang after it
// (abridged from GCC 12 and clang 14 on `m.colwise() += cache.h;`, a matrix where a vector belongs).
TEST_CASE("an error in a header is shown at the learner's line its instantiation chain names, GCC's and clang's") {
  const LearnerFile learner(
      "#include \"bpdojo/exercise_03_tanh.hpp\"\n\nnamespace bpdojo {\n\n"
      "void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {\n"
      "  Matrix m = dh;\n  m.colwise() += cache.h;\n  grads.dx = m;\n}\n\n}  // namespace bpdojo\n");
  const std::string expected = "exercises/exercise_03_tanh.cpp:7:15: error: ";
  const std::string gcc = learner.output(
      "In file included from /usr/include/eigen3/Eigen/Core:164,\n"
      "                 from <command-line>:\n"
      "/usr/include/eigen3/Eigen/src/Core/VectorwiseOp.h: In instantiation of 'ExpressionType& Eigen::VectorwiseOp<ExpressionType, Direction>::operator+=(...)':\n"
      "@:7:15:   required from here\n"
      "/usr/include/eigen3/Eigen/src/Core/VectorwiseOp.h:592:7: error: static assertion failed: YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX\n"
      "  592 |       EIGEN_STATIC_ASSERT_VECTOR_ONLY(OtherDerived)\n"
      "      |       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
      "/usr/include/eigen3/Eigen/src/Core/VectorwiseOp.h:592:7: note: 'Eigen::Matrix<double, -1, -1, 1>::IsVectorAtCompileTime' evaluates to false\n"
      "ninja: build stopped: subcommand failed.\n");
  std::size_t omitted = 0;
  auto lines = compiler_errors(gcc, learner.file, learner.root, 20, &omitted);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == expected + "static assertion failed: YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX");
  CHECK(lines[1] == "    7 |   m.colwise() += cache.h;");
  CHECK(lines[2] == "      |               ^");
  const std::string clang = learner.output(
      "In file included from @:1:\n"
      "In file included from /usr/include/eigen3/Eigen/Core:357:\n"
      "/usr/include/eigen3/Eigen/src/Core/VectorwiseOp.h:592:7: error: static_assert failed due to requirement "
      "'Matrix<double, -1, -1, 1, -1, -1>::IsVectorAtCompileTime' \"YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX\"\n"
      "      EIGEN_STATIC_ASSERT_VECTOR_ONLY(OtherDerived)\n"
      "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
      "/usr/include/eigen3/Eigen/src/Core/util/StaticAssert.h:143:3: note: expanded from macro 'EIGEN_STATIC_ASSERT_VECTOR_ONLY'\n"
      "  EIGEN_STATIC_ASSERT(TYPE::IsVectorAtCompileTime, \\\n"
      "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
      "@:7:15: note: in instantiation of function template specialization "
      "'Eigen::VectorwiseOp<Eigen::Matrix<double, -1, -1, 1>, 0>::operator+=<Eigen::Matrix<double, -1, -1, 1>>' requested here\n"
      "  m.colwise() += cache.h;\n"
      "              ^\n"
      "@:6:3: warning: a warning at the learner's own line [-Wsomething]\n"
      "  Matrix m = dh;\n"
      "  ^\n"
      "1 warning and 1 error generated.\n");
  CHECK(holds_an_error(lines));
  // An error no chain ties to the learner's file leaves only context: the report then shows the
  // compiler's own output (holds_an_error is false).
  const auto context_only = compiler_errors(learner.output("@: In function 'void bpdojo::tanh_backward()':\n"
                                                           "/usr/include/eigen3/Eigen/src/Core/Foo.h:1:1: error: something\n"),
                                            learner.file, learner.root, 20, &omitted);
  CHECK(context_only.size() == 1);
  CHECK_FALSE(holds_an_error(context_only));
  lines = compiler_errors(clang, learner.file, learner.root, 20, &omitted);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].rfind(expected + "static_assert failed", 0) == 0);
  CHECK(lines[0].find("YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX") != std::string::npos);
  CHECK(lines[1] == "    7 |   m.colwise() += cache.h;");
  CHECK(lines[3] == "exercises/exercise_03_tanh.cpp:6:3: warning: a warning at the learner's own line [-Wsomething]");
  CHECK(lines[4] == "  Matrix m = dh;");
  CHECK(lines[5] == "  ^");
}

// The same two with the compiler and flags the learner's runners are built with (this build's
// compile_commands.json: GCC's -O1, where the warning lands in an Eigen header; clang warns at the
// learner's line itself): what the report keeps is at the learner's line.
TEST_CASE("with this build's compiler, a learner's uninitialised variable and Eigen static assertion are reported at the learner's line" *
          doctest::test_suite("e2e")) {
  const Toolchain toolchain = load_toolchain(test::workspace());
  const auto compile = [&](const LearnerFile& learner) {
    std::vector<std::string> cmd = toolchain.compile;
    cmd[toolchain.source_at] = learner.file.string();
    cmd[toolchain.object_at] = (learner.root / "exercise.o").string();
    ProcessLimits limits;
    limits.wall_seconds = 120;
    limits.memory_bytes = 0;
    const ProcessResult r = run_process(cmd, limits, test::workspace().build.string());
    REQUIRE(r.end == ProcessResult::End::Exited);
    CAPTURE(r.output);
    std::size_t omitted = 0;
    const auto lines = compiler_errors(r.output, learner.file, learner.root, 20, &omitted);
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
  };
  {
    const LearnerFile learner(kUninitialised);
    const std::string kept = compile(learner);
    CAPTURE(kept);
    CHECK(kept.rfind("exercises/exercise_03_tanh.cpp:7:62: warning: ", 0) == 0);
    CHECK(kept.find("uninitialized") != std::string::npos);
    // (GCC's excerpt is "    7 |   grads.dx ...", clang's the bare line.)
    CHECK(kept.find("  grads.dx = dh.array() * (1.0 - cache.h.array().square()) * u;\n") != std::string::npos);
  }
  {
    const LearnerFile learner(
        "#include \"bpdojo/exercise_03_tanh.hpp\"\n\nnamespace bpdojo {\n\n"
        "void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {\n"
        "  Matrix m = dh;\n  m.colwise() += cache.h;\n  grads.dx = m;\n}\n\n}  // namespace bpdojo\n");
    const std::string kept = compile(learner);
    CAPTURE(kept);
    CHECK(kept.rfind("exercises/exercise_03_tanh.cpp:7:", 0) == 0);
    CHECK(kept.find("error: static") != std::string::npos);
    CHECK(kept.find("YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX") != std::string::npos);
    CHECK(kept.find(".h:") == std::string::npos);
  }
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
