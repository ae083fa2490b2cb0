// tanh of doubles for the training loops, in one pass the compiler vectorises.
//
// Where |x| < 0.625, Cephes' rational approximation x + x^3 P(x^2) / Q(x^2); beyond,
// 1 - 2 / (exp(2|x|) + 1) with x's sign. exp(y) = 2^k (q + p) / (q - p), with k = y / ln 2 rounded,
// r = y - k ln 2 (in two parts) and p / q Cephes' Pade form in r, as Eigen's exp of packets computes
// it; with that, 2 / (exp(y) + 1) = 2 (q - p) / (2^k (q + p) + q - p), so each element costs one
// division whichever branch it takes, and the branch is a choice of numerator and denominator. y is
// capped at 40, where 2 / (exp(y) + 1) is below half an ulp of 1, so the far branch is 1 exactly.
// Built at -O3 without trapping maths (workbook/CMakeLists.txt): GCC then if-converts the choices
// and runs the loop two doubles at a time; Eigen's own exp of doubles builds 2^k in a way SSE2
// makes slow, and its tanh of doubles calls the C library one element at a time.
#include "bpdojo/mlp_model.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace bpdojo {

namespace {

double from_bits(std::uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

std::uint64_t to_bits(double d) {
  std::uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

}  // namespace

void tanh_into(const Matrix& x, Matrix& out) {
  // tanh near 0: x + x^3 P(x^2) / Q(x^2).
  constexpr double p0 = -9.64399179425052238628e-1, p1 = -9.92877231001918586564e1, p2 = -1.61468768441708447952e3;
  constexpr double q0 = 1.12811678491632931402e2, q1 = 2.23548839060100448583e3, q2 = 4.84406305325125486048e3;
  // exp(r) = (q + p) / (q - p) for |r| <= ln(2) / 2, p odd and q even in r.
  constexpr double ep0 = 1.26177193074810590878e-4, ep1 = 3.02994407707441961300e-2, ep2 = 9.99999999999999999910e-1;
  constexpr double eq0 = 3.00198505138664455042e-6, eq1 = 2.52448340349684104192e-3, eq2 = 2.27265548208155028766e-1,
                   eq3 = 2.00000000000000000009e0;
  constexpr double log2e = 1.4426950408889634073599, ln2_hi = 0.693145751953125, ln2_lo = 1.42860682030941723212e-6;
  // Adding 1.5 * 2^52 rounds a number below 2^51 to an integer, which then sits in the low bits.
  constexpr double round_magic = 6755399441055744.0;
  const std::uint64_t magic_bits = to_bits(round_magic);
  out.resize(x.rows(), x.cols());
  const double* xs = x.data();
  double* o = out.data();
  for (Index i = 0, n = x.size(); i < n; ++i) {
    const double v = xs[i], a = std::fabs(v), z = a * a;
    const double y = a < 20.0 ? 2.0 * a : 40.0;
    const double t = y * log2e + round_magic, k = t - round_magic;
    const double r = (y - k * ln2_hi) - k * ln2_lo, r2 = r * r;
    const double p = r * ((ep0 * r2 + ep1) * r2 + ep2), q = ((eq0 * r2 + eq1) * r2 + eq2) * r2 + eq3;
    const double two_k = from_bits((to_bits(t) - magic_bits + 1023) << 52);  // k is 0 to 58
    const bool near = a < 0.625;
    const double num = near ? a * z * ((p0 * z + p1) * z + p2) : -2.0 * (q - p);
    const double den = near ? ((z + q0) * z + q1) * z + q2 : two_k * (q + p) + (q - p);
    const double magnitude = (near ? a : 1.0) + num / den;
    o[i] = v != v ? v : std::copysign(magnitude, v);
  }
}

}  // namespace bpdojo
