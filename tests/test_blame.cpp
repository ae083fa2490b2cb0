// The stricter judge on answers made by hand from the reference solution's: a small error in a small
// gradient is not absorbed by another gradient's size, and a line is blamed only when its own local
// check fails.
#include "judge/diagnose.hpp"
#include "learner/report.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace bpdojo;

namespace {

// What a runner would have said: every gradient of `reference`, each scaled by the factor given
// for it (1 for the others).
protocol::ParseResult answers(const CheckResult& reference, const std::map<std::string, double>& scale) {
  protocol::ParseResult out;
  for (const auto& g : reference.gradients) {
    REQUIRE(g.analytic);
    protocol::Message m;
    m.kind = protocol::Kind::Tensor;
    m.name = g.name;
    m.tensor = *g.analytic;
    const auto it = scale.find(g.name);
    if (it != scale.end()) m.tensor.value *= it->second;
    out.messages.push_back(m);
  }
  protocol::Message end;
  end.kind = protocol::Kind::End;
  out.messages.push_back(end);
  out.ended = true;
  return out;
}

CheckResult judged(const CheckResult& reference, const protocol::ParseResult& parsed) {
  CheckResult r;
  r.info = reference.info;
  r.seed = reference.seed;
  r.sizes = reference.sizes;
  r.runner = reference.runner;
  judge(r, parsed);
  return r;
}

}  // namespace

TEST_CASE("a 1e-5 error in a small gradient is not absorbed by a large one: dlogits_fused at N=64, V=200" *
          doctest::test_suite("e2e")) {
  // The floor is each gradient's own: dprobs reaches 290 here, dlogits_fused 0.016.
  const ExerciseInfo& info = *find_exercise(4);
  const CheckResult reference = test::judge_runner(info, Flavour::Solution, 0, {{"N", 64}, {"V", 200}});
  REQUIRE(reference.all_correct());
  const CheckResult r = judged(reference, answers(reference, {{"dlogits_fused", 1.0 + 1e-5}}));
  const GradientResult& g = test::gradient(r, "dlogits_fused");
  CHECK(g.verdict == Verdict::Wrong);
  REQUIRE(g.comparison);
  CHECK(g.comparison->rel_error == doctest::Approx(1e-5).epsilon(0.01));
  CHECK(g.line_wrong);
  CHECK(r.correct() == static_cast<int>(r.gradients.size()) - 1);
}

TEST_CASE("errors below the bar that add up are not blamed on a right line, and get no diagnosis" *
          doctest::test_suite("e2e")) {
  // Each of three lines adds 4e-9 (below the bar, 1e-8) to what it is given: the third gradient is
  // 1.2e-8 off, while its own line passes its local check.
  const ExerciseInfo& info = *find_exercise(4);
  const CheckResult reference = test::judge_runner(info, Flavour::Solution, 0);
  REQUIRE(reference.all_correct());
  const double e = 4e-9;
  const CheckResult r =
      judged(reference, answers(reference, {{"dlogprobs", 1 + e}, {"dprobs", (1 + e) * (1 + e)},
                                            {"dcounts_sum_inv", (1 + e) * (1 + e) * (1 + e)}}));
  CHECK(test::gradient(r, "dlogprobs").verdict == Verdict::Correct);
  CHECK(test::gradient(r, "dprobs").verdict == Verdict::Correct);
  const GradientResult& g = test::gradient(r, "dcounts_sum_inv");
  CHECK(g.verdict == Verdict::Wrong);
  REQUIRE(g.local);
  CHECK(g.local->correct);
  CHECK_FALSE(g.line_wrong);
  CHECK(g.below_bar_upstream);
  CHECK((g.inherits == "dlogprobs" || g.inherits == "dprobs"));
  CHECK_FALSE(g.diagnosis);
  // What is computed from it inherits the same way, and no line of the function is blamed.
  CHECK(r.wrong_lines().empty());
  for (const auto& other : r.gradients) {
    CAPTURE(other.name);
    if (other.verdict == Verdict::Wrong) CHECK(other.below_bar_upstream);
    CHECK_FALSE(other.diagnosis);
  }
}

