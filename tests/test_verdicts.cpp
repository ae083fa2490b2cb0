// Never a false verdict: what the checker makes of a run that stopped early, stopped oddly or said
// too much, and exercise 08's update judged parameter by parameter. These judge protocol streams
// written here (no runner, no build): each takes well under a second.
#include "learner/report.hpp"
#include "support.hpp"
#include "judge/paths.hpp"
#include "judge/training.hpp"

#include "problems/exercise_08_train.hpp"
#include "problems/exercise_17_optimizers.hpp"
#include "bpdojo/protocol.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <limits>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

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
  if (info.trains) judge_update(r, parsed);
  return r;
}

// The checker's own gradient of `name` for exercise `number` (what a correct learner reports).
Matrix true_gradient(int number, const std::string& name) {
  const CheckResult r = judge_stream(number, stream("end\n"));
  return test::gradient(r, name).numeric.value;
}

// Exercise 08's update check as a learner's sgd_step would report it, with `step` doing the update.
template <class Step>
std::string update_stream(Step step) {
  const UpdateCheck u = exercise_08_update_check(kDefaultSeed, complete_sizes(*find_exercise(8), {}));
  MlpParams p = u.start;
  std::string lines;
  for (int call = 1; call <= 2; ++call) {
    step(p, call == 1 ? u.g1 : u.g2, call == 1 ? u.lr1 : u.lr2, u.g1);
    for (const auto& [name, field] : kMlpParams) lines += tensor_line("update." + std::to_string(call) + "." + name, p.*field);
  }
  return stream(lines + "end\n");
}

void exact_update(MlpParams& p, const MlpParamGrads& g, double lr) {
  for (std::size_t k = 0; k < kMlpParams.size(); ++k) p.*(kMlpParams[k].field) -= lr * (g.*(kMlpParamGrads[k]));
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
  // One line each in the report: the first says why, the next only that it was not reached.
  const std::string report = text_report(r, Style{});
  const auto row_of = [&](const std::string& name) {
    const std::size_t at = report.find("\n  " + name + " ");
    REQUIRE(at != std::string::npos);
    const std::size_t end = report.find('\n', at + 1), next = report.find('\n', end + 1);
    return std::make_pair(report.substr(at + 1, end - at - 1), report.substr(end + 1, next - end - 1));
  };
  const auto [first, under_first] = row_of("dcounts_sum");
  CHECK(first.find("not reached: mlp_backward stopped at TODO(\"dcounts_sum_inv\")") != std::string::npos);
  CHECK(under_first.rfind("  dcounts ", 0) == 0);  // no second line under it
  const auto [second, under_second] = row_of("dcounts");
  CHECK(second.find("not reached") != std::string::npos);
  CHECK(second.find("stopped at") == std::string::npos);
  CHECK(under_second.rfind("  dnorm_logits ", 0) == 0);
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

TEST_CASE("exercise 08: a correct sgd_step passes one row per parameter, rounding of another order of operations included") {
  const CheckResult r = judge_stream(8, update_stream([](MlpParams& p, const MlpParamGrads& g, double lr, const MlpParamGrads&) {
    exact_update(p, g, lr);
  }));
  int rows = 0;
  for (const auto& gr : r.gradients) {
    if (gr.name.rfind("update.", 0) != 0) continue;
    ++rows;
    CAPTURE(gr.name);
    CHECK(gr.verdict == Verdict::Correct);
  }
  CHECK(rows == 7);
  // A fused multiply-add (what -ffp-contract may make of p - lr * g) rounds once, not twice: still right.
  const CheckResult fused = judge_stream(8, update_stream([](MlpParams& p, const MlpParamGrads& g, double lr, const MlpParamGrads&) {
    for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
      Matrix& w = p.*(kMlpParams[k].field);
      const Matrix& d = g.*(kMlpParamGrads[k]);
      for (Index i = 0; i < w.size(); ++i) w.data()[i] = std::fma(-lr, d.data()[i], w.data()[i]);
    }
  }));
  int differs = 0;  // the fused update is not bit for bit the plain one somewhere
  {
    const UpdateCheck u = exercise_08_update_check(kDefaultSeed, complete_sizes(*find_exercise(8), {}));
    for (Index i = 0; i < u.start.W1.size(); ++i)
      differs += std::fma(-u.lr1, u.g1.dW1.data()[i], u.start.W1.data()[i]) != u.start.W1.data()[i] - u.lr1 * u.g1.dW1.data()[i];
  }
  CHECK(differs > 0);
  const CheckResult& other = fused;
  for (const auto& gr : other.gradients) {
    CAPTURE(gr.name);
    if (gr.name.rfind("update.", 0) == 0) CHECK(gr.verdict == Verdict::Correct);
  }
}

