#include "bpdojo/rng.hpp"

namespace bpdojo {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

Rng Rng::fork(const char* label) const {
  // FNV-1a of the label, mixed with this generator's state (not advanced).
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char* p = label; *p; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 0x100000001B3ULL;
  return Rng(h ^ s_[0] ^ rotl(s_[1], 17) ^ rotl(s_[2], 31) ^ rotl(s_[3], 47));
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

Index Rng::softmax_sample(const Matrix& logits) {
  const Eigen::ArrayXd probs = (logits.row(0).array() - logits.maxCoeff()).exp().transpose();
  double u = uniform() * probs.sum();
  for (Index j = 0; j < probs.size(); ++j) {
    if (u < probs(j)) return j;
    u -= probs(j);
  }
  return probs.size() - 1;
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire's rejection method on the top bits would need 128-bit products; plain rejection is enough.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

double Rng::normal() {
  double sum = 0.0;
  for (int i = 0; i < 12; ++i) sum += uniform();
  return sum - 6.0;
}

Matrix Rng::normal_matrix(Index rows, Index cols, double scale) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = scale * normal();
  return m;
}

Matrix Rng::uniform_matrix(Index rows, Index cols, double lo, double hi) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = uniform(lo, hi);
  return m;
}

}  // namespace bpdojo