TEST_CASE("an error above the bar in one line is blamed on that line, and what follows inherits it" *
          doctest::test_suite("e2e")) {
  const ExerciseInfo& info = *find_exercise(4);
  const CheckResult reference = test::judge_runner(info, Flavour::Solution, 0);
  // dprobs 1e-5 off and dcounts_sum_inv computed from it: the first is the wrong line.
  const CheckResult r = judged(reference, answers(reference, {{"dprobs", 1 + 1e-5}, {"dcounts_sum_inv", 1 + 1e-5}}));
  CHECK(test::gradient(r, "dprobs").line_wrong);
  const GradientResult& g = test::gradient(r, "dcounts_sum_inv");
  CHECK(g.verdict == Verdict::Wrong);
  CHECK_FALSE(g.line_wrong);
  CHECK_FALSE(g.below_bar_upstream);
  CHECK(g.inherits == "dprobs");
  CHECK_FALSE(g.diagnosis);
}

namespace {

// A catalogue entry's runner (tests/mistakes/catalogue.cmake), judged.
CheckResult judge_mistake(int number, const std::string& name, std::uint64_t seed = 0, const Sizes& sizes = {}) {
  char nn[8];
  std::snprintf(nn, sizeof nn, "%02d", number);
  return test::judge_runner(*find_exercise(number), Flavour::Learner, seed, sizes,
                            std::string(BPDOJO_TEST_BUILD_DIR) + "/mistakes/" + name + "/exercise_" + nn);
}

}  // namespace

TEST_CASE("a wrong line is diagnosed against the learner's own upstream gradients, not the cascade: dC overwritten after a wrong dcounts_sum" *
          doctest::test_suite("e2e.catalogue")) {
  // Against the true dC (every row off through dcounts_sum) this was "7 of 27 rows are right".
  const CheckResult r = judge_mistake(6, "mlp_two_wrong_lines");
  const GradientResult& g = test::gradient(r, "dC");
  REQUIRE(g.line_wrong);
  REQUIRE(g.diagnosis);
  CHECK(g.diagnosis->kind == "index_accumulation");
  CHECK(g.diagnosis->text.find("given your demb, which is wrong") != std::string::npos);
}

TEST_CASE("no row or column pattern from a label's entries: the fused softmax without the one-hot" * doctest::test_suite("e2e.catalogue")) {
  // Only the (n, Y[n]) entries are wrong; the absent classes' columns were "8 of 27 columns are right".
  const CheckResult r = judge_mistake(4, "ce_fused_forgot_one_hot");
  const GradientResult& g = test::gradient(r, "dlogits_fused");
  CHECK(g.verdict == Verdict::Wrong);
  CHECK_FALSE(g.diagnosis);
}

TEST_CASE("no column pattern for a nearly uniform scale: batch norm fused without n/(n-1) at N=512" * doctest::test_suite("e2e.catalogue")) {
  // Seed 388: off by about 1e-4 everywhere, one column below the bar by chance ("1 of 16 columns are right").
  const CheckResult r = judge_mistake(5, "bn_fused_without_bessel", 388, {{"N", 512}});
  const GradientResult& g = test::gradient(r, "dhprebn_fused");
  CHECK(g.verdict == Verdict::Wrong);
  CHECK_FALSE(g.diagnosis);
}

TEST_CASE("a ratio of any size letter: a mean over V in dcounts_sum_inv is 1/V" * doctest::test_suite("e2e.catalogue")) {
  const CheckResult r = judge_mistake(4, "ce_dcounts_sum_inv_mean");
  const GradientResult& g = test::gradient(r, "dcounts_sum_inv");
  REQUIRE(g.diagnosis);
  CHECK(g.diagnosis->kind == "over_v");
  CHECK(g.diagnosis->text.find("1/V = 1/27") != std::string::npos);
}

TEST_CASE("a line zero in both is no evidence: a row pattern counts the others only" * doctest::test_suite("unit")) {
  // Row 0 zero in both, row 1 right, row 2 missed (zeros): 1 of 2 rows right, 1 more zero.
  DiagnosisInput in;
  in.name = "dX";
  in.numeric = Tensor(Shape{3, 2}, (Matrix(3, 2) << 0.0, 0.0, 1.0, 2.0, 3.0, 4.0).finished());
  in.analytic = (Matrix(3, 2) << 0.0, 0.0, 1.0, 2.0, 0.0, 0.0).finished();
  const auto d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "rows");
  CHECK(d->text.rfind("1 of 2 rows are right (1 more are zero in both)", 0) == 0);
}

