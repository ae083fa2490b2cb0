#include "bpdojo/rng.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

using bpdojo::Rng;

TEST_SUITE_BEGIN("unit");

TEST_CASE("xoshiro256** seeded by splitmix64 gives the published reference outputs") {
  // splitmix64 from state 0 gives 0xE220A8397B1DCDAF first (Vigna's reference splitmix64.c); our
  // state is four successive splitmix64 outputs, so the first xoshiro256** output is
  // rotl(s1 * 5, 7) * 9 with s1 the second splitmix64 output, 0x6E789E6AA1B965F4.
  Rng rng(0);
  const std::uint64_t s1 = 0x6E789E6AA1B965F4ULL;
  const std::uint64_t x = s1 * 5;
  const std::uint64_t expected = ((x << 7) | (x >> 57)) * 9;
  CHECK(rng.next_u64() == expected);
}

TEST_CASE("the same seed gives the same stream, other seeds and forks differ") {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) CHECK(a.next_u64() == b.next_u64());
  CHECK(Rng(42).next_u64() != c.next_u64());
  CHECK(Rng(42).fork("W1").next_u64() == Rng(42).fork("W1").next_u64());
  CHECK(Rng(42).fork("W1").next_u64() != Rng(42).fork("W2").next_u64());
}

TEST_CASE("uniform, below and normal have the documented ranges and moments") {
  Rng rng(7);
  const int n = 200000;
  double sum = 0, sum2 = 0, usum = 0;
  int counts[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    usum += u;
    const auto k = rng.below(5);
    REQUIRE(k < 5);
    ++counts[k];
    const double z = rng.normal();
    REQUIRE(std::abs(z) < 6.0);
    sum += z;
    sum2 += z * z;
  }
  CHECK(usum / n == doctest::Approx(0.5).epsilon(0.01));
  CHECK(sum / n == doctest::Approx(0.0).epsilon(0.01));
  CHECK(sum2 / n == doctest::Approx(1.0).epsilon(0.01));
  for (int c : counts) CHECK(c == doctest::Approx(n / 5.0).epsilon(0.02));
}

TEST_SUITE_END();
