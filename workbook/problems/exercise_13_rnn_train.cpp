// Exercise 13's training run, the workbook's side: the forward pass in double (the problem's Graph
// is long double, step by step, and far too slow to train with), the loss over a split, the sampler.
#include "problems/exercise_13_rnn_train.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace bpdojo {

RnnParams rnn_train_init(std::uint64_t seed) {
  const Rng rng = Rng(seed).fork("training").fork("params");
  const Index V = builtin_names().vocab.size(), H = kRnnTrainHidden;
  const double s = 1.0 / std::sqrt(static_cast<double>(H));
  RnnParams p;
  p.Wxh = rng.fork("Wxh").normal_matrix(V, H, 0.5);
  p.Whh = rng.fork("Whh").normal_matrix(H, H, s);
  p.bh = Matrix::Zero(1, H);
  p.Why = rng.fork("Why").normal_matrix(H, V, 0.1 * s);
  p.by = Matrix::Zero(1, V);
  p.h0 = Matrix::Zero(1, H);
  return p;
}

void rnn_forward(const RnnBatch& b, const RnnParams& p, RnnCache& c) {
  const Index N = b.N, T = b.T, H = p.Whh.rows(), V = p.Why.cols();
  c.a.resize(T * N, H);
  c.h.resize(T * N, H);
  for (Index t = 1; t <= T; ++t) {
    const Index r = (t - 1) * N;
    auto a = c.a.middleRows(r, N);
    if (t == 1) a = (p.h0 * p.Whh).replicate(N, 1);
    else a.noalias() = c.h.middleRows(r - N, N) * p.Whh;
    a.rowwise() += p.bh.row(0);
    for (Index i = 0; i < N; ++i) a.row(i) += p.Wxh.row(b.x[static_cast<std::size_t>(r + i)]);
    c.h.middleRows(r, N) = a.array().tanh();
  }
  c.logits.resize(T * N, V);
  c.logits.noalias() = c.h * p.Why;
  c.logits.rowwise() += p.by.row(0);
  c.probs.resize(T * N, V);
  double nll = 0.0;
  for (Index r = 0; r < T * N; ++r) {
    const double top = c.logits.row(r).maxCoeff();
    c.probs.row(r) = (c.logits.row(r).array() - top).exp();
    const double sum = c.probs.row(r).sum();
    c.probs.row(r) /= sum;
    if (b.mask(r, 0) != 0.0) nll += top + std::log(sum) - c.logits(r, b.y[static_cast<std::size_t>(r)]);
  }
  c.loss = nll / b.count;
}

RnnCache rnn_forward(const RnnBatch& b, const RnnParams& p) {
  RnnCache c;
  rnn_forward(b, p, c);
  return c;
}

double rnn_eval_loss(const RnnParams& p, const std::vector<std::vector<int>>& names) {
  for (const auto& f : kRnnParams)
    if (!(p.*f.field).allFinite()) return std::numeric_limits<double>::quiet_NaN();
  // Names sorted by length, 256 at a time: a batch is padded to its longest name only.
  std::vector<std::size_t> order(names.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return names[i].size() < names[j].size(); });
  constexpr std::size_t kChunk = 256;
  double nll = 0.0, count = 0.0;
  RnnCache c;
  for (std::size_t at = 0; at < order.size(); at += kChunk) {
    std::vector<const std::vector<int>*> chunk;
    for (std::size_t i = at; i < std::min(order.size(), at + kChunk); ++i) chunk.push_back(&names[order[i]]);
    const RnnBatch b = rnn_names_batch(chunk);
    rnn_forward(b, p, c);
    nll += c.loss * b.count;
    count += b.count;
  }
  return count > 0 ? nll / count : std::numeric_limits<double>::quiet_NaN();
}

std::string rnn_sample(const RnnParams& p, const Vocabulary& vocab, Rng& rng, int max_length) {
  Matrix h = p.h0;
  int x = 0;
  std::string out;
  for (int k = 0; k < max_length; ++k) {
    const Matrix a = p.Wxh.row(x) + h * p.Whh + p.bh;
    h = a.array().tanh();
    const Matrix logits = h * p.Why + p.by;
    const Index ix = rng.softmax_sample(logits);
    if (ix == 0) break;
    out += vocab.itos(static_cast<int>(ix));
    x = static_cast<int>(ix);
  }
  return out;
}

}  // namespace bpdojo
