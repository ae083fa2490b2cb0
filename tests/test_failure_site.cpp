// The learner's line where a run failed: the `trace` message, picking the learner's frame from
// addr2line's output, and what a trace may never do (change a verdict, need addr2line).
#include "bpdojo/runner.hpp"
#include "judge/failure_site.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace bpdojo;
using namespace bpdojo::protocol;

TEST_SUITE_BEGIN("unit");

TEST_CASE("a trace message round-trips, and its frames are bounded and hex") {
  Message m;
  m.kind = Kind::Trace;
  m.name = "signal";
  m.frames = {0x1a2b, 0, 0xffffffffffffffffULL};
  CHECK(encode(m) == "trace signal 3 1a2b 0 ffffffffffffffff\n");
  ParseResult r = parse(header_line() + encode(m) + "end\n");
  CHECK(r.error.empty());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].kind == Kind::Trace);
  CHECK(r.messages[0].frames == m.frames);

  Limits limits;
  limits.max_frames = 2;
  r = parse(header_line() + "trace error 3 1 2 3\n", limits);
  CHECK(r.error == "line 2: count 3 is over the limit 2");
  for (const char* bad : {"trace error 1 0x1a", "trace error 1 12345678901234567", "trace error 1 -1", "trace error 2 1",
                          "trace error 1 1 2", "trace error 1 g"}) {
    CAPTURE(bad);
    r = parse(header_line() + bad + "\n");
    CHECK_FALSE(r.error.empty());
    CHECK(r.messages.empty());
  }
}

TEST_CASE("the failure site is the first place in the learner's exercise file, else the innermost with a line") {
  // addr2line -a -f -C -i: an Eigen size check inlined into a helper of the learner's.
  const std::string eigen =
      "0x0000000000005fff\n"
      "bpdojo::detail::eigen_assert_failed(char const*, char const*, int)\n"
      "/w/workbook/src/eigen.cpp:12\n"
      "0x000000000000db23\n"
      "Eigen::CwiseBinaryOp<Eigen::internal::scalar_sum_op<double, double>, A, B>::CwiseBinaryOp(A const&, B const&)\n"
      "/usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h:116\n"
      "bpdojo::(anonymous namespace)::local_gradient(Eigen::Matrix<double, -1, -1, 1, -1, -1> const&)\n"
      "/w/exercises/exercise_03_tanh.cpp:9 (discriminator 2)\n"
      "bpdojo::tanh_backward(bpdojo::TanhCache const&)\n"
      "/w/exercises/exercise_03_tanh.cpp:14\n";
  CHECK(pick_failure_site(eigen, 3, "/w") == "exercises/exercise_03_tanh.cpp:9 in local_gradient");
  // Outside the root (grading's scratch folder) the learner's file goes by its name; another
  // exercise's file is not the learner's.
  CHECK(pick_failure_site(eigen, 3, "/elsewhere") == "exercise_03_tanh.cpp:9 in local_gradient");
  CHECK(pick_failure_site(eigen, 4, "/elsewhere") == "/w/workbook/src/eigen.cpp:12 in eigen_assert_failed");
  CHECK(pick_failure_site(eigen, 4, "/w") == "workbook/src/eigen.cpp:12 in eigen_assert_failed");
  // The workbook's own problem file shares the learner's file name: never the learner's.
  const std::string problem =
      "0x10\nbpdojo::exercise_03_instance(unsigned long)\n/w/workbook/problems/exercise_03_tanh.cpp:30\n"
      "0x20\nmain\n/w/workbook/src/runner_main.cpp:70\n";
  CHECK(pick_failure_site(problem, 3, "/w") == "workbook/problems/exercise_03_tanh.cpp:30 in exercise_03_instance");
  // No line anywhere, or nothing at all: nothing to say.
  CHECK(pick_failure_site("0x10\n??\n??:0\n0x20\n_start\n??:?\n", 3, "/w").empty());
  CHECK(pick_failure_site("", 3, "/w").empty());
  // Learner-made debug information is untrusted text: printable, bounded.
  const std::string hostile = "0x10\nf\033[2J" + std::string(5000, 'x') + "\n/w/exercises/exercise_03_\001.cpp:7\n";
  const std::string site = pick_failure_site(hostile, 3, "/w");
  CHECK(site.rfind("exercises/exercise_03_?.cpp:7 in f?[2J", 0) == 0);
  CHECK(site.size() < 400);
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("e2e");

TEST_CASE("a trace never changes a verdict, and without addr2line the report says nothing more") {
  const ExerciseInfo& info = *find_exercise(3);
  const std::string segfault = std::string(BPDOJO_TEST_BUILD_DIR) + "/fixtures/segfault/exercise_03";
  SUBCASE("forged traces, even one named like a gradient, leave a correct gradient correct") {
    const CheckResult reference = test::judge_runner(info, Flavour::Solution, kDefaultSeed);
    REQUIRE(reference.all_correct());
    std::string stream = header_line() + encode_tensor("dx", reference.gradients[0].analytic->shape,
                                                       reference.gradients[0].analytic->data());
    stream += "trace dx 1 0\ntrace error 2 deadbeef 0\ntrace signal 1 1\nend\n";
    const ParseResult parsed = parse(stream);
    REQUIRE(parsed.error.empty());
    CheckResult r;
    r.info = &info;
    r.seed = reference.seed;
    r.sizes = reference.sizes;
    r.runner = reference.runner;
    judge(r, parsed);
    attach_failure_sites(r, parsed, segfault, BPDOJO_TEST_SOURCE_DIR);
    CHECK(test::gradient(r, "dx").verdict == Verdict::Correct);
    CHECK(test::gradient(r, "dx").at.empty());
    CHECK(r.runner.crashed_at.empty());  // the run did not die of a signal
  }
  SUBCASE("addr2line runs behind the run's sandbox prefix: one that runs nothing leaves no site") {
    if (!BPDOJO_RUNNER_TRACES) return;  // (runners built without traces: nothing to resolve)
    ProcessLimits limits;
    limits.wall_seconds = 20.0;
    const ProcessResult pr = run_process({segfault, "--fd", "3"}, limits);
    const ParseResult parsed = parse(pr.protocol);
    CheckResult r;
    r.info = &info;
    r.runner.end = ProcessResult::End::Signaled;
    attach_failure_sites(r, parsed, segfault, BPDOJO_TEST_SOURCE_DIR);
    CHECK(r.runner.crashed_at.find("exercise_03_segfault.cpp:") != std::string::npos);
    r.runner.crashed_at.clear();
    attach_failure_sites(r, parsed, segfault, BPDOJO_TEST_SOURCE_DIR, {"/bin/false"}, limits);
    CHECK(r.runner.crashed_at.empty());
  }
  SUBCASE("no addr2line on PATH: the crash verdict, and no site") {
    const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    setenv("PATH", "/nonexistent", 1);
    const CheckResult r = test::judge_runner(info, Flavour::Learner, kDefaultSeed, {}, segfault, 20.0);
    setenv("PATH", path.c_str(), 1);
    CHECK(test::gradient(r, "dx").verdict == Verdict::Crashed);
    CHECK(test::gradient(r, "dx").at.empty());
    CHECK(r.runner.crashed_at.empty());
  }
}

TEST_SUITE_END();
