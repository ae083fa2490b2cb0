// Learner code that prints, loops, crashes, throws, leaves early, allocates without bound or
// returns garbage: each is a verdict about the exercise, never a failure of the checker.
#include "bpdojo/runner.hpp"
#include "bpdojo/sanitizers.hpp"
#include "common/process.hpp"
#include "learner/report.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace bpdojo;

TEST_SUITE_BEGIN("e2e");

namespace {

CheckResult judge_fixture(const std::string& name, double timeout = 20.0) {
  const ExerciseInfo& info = *find_exercise(3);
  const std::string runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/" + name + "/exercise_03";
  return test::judge_runner(info, Flavour::Learner, kDefaultSeed, {}, runner, timeout);
}

}  // namespace

TEST_CASE("a learner who prints to stdout and stderr, even a forged protocol message, still gets the verdict") {
  const CheckResult r = judge_fixture("prints");
  CHECK(r.runner.finished);
  CHECK(test::gradient(r, "dx").verdict == Verdict::Correct);
  CHECK(r.runner.output.find("debug: h is 8x16") != std::string::npos);
  CHECK(r.runner.output.find("a line on stderr") != std::string::npos);
  CHECK(r.runner.output.find("tensor dx 2 1 1 42") != std::string::npos);  // shown, not believed
  // Terminal control characters from learner output never reach the terminal.
  const std::string text = text_report(r, Style{});
  CHECK(text.find('\033') == std::string::npos);
  CHECK(text.find("colour codes are shown escaped") != std::string::npos);
}

TEST_CASE("an endless loop times out") {
  const CheckResult r = judge_fixture("loops", 1.0);
  CHECK(r.runner.end == ProcessResult::End::TimedOut);
  CHECK(test::gradient(r, "dx").verdict == Verdict::TimedOut);
  CHECK(r.runner.summary.find("timed out after 1 s") != std::string::npos);
  CHECK(r.runner.wall_seconds < 10.0);
}

TEST_CASE("a crash is a verdict naming the signal") {
  const CheckResult r = judge_fixture("segfault");
  CHECK(r.runner.end == ProcessResult::End::Signaled);
  CHECK(test::gradient(r, "dx").verdict == Verdict::Crashed);
  CHECK(r.runner.summary.find("SIGSEGV") != std::string::npos);
}

TEST_CASE("an exception is an error carrying its text") {
  const CheckResult r = judge_fixture("throws");
  CHECK(r.runner.finished);
  CHECK(test::gradient(r, "dx").verdict == Verdict::Error);
  CHECK(test::gradient(r, "dx").message == "index 17 out of range");
}

TEST_CASE("exit(0) before finishing is not mistaken for success") {
  const CheckResult r = judge_fixture("exits");
  CHECK_FALSE(r.runner.finished);
  CHECK(test::gradient(r, "dx").verdict == Verdict::Crashed);
  CHECK(r.runner.summary.find("before it finished") != std::string::npos);
}