TEST_CASE("exercise 08: an sgd_step that never updates b2 fails the row of b2, and the diagnosis names it") {
  const CheckResult r = judge_stream(8, update_stream([](MlpParams& p, const MlpParamGrads& g, double lr, const MlpParamGrads&) {
    const Matrix b2 = p.b2;
    exact_update(p, g, lr);
    p.b2 = b2;
  }));
  const GradientResult& b2 = test::gradient(r, "update.b2");
  CHECK(b2.verdict == Verdict::Wrong);
  REQUIRE(b2.diagnosis);
  CHECK(b2.diagnosis->kind == "not_updated");
  CHECK(b2.diagnosis->text.rfind("b2 did not move", 0) == 0);
  REQUIRE(b2.comparison);
  CHECK(b2.comparison->rel_error >= 100 * kThreshold);
  for (const auto& gr : r.gradients) {
    CAPTURE(gr.name);
    if (gr.name.rfind("update.", 0) == 0 && gr.name != "update.b2") CHECK(gr.verdict == Verdict::Correct);
  }
  CHECK_FALSE(r.all_correct());
}

TEST_CASE("exercise 08: an sgd_step that applies the previous call's gradient fails every row, and says so") {
  const CheckResult r = judge_stream(8, update_stream([](MlpParams& p, const MlpParamGrads& g, double lr, const MlpParamGrads& first) {
    static int calls = 0;
    exact_update(p, ++calls == 1 ? g : first, lr);  // the second call applies the first call's gradient
  }));
  int wrong = 0;
  for (const auto& gr : r.gradients) {
    if (gr.name.rfind("update.", 0) != 0) continue;
    CAPTURE(gr.name);
    CHECK(gr.verdict == Verdict::Wrong);
    REQUIRE(gr.diagnosis);
    CHECK(gr.diagnosis->kind == "previous_gradient");
    wrong += gr.verdict == Verdict::Wrong ? 1 : 0;
  }
  CHECK(wrong == 7);
}

TEST_CASE("exercise 08: an update of the wrong sign or a TODO in sgd_step is a verdict per parameter") {
  const CheckResult sign = judge_stream(8, update_stream([](MlpParams& p, const MlpParamGrads& g, double lr, const MlpParamGrads&) {
    exact_update(p, g, -lr);
  }));
  const GradientResult& w1 = test::gradient(sign, "update.W1");
  CHECK(w1.verdict == Verdict::Wrong);
  REQUIRE(w1.diagnosis);
  CHECK(w1.diagnosis->kind == "sign");
  std::string lines;
  for (const char* call : {"update.1.", "update.2."})
    for (const auto& f : kMlpParams) lines += std::string("notimpl ") + call + f.name + " the%20update\n";
  const CheckResult todo = judge_stream(8, stream(lines + "end\n"));
  CHECK(test::gradient(todo, "update.C").verdict == Verdict::NotImplemented);
  CHECK(test::gradient(todo, "update.C").message == "TODO(\"the update\")");
}

TEST_SUITE_END();

