// The checker's numeric reference against ground truth: for every exercise, over seeds and the
// sizes at the edges of what is allowed and of what grading draws, the gradients the checker judges
// by (fd::backward: local differences chained from the loss) agree with global finite differences
// of the loss (fd::gradient: everything downstream recomputed, walked to the smallest error the
// stencil reaches), both in long double, to 1e-11 in the judge's own measure (compare.hpp:
// max|difference| / max(max|n|, floor)). The pass bar is 1e-8: the reference is 1000x below it.
// Where a gradient is many orders of magnitude below the loss (batch norm over a batch of 2 leaves
// almost nothing to flow back), a global difference of the loss cannot resolve 1e-11 of it: there
// the reference must agree to within 4x the ground truth's own estimated error, and the test says
// how many elements that was. Where an exercise fuses batch norm into one formula (07 and 08), the
// reference comes from the same function with batch norm in the lecture's steps
// (Graph::set_reference_twin) and the ground truth differences the fused graph's own loss.
#include "support.hpp"

#include "judge/finite_diff.hpp"

#include "bpdojo/rng.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace bpdojo;

namespace {

constexpr double kGroundTruthAgreement = 1e-11;

// The elements a gradient is checked on: its largest in magnitude, and `random` more.
std::vector<std::int64_t> elements(const RMatrix& numeric, int random, Rng& rng) {
  std::set<std::int64_t> out;
  Index r = 0, c = 0;
  numeric.cwiseAbs().maxCoeff(&r, &c);
  out.insert(r * numeric.cols() + c);
  for (int k = 0; k < random; ++k) out.insert(static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(numeric.size()))));
  return {out.begin(), out.end()};
}

struct Worst {
  double error = 0.0;
  std::string where;
  int unresolved = 0;  // elements where the ground truth's own error exceeds 1e-11 of the gradient
};

// One instance: every gradient the exercise asks for, on a sample of its elements.
void agree_on(const ExerciseInfo& info, std::uint64_t seed, const Sizes& given, int random, Worst& worst) {
  const Sizes sizes = complete_sizes(info, given);
  std::vector<Graph> problems = info.problems(seed, sizes);
  std::vector<std::vector<fd::NodeGradient>> chained;
  for (const Graph& g : problems) chained.push_back(fd::backward(g));
  fd::Options exhaustive;
  exhaustive.target = 0.0;  // walk until rounding overtakes truncation
  Rng rng = Rng(seed).fork("ground truth sample");
  std::set<std::pair<int, Graph::NodeId>> done;
  for (const auto& spec : info.gradients) {
    const Graph& g = problems[static_cast<std::size_t>(spec.problem)];
    for (const Graph::NodeId node : g.nodes_of(spec.node)) {
      if (!done.insert({spec.problem, node}).second) continue;
      const fd::NodeGradient& n = chained[static_cast<std::size_t>(spec.problem)][static_cast<std::size_t>(node)];
      const Real floor = static_cast<Real>(gradient_floor(static_cast<double>(n.terms), static_cast<double>(n.uncertainty)));
      const Real denom = std::max(n.value.cwiseAbs().maxCoeff(), floor);
      Graph::Perturbation p(g, node);
      const Real scale = fd::node_scale(g.exact(node));
      for (std::int64_t i : elements(n.value, random, rng)) {
        const fd::Estimate truth = fd::derivative([&](Real v) { return p.loss_with(i, v); }, p.base(i), scale, exhaustive);
        const Real difference = std::abs(n.value.data()[i] - truth.value);
        const Real resolution = 4 * truth.error;
        CAPTURE(reproduce_command(info, seed, sizes, Flavour::Solution));
        CAPTURE(spec.name);
        CAPTURE(i);
        if (resolution > static_cast<Real>(kGroundTruthAgreement) * denom) {
          ++worst.unresolved;
          CHECK(difference <= resolution);
          continue;
        }
        const double error = denom > 0 ? static_cast<double>(difference / denom) : 0.0;
        CAPTURE(error);
        CAPTURE(static_cast<double>(denom));
        CAPTURE(static_cast<double>(n.terms));
        CHECK(error <= kGroundTruthAgreement);
        if (error > worst.error || worst.where.empty())
          worst.error = error, worst.where = reproduce_command(info, seed, sizes, Flavour::Solution) + " " + spec.name;
      }
    }
  }
}

// Seeds 0 to `last_seed` at the minimum and the default, 0 to `last_at_grading` at grading's two
// ends, and 0 to `last_at_maxima` with each letter at its maximum (none when negative).
void reference_meets_ground_truth(const ExerciseInfo& info, std::uint64_t last_seed, std::uint64_t last_at_grading,
                                  int last_at_maxima) {
  Worst worst;
  for (const auto& [what, sizes] : test::instance_sizes(info, last_at_maxima >= 0)) {
    const bool maximum = what.find("maximum") != std::string::npos;
    const bool grading = what.find("grading") != std::string::npos;
    const std::uint64_t seeds = maximum ? static_cast<std::uint64_t>(last_at_maxima) : grading ? last_at_grading : last_seed;
    // At the maxima a global difference recomputes the whole problem per evaluation: two elements
    // per gradient there.
    for (std::uint64_t seed = 0; seed <= seeds; ++seed) agree_on(info, seed, sizes, maximum ? 1 : 2, worst);
  }
  const std::string extent = "seeds 0 to " + std::to_string(last_seed) + " (0 to " + std::to_string(last_at_grading) +
                             " at grading's two ends" +
                             (last_at_maxima >= 0 ? ", 0 to " + std::to_string(last_at_maxima) + " at the maxima)" : ")");
  MESSAGE(info.id() << ": numeric reference against ground truth, " << extent << ": worst " << worst.error << " (" << worst.where << "); "
                    << worst.unresolved << " elements where ground truth resolves less than 1e-11 of the gradient");
}

}  // namespace

// One ctest entry per exercise and suite (tests/support.hpp). The fast suite: seed 0 at the
// minimum, default and grading's two ends. The deep suite: seeds 0 to 19 at the minimum and the
// default (0 to 4 for exercise 08, which checks exercise 07's network at two parameter draws), 0 to
// 4 at grading's two ends, and each letter at its maximum on seed 0; with BPDOJO_TEST_SWEEP set,
// seeds 0 to 19 everywhere (test::sweep).
TEST_CASE("each exercise: the numeric reference agrees with ground truth to 1e-11 at seed 0" * doctest::test_suite("unit")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) reference_meets_ground_truth(*info, 0, 0, -1);
}
TEST_CASE("each exercise: the numeric reference agrees with ground truth to 1e-11 on seeds 0 to 19, and at the maxima" *
          doctest::test_suite("deep")) {
  for (const ExerciseInfo* info : test::exercises_under_test()) {
    if (test::sweep()) reference_meets_ground_truth(*info, 19, 19, 19);
    else reference_meets_ground_truth(*info, info->trains ? 4 : 19, 4, 0);
  }
}