TEST_CASE("a stacked gradient says which of its blocks are wrong and where its worst element is: the path through the next step dropped" *
          doctest::test_suite("e2e.catalogue")) {
  // dh_t without da_{t+1} Whh^T: right at the last step only, wrong at every one before it.
  const CheckResult r = judge_mistake(13, "rnn_recurrent_path_dropped");
  const GradientResult& dh = test::gradient(r, "dh");
  REQUIRE(dh.verdict == Verdict::Wrong);
  CHECK(dh.line_wrong);
  const auto T = static_cast<int>(dh.floors.size());
  REQUIRE(T > 2);
  CHECK(dh.expected_shape == Shape{T * 8, 16});
  const std::string blocks = std::to_string(T - 1) + " of " + std::to_string(T) + " blocks";
  CHECK(dh.message == "wrong in h@1..h@" + std::to_string(T - 1) + " (" + blocks + "; the others are right)");
  REQUIRE(dh.comparison);
  const std::int64_t row = dh.comparison->worst_index.at(0);
  CHECK(row < (T - 1) * 8);
  const std::string report = text_report(r, Style{});
  CHECK(report.find("(h@" + std::to_string(row / 8 + 1) + ", row " + std::to_string(row % 8) + "): yours") != std::string::npos);
  CHECK(report.find("wrong in h@1..h@" + std::to_string(T - 1)) != std::string::npos);
  // dlogits, a stack whose every block is right, is correct; da is wrong where dh is.
  CHECK(test::gradient(r, "dlogits").verdict == Verdict::Correct);
  CHECK(test::gradient(r, "da").message == "wrong in a@1..a@" + std::to_string(T - 1) + " (" + blocks + "; the others are right)");
}

TEST_CASE("a gradient that is not zero where the loss cannot reach is named: a causal mask's positions" * doctest::test_suite("unit")) {
  // A (3,3) block of attention scores, s > t masked: the true gradient exactly 0 above the diagonal.
  DiagnosisInput in;
  in.name = "dscores";
  in.numeric = Tensor(Shape{3, 3}, (Matrix(3, 3) << 0.0, 0.0, 0.0, -0.5, 0.5, 0.0, 0.25, -1.0, 0.75).finished());
  in.analytic = in.numeric.value;
  in.analytic(0, 2) = 0.3;
  in.analytic(1, 2) = -0.1;
  const auto d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "masked");
  CHECK(d->text.rfind("2 elements of your dscores are not zero where the true one is exactly 0", 0) == 0);
  // Small values the finite differences give where the loss does depend: no mask.
  in.numeric.value(0, 2) = 1e-30;
  in.numeric.value(1, 2) = -1e-30;
  CHECK_FALSE(diagnose(in));
  // Every element zero in the true one: nothing to contrast with (the "zeros" case is the learner's).
  in.numeric.value.setZero();
  const auto all = diagnose(in);
  CHECK((!all || all->kind != "masked"));
}

TEST_CASE("a ratio of a size letter's square root: attention's 1/sqrt(D) left out, or 1/D in its place" * doctest::test_suite("unit")) {
  DiagnosisInput in;
  in.name = "dk";
  in.sizes = {{"B", 2}, {"T", 6}, {"D", 8}};
  in.numeric = Tensor(Shape{2, 2}, (Matrix(2, 2) << 1.0, -2.0, 0.5, 3.0).finished());
  in.analytic = in.numeric.value * std::sqrt(8.0);
  auto d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "times_sqrt_d");
  CHECK(d->text.find("sqrt(D) = 2.83 times") != std::string::npos);
  in.analytic = in.numeric.value / std::sqrt(8.0);
  d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "over_sqrt_d");
  // A whole letter still reads as the letter: 1/D is over_d, not a root.
  in.analytic = in.numeric.value / 8.0;
  d = diagnose(in);
  REQUIRE(d);
  CHECK(d->kind == "over_d");
}