TEST_CASE("watch's screen: the summary and the first wrong gradient on top, and it fits the terminal" * doctest::test_suite("unit")) {
  // Exercise 06 with dlogprobs twice the true one and the run stopped at dprobs's TODO.
  const Matrix d = true_gradient(6, "dlogprobs");
  const CheckResult r = judge_stream(6, stream(tensor_line("dlogprobs", 2.0 * d) + "notimpl dprobs dprobs\nend\n"));
  const std::string footer = "\nwatching exercises/exercise_06_mlp.cpp: save it to check again; q quits\n";
  const std::string screen = watch_screen(r, Style{}, 14, footer);
  CAPTURE(screen);
  CHECK(std::count(screen.begin(), screen.end(), '\n') <= 13);  // the 14th row: the cursor
  CHECK(screen.rfind("0/26 correct", 0) == 0);
  const std::size_t second = screen.find('\n') + 1;
  CHECK(screen.compare(second, 12, "  dlogprobs ") == 0);
  CHECK(screen.find("wrong", second) < screen.find('\n', second));
  CHECK(screen.find("more lines: `checker exercise_06` prints the whole report") != std::string::npos);
  CHECK(screen.size() >= footer.size());
  CHECK(screen.compare(screen.size() - footer.size(), footer.size(), footer) == 0);
  // Not on a terminal (no rows): the whole report under the same top.
  const std::string whole = watch_screen(r, Style{}, 0, footer);
  CHECK(whole.find(text_report(r, Style{})) != std::string::npos);
  CHECK(whole.find("more lines") == std::string::npos);
}

TEST_CASE("a layer's gradients wrong together through the upstream gradient it is handed name no shared mistake" * doctest::test_suite("unit")) {
  // Exercise 05: dbngain and dbnbias both negated. Both come only from hpreact, but dhpreact is
  // handed in, not worked out: each line is its own (part (b) of 01, where the shared dz1 is the
  // learner's, is tests/test_mistakes.cpp).
  std::string lines;
  for (const auto& spec : find_exercise(5)->gradients) {
    const Matrix right = true_gradient(5, spec.name);
    lines += tensor_line(spec.name, spec.name == "dbngain" || spec.name == "dbnbias" ? Matrix(-right) : right);
  }
  const CheckResult r = judge_stream(5, stream(lines + "end\n"));
  for (const char* name : {"dbngain", "dbnbias"}) {
    CAPTURE(name);
    const GradientResult& g = test::gradient(r, name);
    CHECK(g.verdict == Verdict::Wrong);
    CHECK(g.line_wrong);
    CHECK(g.shared_source.empty());
  }
  CHECK(text_report(r, Style{}).find("wrong together") == std::string::npos);
}

// Exercise 17's updates are judged exactly, each row on its own bar of 1e-13: the numeric reference
// (a graph affine in its leaves) is the workbook's long-double update, a value off by 1e-11 of
// itself fails, and a classic slip recomputed is named.
namespace {

// Every row of exercise 17 at seed 0 as the workbook's exact update rounded to double, with
// `change` applied to the row it names (and `slip` recomputing every row).
std::string optimizer_stream(const std::function<void(const std::string&, Matrix&)>& change, Slip slip = Slip::None) {
  const OptimizersInstance in = exercise_17_instance(kDefaultSeed, complete_sizes(*find_exercise(17), {}));
  std::string lines;
  for (const UpdateCase& c : in.cases) {
    const std::vector<RMatrix> values = exact_update(in, c, slip);
    std::vector<std::string> names = {"param"};
    for (const std::string& s : state_names(c.optimizer)) names.push_back(s);
    for (std::size_t k = 0; k < names.size(); ++k) {
      Matrix value = values[k].cast<double>();
      change(c.name + "." + names[k], value);
      lines += tensor_line(c.name + "." + names[k], value);
    }
  }
  return stream(lines + "end\n");
}

}  // namespace

TEST_CASE("exercise 17: each update is judged on its own bar of 1e-13, against the exact value" * doctest::test_suite("unit")) {
  const CheckResult r = judge_stream(17, optimizer_stream([](const std::string&, Matrix&) {}));
  REQUIRE(r.gradients.size() == 24);
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    CHECK(g.threshold == kUpdateThreshold);
    CHECK(g.verdict == Verdict::Correct);
    REQUIRE(g.comparison);
    // The reference is the exact value rounded once: at most half a unit in the last place apart.
    CHECK(g.comparison->rel_error <= 1.2e-16);
    CHECK(g.floor <= 0.1 * g.numeric.value.cwiseAbs().maxCoeff());
  }
  const std::string text = text_report(r, Style{});
  CHECK(json_report(r).find("\"threshold\":1e-13") != std::string::npos);
  CHECK(text.find("threshold 1.0e-13") != std::string::npos);
}