TEST_CASE("NaN in a gradient is wrong, and said so") {
  const CheckResult r = judge_fixture("nan");
  const auto& g = test::gradient(r, "dx");
  CHECK(g.verdict == Verdict::Wrong);
  REQUIRE(g.diagnosis);
  CHECK(g.diagnosis->kind == "nonfinite");
  CHECK(g.diagnosis->text.find("NaN or Inf") != std::string::npos);
  REQUIRE(g.comparison);
  CHECK(g.comparison->worst_index == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("the right numbers in the transposed shape are a wrong shape") {
  const CheckResult r = judge_fixture("transposed");
  const auto& g = test::gradient(r, "dx");
  CHECK(g.verdict == Verdict::WrongShape);
  CHECK(g.message == "expected (8, 16), got (16, 8)");
  REQUIRE(g.diagnosis);
  CHECK(g.diagnosis->kind == "transposed");
}

TEST_CASE("allocating without bound ends at the memory cap") {
  CheckOptions options;
  options.rebuild = false;
  options.runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/allocates/exercise_03";
  options.limits.memory_bytes = std::size_t{512} << 20;
  options.limits.wall_seconds = 60;
  const CheckResult r = check_exercise(test::workspace(), *find_exercise(3), options);
  const Verdict v = test::gradient(r, "dx").verdict;
  CAPTURE(r.runner.summary);
  CAPTURE(test::gradient(r, "dx").message);
  // Without sanitizers RLIMIT_AS makes the allocation throw (an error: out of memory); under
  // AddressSanitizer the checker watches the resident size and kills it.
  CHECK((v == Verdict::Error || v == Verdict::Killed || v == Verdict::Crashed));
  CHECK(r.runner.wall_seconds < 60.0);
}

// The resident-size watch holds the cap where RLIMIT_AS does not (macOS ignores it; AddressSanitizer
// cannot live under it). Forced here, so the Linux build tests that path too. Each runner that
// allocates has `ulimit -v` 2 GiB above it (but in sanitizer builds), so a watch that failed would
// fail the case (an error, not the memory limit), not swap the machine.
namespace {
const std::string kAllocates = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/allocates/exercise_03";
// The net under the watch. Not in a sanitizer build: its runners reserve terabytes of address space
// for AddressSanitizer's shadow at start and abort under any RLIMIT_AS (there the watch is the cap).
#if defined(BPDOJO_ASAN)
const std::string kNet = "";
#else
const std::string kNet = "ulimit -v 2097152 && ";
#endif
}  // namespace

TEST_CASE("with the resident-size watch forced, allocating without bound is killed at the cap, long before the timeout") {
  CheckOptions options;
  options.rebuild = false;
  options.runner = kAllocates;
  options.command_prefix = {"/bin/sh", "-c", kNet + "exec \"$@\"", "sh"};
  options.limits.memory_bytes = std::size_t{256} << 20;
  options.limits.memory_cap = MemoryCap::Resident;
  options.limits.wall_seconds = 60;
  const CheckResult r = check_exercise(test::workspace(), *find_exercise(3), options);
  CAPTURE(r.runner.summary);
  CHECK(r.runner.end == ProcessResult::End::MemoryLimit);
  CHECK(r.runner.summary == "killed: memory limit 256 MiB");
  CHECK(test::gradient(r, "dx").verdict == Verdict::Killed);
  CHECK(r.runner.wall_seconds < 10.0);
}

TEST_CASE("the resident-size watch counts what a process and its children hold: killed over the cap, never under it") {
  ProcessLimits limits;
  limits.memory_cap = MemoryCap::Resident;
  limits.wall_seconds = 30;
  // A shell that holds 64 MB (the text of a command substitution) for half a second, then exits.
  const std::vector<std::string> holds_64mb = {"/bin/sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' x); sleep 0.5; exit 0"};
  SUBCASE("under the cap it runs to its end") {
    limits.memory_bytes = std::size_t{512} << 20;
    const ProcessResult r = run_process(holds_64mb, limits);
    CHECK(r.end == ProcessResult::End::Exited);
    CHECK(r.exit_code == 0);
  }
  SUBCASE("over the cap it is killed") {
    limits.memory_bytes = std::size_t{32} << 20;
    const ProcessResult r = run_process(holds_64mb, limits);
    CHECK(r.end == ProcessResult::End::MemoryLimit);
    CHECK(r.wall_seconds < 10.0);
  }
  SUBCASE("the allocation is in a child (as under a sandbox): still killed at the cap") {
    // (`; exit 0` keeps the shell from exec'ing the runner in its own place.)
    limits.memory_bytes = std::size_t{256} << 20;
    const ProcessResult r = run_process({"/bin/sh", "-c", kNet + "\"$0\" --fd 3; exit 0", kAllocates}, limits);
    CHECK(r.end == ProcessResult::End::MemoryLimit);
    CHECK(r.wall_seconds < 10.0);
  }
}

TEST_CASE("matrices whose shapes do not fit are an error quoting Eigen's check, not undefined behaviour") {
  const CheckResult r = judge_fixture("mismatch");
  CHECK(r.runner.finished);
  const auto& g = test::gradient(r, "dx");
  CHECK(g.verdict == Verdict::Error);
  CHECK(g.message.find("Eigen: shapes or indices do not fit") != std::string::npos);
}

TEST_CASE("gradients reported before a crash keep their verdict") {
  const std::string runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/crash_after_dx/exercise_02";
  const CheckResult r = test::judge_runner(*find_exercise(2), Flavour::Learner, 3, {}, runner);
  CHECK(test::gradient(r, "dx").verdict == Verdict::Correct);
  CHECK(test::gradient(r, "dW").verdict == Verdict::Crashed);
  CHECK(test::gradient(r, "db").verdict == Verdict::Crashed);
  CHECK(r.correct() == 1);
  CHECK(r.next()->name == "dW");
}

namespace {

// "tests/learners/exercise_03_<what>.cpp:<line>", the line of the fixture marked for the trace:
// read from the source, so editing the fixture cannot leave the test asserting a stale number.
std::string marked_line(const std::string& what) {
  const std::string file = "tests/learners/exercise_03_" + what + ".cpp";
  std::ifstream in(std::string(BPDOJO_TEST_SOURCE_DIR) + "/" + file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find("// <- the trace names this line") != std::string::npos) return file + ":" + std::to_string(n);
  FAIL("no marked line in " << file);
  return "";
}

}  // namespace

TEST_CASE("a runtime failure names the learner's line, under its verdict and in the JSON, and changes no verdict") {
  struct Case {
    const char* fixture;
    Verdict verdict;
    const char* summary;  // part of the runner's summary
    const char* function;
  };
  const Case cases[] = {
      {"segfault", Verdict::Crashed, "SIGSEGV", "tanh_backward"},
      {"null", Verdict::Crashed, "SIGSEGV", "tanh_backward"},
      {"aborts", Verdict::Crashed, "SIGABRT", "tanh_backward"},
      {"throws", Verdict::Error, "finished normally", "tanh_backward"},
      {"eigen_shape", Verdict::Error, "finished normally", "local_gradient"},
  };
  for (const Case& c : cases) {
    SUBCASE(c.fixture) {
      const CheckResult r = judge_fixture(c.fixture);
      const std::string where = marked_line(c.fixture);
      const auto& g = test::gradient(r, "dx");
      CAPTURE(where);
      CAPTURE(r.runner.summary);
      CHECK(g.verdict == c.verdict);
      CHECK(r.runner.summary.find(c.summary) != std::string::npos);
      if (!BPDOJO_RUNNER_TRACES) {  // macOS, AddressSanitizer: the verdict alone
        CHECK(g.at.empty());
        continue;
      }
      const std::string text = text_report(r, Style{});
      CAPTURE(text);
      // Right under the verdict's message: "at tests/learners/exercise_03_segfault.cpp:9 in tanh_backward".
      const std::size_t message = text.find(g.message + "\n");
      REQUIRE(message != std::string::npos);
      const std::size_t next = text.find_first_not_of(' ', message + g.message.size() + 1);
      CHECK(text.substr(next, text.find('\n', next) - next) == "at " + where + " in " + c.function);
      CHECK(json_report(r).find("\"at\":\"" + where + " in " + c.function + "\"") != std::string::npos);
    }
  }
}

TEST_SUITE_END();
