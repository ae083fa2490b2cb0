// The stricter judge on answers made by hand from the reference solution's: a small error in a small
// gradient is not absorbed by another gradient's size, and a line is blamed only when its own local
// check fails.
#include "support.hpp"

#include <doctest/doctest.h>

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
