// Exercise 01 at seed 0 is three worked examples. Their values here come from
// docs/tools/worked_examples.py (decimal arithmetic at 50 digits, derivatives by hand; independent of
// the C++ code) and, to their printed digits, from the published walk-through of the 2-2-2 network
// (Matt Mazur, "A Step by Step Backpropagation Example": E = 0.298371109, dE/dw5 = 0.082167041,
// dE/dw1 = 0.000438568).
#include "support.hpp"

#include "problems/exercise_01_chain_rule.hpp"
#include "bpdojo/protocol.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <map>

using namespace bpdojo;

namespace {

// name -> value, from `python3 docs/tools/worked_examples.py`.
const std::map<std::string, double> kDecimal = {
    {"a.dw", -24.0}, {"a.dx", -16.0}, {"a.dy", 8.0},
    {"b.db2", -3.2257858453743134e-1}, {"b.dW2[0]", -1.8055163672689139e-1}, {"b.dW2[1]", -1.9467077253341241e-1},
    {"b.db1[0]", -3.9747210626659236e-2}, {"b.db1[1]", -4.6314133242763076e-2},
    {"b.dW1[0][0]", -1.9873605313329618e-2}, {"b.dW1[0][1]", -1.1924163187997771e-2},
    {"b.dW1[1][0]", -2.3157066621381538e-2}, {"b.dW1[1][1]", -1.3894239972828923e-2},
    {"c.dw5", 8.2167040564230779e-2}, {"c.dw6", 8.2667627847533255e-2}, {"c.dw7", -2.2602540477475060e-2},
    {"c.dw8", -2.2740242215978211e-2}, {"c.db2", 1.0040032511200075e-1}, {"c.dw1", 4.3856773447434673e-4},
    {"c.dw2", 8.7713546894869345e-4}, {"c.dw3", 4.9771273526086007e-4}, {"c.dw4", 9.9542547052172014e-4},
    {"c.db1", 1.8725609394704136e-2},
};

bool close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

}  // namespace

TEST_CASE("the seed-0 forward passes are the worked examples" * doctest::test_suite("unit")) {
  const ChainRuleInstance in = exercise_01_instance(kDefaultSeed);
  CHECK(in.a.L == 16.0);
  CHECK(close(in.b.z1(0, 0), 0.24, 1e-15));
  CHECK(close(in.b.z1(0, 1), 0.42, 1e-15));  // a lesson text prints 0.32: 0.2*0.5 + 0.4*0.3 + 0.2 = 0.42
  CHECK(close(in.b.a1(0, 0), 5.5971364926719294e-1, 1e-14));
  CHECK(close(in.b.a1(0, 1), 6.0348324986472629e-1, 1e-14));
  CHECK(close(in.b.yhat, 6.7742141546256866e-1, 1e-14));
  CHECK(close(in.b.L, 3.8946172489303410e-1, 1e-14));
  CHECK(close(in.c.out_o1, 7.5136506955231571e-1, 1e-14));
  CHECK(close(in.c.out_o2, 7.7292846532146259e-1, 1e-14));
  CHECK(close(in.c.E, 2.9837110876000269e-1, 1e-14));
  CHECK(std::abs(in.c.E - 0.298371109) < 5e-10);  // the published figure, to its digits
}

TEST_CASE("the reference solution reproduces every worked gradient to 1e-13, and the published ones" * doctest::test_suite("e2e")) {
  const std::string runner = std::string(BPDOJO_TEST_BUILD_DIR) + "/solutions/exercise_01";
  ProcessLimits limits;
  const ProcessResult pr = run_process({runner, "--fd", "3"}, limits);
  REQUIRE(pr.end == ProcessResult::End::Exited);
  const protocol::ParseResult parsed = protocol::parse(pr.protocol);
  REQUIRE(parsed.ended);
  std::map<std::string, double> got;
  for (const auto& m : parsed.messages) {
    if (m.kind != protocol::Kind::Tensor) continue;
    const Matrix& v = m.tensor.value;
    if (v.size() == 1) {
      got[m.name] = v(0, 0);
      continue;
    }
    for (Index i = 0; i < v.rows(); ++i)
      for (Index j = 0; j < v.cols(); ++j) {
        std::string key = m.name;
        if (v.rows() > 1) key += "[" + std::to_string(i) + "]";
        key += "[" + std::to_string(j) + "]";
        got[key] = v(i, j);
      }
  }
  for (const auto& entry : kDecimal) {
    const std::string& name = entry.first;  // (C++17 lambdas, CAPTURE's, cannot capture a binding)
    const double want = entry.second;
    CAPTURE(name);
    REQUIRE(got.count(name));
    CHECK(close(got[name], want, 1e-13));
  }
  CHECK(std::abs(got["c.dw5"] - 0.082167041) < 5e-10);
  CHECK(std::abs(got["c.dw1"] - 0.000438568) < 5e-10);
}