TEST_CASE("exercise 17: an update off by 1e-11 of itself fails, the others still pass" * doctest::test_suite("unit")) {
  const CheckResult r = judge_stream(17, optimizer_stream([](const std::string& name, Matrix& value) {
    if (name == "adam.late.param") value(0, 0) += 1e-11 * value.cwiseAbs().maxCoeff();
  }));
  for (const auto& g : r.gradients) {
    CAPTURE(g.name);
    REQUIRE(g.comparison);
    if (g.name == "adam.late.param") {
      CHECK(g.verdict == Verdict::Wrong);
      CHECK(g.comparison->rel_error >= 0.99e-11);  // the slip, 1e-11 of the largest element, up to rounding
      CHECK(g.line_wrong);
    } else {
      CHECK(g.verdict == Verdict::Correct);
    }
  }
  // At the house's bar of 1e-8 the same slip would pass: the row's own bar is what fails it.
  CHECK(test::gradient(r, "adam.late.param").comparison->rel_error < kThreshold);
}

TEST_CASE("exercise 17: the classic slips, recomputed, are named in the diagnosis" * doctest::test_suite("unit")) {
  const std::pair<Slip, const char*> slips[] = {{Slip::NoBiasCorrection, "no_bias_correction"},
                                                {Slip::EpsInsideSqrt, "eps_inside_sqrt"},
                                                {Slip::DecayInGradient, "decay_in_gradient"},
                                                {Slip::MomentumOnParam, "momentum_on_param"}};
  const std::map<std::string, std::string> row = {{"no_bias_correction", "adam.first.param"},
                                                  {"eps_inside_sqrt", "rmsprop.late.param"},
                                                  {"decay_in_gradient", "adamw.late.m"},
                                                  {"momentum_on_param", "sgd.late.param"}};
  for (const auto& entry : slips) {
    const Slip slip = entry.first;
    const std::string kind = entry.second;  // not a structured binding: CAPTURE's lambda reads it
    CAPTURE(kind);
    const CheckResult r = judge_stream(17, optimizer_stream([](const std::string&, Matrix&) {}, slip));
    const GradientResult& g = test::gradient(r, row.at(kind));
    CHECK(g.verdict == Verdict::Wrong);
    REQUIRE(g.diagnosis);
    CHECK(g.diagnosis->kind == kind);
  }
}

TEST_CASE("exercise 17: a path that stops being finite is drawn up to there, and a malformed one not at all" * doctest::test_suite("unit")) {
  const Matrix ref = reference_path(Optimizer::Adam, kDefaultPathSteps);
  Matrix diverged = ref;
  diverged.bottomRows(kDefaultPathSteps - 50).setConstant(std::numeric_limits<double>::infinity());
  const std::string bytes = stream(tensor_line("path.adam", diverged) + tensor_line("path.sgd", Matrix::Ones(3, 5)) + "end\n");
  CheckResult r = judge_stream(17, bytes, {}, {{"S", kDefaultPathSteps}});
  judge_paths(r, protocol::parse(bytes), "");
  REQUIRE(r.paths);
  CHECK(r.paths->steps == kDefaultPathSteps);
  REQUIRE(r.paths->paths.size() == 5);
  for (const auto& p : r.paths->paths) {
    CAPTURE(p.name);
    CHECK(p.reference.rows() == kDefaultPathSteps + 1);
    CHECK(p.reference.allFinite());
    if (p.name == "adam") {
      CHECK(p.reported);
      CHECK(p.yours.rows() == 51);  // steps 0 to 50
      CHECK(p.yours == ref.topRows(51));
    } else {
      CHECK_FALSE(p.reported);  // sgd's (3, 5) is not a path of (x, y) points
      CHECK(p.yours.rows() == 0);
    }
  }
  const std::string svg = paths_plot_svg(*r.paths);
  CHECK(svg.find("<title>adam, yours (stopped early)</title>") != std::string::npos);
  CHECK(svg.find("<title>sgd, yours") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
}
