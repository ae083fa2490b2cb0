// Never a false verdict: what the checker makes of a run that stopped early, stopped oddly or said
// too much. These judge protocol streams
// written here (no runner, no build): each takes well under a second.
#include "report.hpp"
#include "support.hpp"

#include "bpdojo/protocol.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <limits>

using namespace bpdojo;

namespace {

// A runner's protocol output: the header, then `lines` (each with its newline).
std::string stream(const std::string& lines) { return protocol::header_line() + lines; }

std::string tensor_line(const std::string& name, const Matrix& value) {
  return protocol::encode_tensor(name, shape_of(value), value.data());
}

// Judges `bytes` as the output of a runner of exercise `number` that ended as `process` says.
CheckResult judge_stream(int number, const std::string& bytes, ProcessResult process = {}, const Sizes& sizes = {}) {
  const ExerciseInfo& info = *find_exercise(number);
  CheckResult r;
  r.info = &info;
  r.seed = kDefaultSeed;
  r.sizes = complete_sizes(info, sizes);
  if (process.end == ProcessResult::End::FailedToStart) process.end = ProcessResult::End::Exited, process.exit_code = 0;
  const protocol::ParseResult parsed = protocol::parse(bytes);
  r.runner = runner_status(process, parsed, ProcessLimits{});
  judge(r, parsed);
  return r;
}

// The checker's own gradient of `name` for exercise `number` (what a correct learner reports).
Matrix true_gradient(int number, const std::string& name) {
  const CheckResult r = judge_stream(number, stream("end\n"));
  return test::gradient(r, name).numeric.value;
}

}  // namespace

TEST_CASE("gradients after the line that threw are not reached, never an error inherited from it") {
  // linear_backward threw at its first line (dx = dy * W, a shape error): dW and db never ran.
  const std::string text = "Eigen: size mismatch in a product (8x16 times 8x16)";
  const std::string enc = protocol::percent_encode(text);
  const CheckResult r = judge_stream(2, stream("error dx " + enc + "\nerror dW " + enc + "\nerror db " + enc + "\nend\n"));
  const GradientResult& dx = test::gradient(r, "dx");
  CHECK(dx.verdict == Verdict::Error);
  CHECK(dx.line_wrong);
  for (const char* name : {"dW", "db"}) {
    CAPTURE(name);
    const GradientResult& g = test::gradient(r, name);
    CHECK(g.verdict == Verdict::NotImplemented);
    CHECK(g.message.find("not reached") != std::string::npos);
    CHECK(g.inherits.empty());
    CHECK_FALSE(g.line_wrong);
  }
  const std::string report = text_report(r, Style{});
  CHECK(report.find("this line is right") == std::string::npos);
  CHECK(report.find("0/3 correct - the wrong line: dx") != std::string::npos);
}

TEST_CASE("a TODO labels only the gradient it names exactly, not those whose name begins the same") {
  // mlp_backward stopped at TODO("dcounts_sum_inv"): dcounts_sum and dcounts were not reached.
  std::string lines;
  for (const char* name : {"dcounts_sum_inv", "dcounts_sum", "dcounts"}) lines += std::string("notimpl ") + name + " dcounts_sum_inv\n";
  const CheckResult r = judge_stream(6, stream(lines + "end\n"));
  CHECK(test::gradient(r, "dcounts_sum_inv").message == "TODO(\"dcounts_sum_inv\")");
  for (const char* name : {"dcounts_sum", "dcounts"}) {
    CAPTURE(name);
    const GradientResult& g = test::gradient(r, name);
    CHECK(g.verdict == Verdict::NotImplemented);
    CHECK(g.message == "not reached: mlp_backward stopped at TODO(\"dcounts_sum_inv\")");
  }
}

TEST_CASE("a message after end makes the run malformed: what it names is not judged, and the run is not complete") {
  const Matrix dx = true_gradient(3, "dx");
  const CheckResult honest = judge_stream(3, stream(tensor_line("dx", dx) + "end\n"));
  REQUIRE(honest.complete());
  const CheckResult r = judge_stream(3, stream(tensor_line("dx", dx) + "end\n" + tensor_line("dx", dx)));
  const GradientResult& g = test::gradient(r, "dx");
  CHECK(g.verdict == Verdict::Crashed);
  CHECK(g.message.find("malformed protocol") != std::string::npos);
  CHECK_FALSE(r.ran_normally());
  CHECK_FALSE(r.complete());
  const std::string report = text_report(r, Style{});
  CHECK(report.find("runner: finished, then wrote malformed protocol output (line 4: message after end)") != std::string::npos);
  // Something after end that names no gradient still makes the run malformed.
  const CheckResult garbage = judge_stream(3, stream(tensor_line("dx", dx) + "end\nlaunch missiles\n"));
  CHECK(test::gradient(garbage, "dx").verdict == Verdict::Correct);
  CHECK_FALSE(garbage.complete());
}

TEST_CASE("every gradient correct and then a crash, an exit without end or a timeout is not complete, and the summary says so") {
  const std::string correct = stream(tensor_line("dx", true_gradient(3, "dx")));
  ProcessResult aborted;
  aborted.end = ProcessResult::End::Signaled;
  aborted.signal = SIGABRT;
  ProcessResult exited;
  exited.end = ProcessResult::End::Exited;
  exited.exit_code = 0;
  ProcessResult timed_out;
  timed_out.end = ProcessResult::End::TimedOut;
  for (const ProcessResult& process : {aborted, exited, timed_out}) {
    const CheckResult r = judge_stream(3, correct, process);
    CAPTURE(r.runner.summary);
    CHECK(r.all_correct());
    CHECK_FALSE(r.ran_normally());
    CHECK_FALSE(r.complete());
    const std::string report = text_report(r, Style{});
    CHECK(report.find("1/1 correct - but the run did not finish normally: " + r.runner.summary) != std::string::npos);
  }
  const CheckResult finished = judge_stream(3, correct + "end\n");
  CHECK(finished.complete());
  CHECK(text_report(finished, Style{}).find("did not finish normally") == std::string::npos);
}

TEST_CASE("after a compile error the summary names no next gradient, in text and JSON") {
  const ExerciseInfo& info = *find_exercise(6);
  CheckResult r;
  r.info = &info;
  r.sizes = complete_sizes(info, {});
  r.build.ok = false;
  r.build.errors = {"exercises/exercise_06_mlp.cpp:80:3: error: expected ';'"};
  for (const auto& spec : info.gradients) {
    GradientResult g;
    g.name = spec.name;
    g.verdict = Verdict::CompileError;
    r.gradients.push_back(g);
  }
  CHECK(r.next() == nullptr);
  CHECK_FALSE(r.complete());
  const std::string text = text_report(r, Style{});
  CHECK(text.find("next:") == std::string::npos);
  CHECK(text.find("0/26 correct - exercise_06_mlp.cpp does not compile") != std::string::npos);
  CHECK(json_report(r).find("\"next\":null") != std::string::npos);
  CHECK(progress_text({r}, Style{}).find("next:") == std::string::npos);
}
