// The character-level MLP: initialisation, batches, and the forward pass as a graph of named steps.
#include "bpdojo/mlp_model.hpp"

#include <algorithm>
#include <cmath>

namespace bpdojo {

MlpParams mlp_init(Rng rng, Index V, Index H, double scale) {
  const double fan_in = static_cast<double>(kBlockSize * kEmbedding);
  MlpParams p;
  p.C = rng.fork("C").normal_matrix(V, kEmbedding, scale);
  p.W1 = rng.fork("W1").normal_matrix(kBlockSize * kEmbedding, H, scale * (5.0 / 3.0) / std::sqrt(fan_in));
  p.b1 = rng.fork("b1").normal_matrix(1, H, scale * 0.1);
  p.bngain = (1.0 + rng.fork("bngain").normal_matrix(1, H, scale * 0.1).array()).matrix();
  p.bnbias = rng.fork("bnbias").normal_matrix(1, H, scale * 0.1);
  p.W2 = rng.fork("W2").normal_matrix(H, V, scale * 0.1);
  p.b2 = rng.fork("b2").normal_matrix(1, V, scale * 0.1);
  return p;
}

MlpBatch draw_batch(const Split& split, Index N, Rng& rng) {
  MlpBatch b;
  b.Xb.resize(N, split.X.cols());
  b.Yb.resize(static_cast<std::size_t>(N));
  const auto n = static_cast<std::uint64_t>(split.Y.size());
  if (n == 0) throw std::invalid_argument("a batch from an empty split");
  for (Index i = 0; i < N; ++i) {
    const auto ix = static_cast<Index>(rng.below(n));
    b.Xb.row(i) = split.X.row(ix);
    b.Yb[static_cast<std::size_t>(i)] = split.Y[static_cast<std::size_t>(ix)];
  }
  return b;
}

namespace {

using Id = Graph::NodeId;
using In = Graph::Inputs;
// How each step depends on each input (Graph::Dep): finite differences recompute only the rows
// (examples) or columns (units) a perturbed element reaches, and take affine dependencies in one
// central difference.
constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum, I = Graph::kInner,
                   kAll = Graph::kAll;

// Softmax cross-entropy of the rows given, summed and divided by the batch size `n` (their share
// of the batch's mean), computed as the step-by-step graph does.
Real cross_entropy(const RMatrix& logits, const RMatrix& y, Real n) {
  Real sum = 0.0L;
  for (Index r = 0; r < logits.rows(); ++r) {
    const Real mx = logits.row(r).maxCoeff();
    const Real s = (logits.row(r).array() - mx).exp().sum();
    sum += std::log(std::exp(logits(r, static_cast<Index>(y(r, 0))) - mx) * (1.0L / s));
  }
  return -sum / n;
}

// The network with batch norm and the loss each in one step (`fused_bn`, `fused_loss`) or in the
// lecture's steps.
Graph build_mlp(const MlpParams& p, const MlpBatch& batch, bool fused_bn, bool fused_loss) {
  const Index N = batch.Xb.rows(), V = p.C.rows(), H = p.W1.cols();
  const Real n = static_cast<Real>(N), eps = static_cast<Real>(kBnEps);
  Graph g;
  // The data first (leaves, never perturbed), then the parameters in the lecture's order.
  Matrix xb = batch.Xb.cast<double>(), yb(N, 1);
  for (Index i = 0; i < N; ++i) yb(i, 0) = batch.Yb[static_cast<std::size_t>(i)];
  const Id Xb = g.data("Xb", {{N, kBlockSize}, xb});
  const Id Yb = g.data("Yb", {{N, 1}, yb});
  const Id C = g.leaf("C", {{V, kEmbedding}, p.C});
  const Id W1 = g.leaf("W1", {{kBlockSize * kEmbedding, H}, p.W1});
  const Id b1 = g.leaf("b1", {{1, H}, p.b1});
  const Id bngain = g.leaf("bngain", {{1, H}, p.bngain});
  const Id bnbias = g.leaf("bnbias", {{1, H}, p.bnbias});
  const Id W2 = g.leaf("W2", {{H, V}, p.W2});
  const Id b2 = g.leaf("b2", {{1, V}, p.b2});

  const Id emb = g.step("emb", {N, kBlockSize, kEmbedding}, {C, Xb}, [=](const In& v) -> RMatrix {
    RMatrix out(N * kBlockSize, kEmbedding);
    for (Index i = 0; i < N; ++i)
      for (Index k = 0; k < kBlockSize; ++k) out.row(i * kBlockSize + k) = v[C].row(static_cast<Index>(v[Xb](i, k)));
    return out;
  }, {L, kAll});
  const Id embcat = g.step("embcat", {N, kBlockSize * kEmbedding}, {emb}, [=](const In& v) -> RMatrix {
    return Eigen::Map<const RMatrix>(v[emb].data(), v[emb].rows() / kBlockSize, kBlockSize * kEmbedding);
  }, {R | L});
  const Id hprebn = g.step("hprebn", {N, H}, {embcat, W1, b1}, [=](const In& v) -> RMatrix {
    return linear_step(v[embcat], v[W1], v[b1]);
  }, {R | L | I, K | L | I, K | L});
  Id hpreact = -1;
  if (fused_bn) {
    hpreact = g.step("hpreact", {N, H}, {hprebn, bngain, bnbias}, [=](const In& v) -> RMatrix {
      const RMatrix diff = v[hprebn].rowwise() - v[hprebn].colwise().sum() / n;
      const RArray inv = ((diff.array().square().colwise().sum() / (n - 1)) + eps).rsqrt();
      const RMatrix raw = diff.array().rowwise() * inv.row(0);
      return (raw.array().rowwise() * v[bngain].row(0).array()).rowwise() + v[bnbias].row(0).array();
    }, {K, K | L, K | L});
  } else {
    const Id bnmeani = g.step("bnmeani", {1, H}, {hprebn}, [=](const In& v) -> RMatrix {
      return v[hprebn].colwise().sum() / n;
    }, {K | L});
    const Id bndiff = g.step("bndiff", {N, H}, {hprebn, bnmeani}, [=](const In& v) -> RMatrix {
      return v[hprebn].rowwise() - v[bnmeani].row(0);
    }, {R | K | L, K | L});
    const Id bndiff2 = g.step("bndiff2", {N, H}, {bndiff}, [=](const In& v) -> RMatrix {
      return v[bndiff].array().square();
    }, {R | K});
    const Id bnvar = g.step("bnvar", {1, H}, {bndiff2}, [=](const In& v) -> RMatrix {
      return v[bndiff2].colwise().sum() / (n - 1);
    }, {K | L});
    const Id bnvar_inv = g.step("bnvar_inv", {1, H}, {bnvar}, [=](const In& v) -> RMatrix {
      return (v[bnvar].array() + eps).rsqrt();
    }, {K});
    const Id bnraw = g.step("bnraw", {N, H}, {bndiff, bnvar_inv}, [=](const In& v) -> RMatrix {
      return v[bndiff].array().rowwise() * v[bnvar_inv].row(0).array();
    }, {R | K | L, K | L});
    hpreact = g.step("hpreact", {N, H}, {bngain, bnraw, bnbias}, [=](const In& v) -> RMatrix {
      return (v[bnraw].array().rowwise() * v[bngain].row(0).array()).rowwise() + v[bnbias].row(0).array();
    }, {K | L, R | K | L, K | L});
  }
  const Id h = g.step("h", {N, H}, {hpreact}, [=](const In& v) -> RMatrix { return v[hpreact].array().tanh(); }, {R | K});
  const Id logits = g.step("logits", {N, V}, {h, W2, b2}, [=](const In& v) -> RMatrix {
    return linear_step(v[h], v[W2], v[b2]);
  }, {R | L | I, K | L | I, K | L});
  if (fused_loss) {
    g.set_loss(g.step("loss", {}, {logits, Yb}, [=](const In& v) -> RMatrix {
      return RMatrix::Constant(1, 1, cross_entropy(v[logits], v[Yb], n));
    }, {S | R, S | R}));
    g.forward();
    return g;
  }
  const Id logit_maxes = g.step("logit_maxes", {N, 1}, {logits}, [=](const In& v) -> RMatrix {
    return v[logits].rowwise().maxCoeff();
  }, {R});
  const Id norm_logits = g.step("norm_logits", {N, V}, {logits, logit_maxes}, [=](const In& v) -> RMatrix {
    return v[logits].colwise() - v[logit_maxes].col(0);
  }, {R | K | L, R | L});
  const Id counts = g.step("counts", {N, V}, {norm_logits}, [=](const In& v) -> RMatrix {
    return v[norm_logits].array().exp();
  }, {R | K});
  const Id counts_sum = g.step("counts_sum", {N, 1}, {counts}, [=](const In& v) -> RMatrix {
    return v[counts].rowwise().sum();
  }, {R | L});
  const Id counts_sum_inv = g.step("counts_sum_inv", {N, 1}, {counts_sum}, [=](const In& v) -> RMatrix {
    return v[counts_sum].array().inverse();
  }, {R | K});
  const Id probs = g.step("probs", {N, V}, {counts, counts_sum_inv}, [=](const In& v) -> RMatrix {
    return v[counts].array().colwise() * v[counts_sum_inv].col(0).array();
  }, {R | K | L, R | L});
  const Id logprobs = g.step("logprobs", {N, V}, {probs}, [=](const In& v) -> RMatrix {
    return v[probs].array().log();
  }, {R | K});
  // A sum over the examples (kSum): called on some rows, it returns their share of the mean.
  g.set_loss(g.step("loss", {}, {logprobs, Yb}, [=](const In& v) -> RMatrix {
    Real sum = 0.0L;
    for (Index i = 0; i < v[logprobs].rows(); ++i) sum += v[logprobs](i, static_cast<Index>(v[Yb](i, 0)));
    return RMatrix::Constant(1, 1, -sum / n);
  }, {S | R | L, S | R}));
  g.forward();
  return g;
}

}  // namespace

Graph mlp_graph(const MlpParams& p, const MlpBatch& batch, bool fused) {
  if (!fused) return build_mlp(p, batch, false, false);
  Graph g = build_mlp(p, batch, true, true);
  // The numeric reference from batch norm in the lecture's steps (Graph::set_reference_twin): the
  // terms a fused formula for it sums, and row- or column-local steps at any batch. The loss stays
  // in one step: a log of a probability that rounds to 1e-17 (a logit 37 below the row's largest)
  // would make the step-by-step chain's differences, and so every floor above it, meaningless.
  g.set_reference_twin(build_mlp(p, batch, false, true));
  return g;
}

MlpCache mlp_cache(const Graph& g, const MlpBatch& batch) {
  auto val = [&](const char* name) { return g.value(g.id(name)); };
  MlpCache c;
  c.C = val("C"), c.W1 = val("W1"), c.b1 = val("b1"), c.bngain = val("bngain"), c.bnbias = val("bnbias");
  c.W2 = val("W2"), c.b2 = val("b2");
  c.Xb = batch.Xb, c.Yb = batch.Yb;
  c.emb = val("emb"), c.embcat = val("embcat"), c.hprebn = val("hprebn"), c.bnmeani = val("bnmeani");
  c.bndiff = val("bndiff"), c.bndiff2 = val("bndiff2"), c.bnvar = val("bnvar"), c.bnvar_inv = val("bnvar_inv");
  c.bnraw = val("bnraw"), c.hpreact = val("hpreact"), c.h = val("h"), c.logits = val("logits");
  c.logit_maxes = val("logit_maxes"), c.norm_logits = val("norm_logits"), c.counts = val("counts");
  c.counts_sum = val("counts_sum"), c.counts_sum_inv = val("counts_sum_inv"), c.probs = val("probs");
  c.logprobs = val("logprobs"), c.loss = g.loss();
  return c;
}

namespace {

void embed_into(const Matrix& C, const IntMatrix& X, Matrix& embcat) {
  const Index N = X.rows(), B = X.cols(), E = C.cols();
  embcat.resize(N, B * E);
  for (Index i = 0; i < N; ++i)
    for (Index k = 0; k < B; ++k) embcat.block(i, k * E, 1, E) = C.row(X(i, k));
}

Matrix embed(const Matrix& C, const IntMatrix& X) {
  Matrix embcat;
  embed_into(C, X, embcat);
  return embcat;
}

// Logits with fixed batch-norm statistics.
Matrix eval_logits(const MlpParams& p, const BnStats& bn, const IntMatrix& X) {
  const Matrix hprebn = (embed(p.C, X) * p.W1).rowwise() + p.b1.row(0);
  const Eigen::ArrayXXd inv = (bn.var.array() + kBnEps).rsqrt();
  const Matrix hpreact = (((hprebn.rowwise() - bn.mean.row(0)).array().rowwise() * (inv.row(0) * p.bngain.row(0).array()))
                              .rowwise() +
                          p.bnbias.row(0).array())
                             .matrix();
  Matrix h;
  tanh_into(hpreact, h);
  return (h * p.W2).rowwise() + p.b2.row(0);
}

}  // namespace

MlpCache mlp_forward(const MlpParams& p, const MlpBatch& batch) {
  MlpCache c;
  mlp_forward(p, batch, c);
  return c;
}

void mlp_forward(const MlpParams& p, const MlpBatch& batch, MlpCache& c) {
  const Index N = batch.Xb.rows();
  const double n = static_cast<double>(N);
  c.C = p.C, c.W1 = p.W1, c.b1 = p.b1, c.bngain = p.bngain, c.bnbias = p.bnbias, c.W2 = p.W2, c.b2 = p.b2;
  c.Xb = batch.Xb, c.Yb = batch.Yb;
  embed_into(p.C, batch.Xb, c.embcat);
  c.emb = Eigen::Map<const Matrix>(c.embcat.data(), N * batch.Xb.cols(), p.C.cols());
  c.hprebn.resize(N, p.W1.cols());
  c.hprebn.noalias() = c.embcat * p.W1;
  c.hprebn.rowwise() += p.b1.row(0);
  c.bnmeani = c.hprebn.colwise().sum() / n;
  c.bndiff = c.hprebn.rowwise() - c.bnmeani.row(0);
  c.bndiff2 = c.bndiff.array().square();
  c.bnvar = c.bndiff2.colwise().sum() / (n - 1.0);
  c.bnvar_inv = (c.bnvar.array() + kBnEps).rsqrt();
  c.bnraw = c.bndiff.array().rowwise() * c.bnvar_inv.row(0).array();
  c.hpreact = (c.bnraw.array().rowwise() * p.bngain.row(0).array()).rowwise() + p.bnbias.row(0).array();
  tanh_into(c.hpreact, c.h);
  c.logits.resize(N, p.W2.cols());
  c.logits.noalias() = c.h * p.W2;
  c.logits.rowwise() += p.b2.row(0);
  c.logit_maxes = c.logits.rowwise().maxCoeff();
  c.norm_logits = c.logits.colwise() - c.logit_maxes.col(0);
  c.counts = c.norm_logits.array().exp();
  c.counts_sum = c.counts.rowwise().sum();
  c.counts_sum_inv = c.counts_sum.array().inverse();
  c.probs = c.counts.array().colwise() * c.counts_sum_inv.col(0).array();
  c.logprobs = c.probs.array().log();
  double sum = 0.0;
  for (Index i = 0; i < N; ++i) sum += c.logprobs(i, c.Yb[static_cast<std::size_t>(i)]);
  c.loss = -sum / n;
}

BnStats bn_calibrate(const MlpParams& p, const IntMatrix& X) {
  // Two passes over chunks: the mean, then the squared deviations (no catastrophic cancellation).
  const Index H = p.W1.cols(), n = X.rows(), chunk = 4096;
  if (n < 2) throw std::invalid_argument("batch-norm statistics need at least two examples");
  BnStats bn{Matrix::Zero(1, H), Matrix::Zero(1, H)};
  for (Index i = 0; i < n; i += chunk) {
    const Index m = std::min(chunk, n - i);
    bn.mean += ((embed(p.C, X.middleRows(i, m)) * p.W1).rowwise() + p.b1.row(0)).colwise().sum();
  }
  bn.mean /= static_cast<double>(n);
  for (Index i = 0; i < n; i += chunk) {
    const Index m = std::min(chunk, n - i);
    const Matrix hprebn = (embed(p.C, X.middleRows(i, m)) * p.W1).rowwise() + p.b1.row(0);
    bn.var += (hprebn.rowwise() - bn.mean.row(0)).array().square().colwise().sum().matrix();
  }
  bn.var /= static_cast<double>(n - 1);
  return bn;
}

double mlp_eval_loss(const MlpParams& p, const BnStats& bn, const IntMatrix& X, const Labels& Y) {
  const Index n = X.rows(), chunk = 4096;
  if (n == 0 || static_cast<std::size_t>(n) != Y.size()) throw std::invalid_argument("mlp_eval_loss: X and Y do not fit");
  double sum = 0.0;
  for (Index i = 0; i < n; i += chunk) {
    const Index m = std::min(chunk, n - i);
    const Matrix logits = eval_logits(p, bn, X.middleRows(i, m));
    for (Index r = 0; r < m; ++r) {
      const double mx = logits.row(r).maxCoeff();
      const double lse = mx + std::log((logits.row(r).array() - mx).exp().sum());
      sum += lse - logits(r, Y[static_cast<std::size_t>(i + r)]);
    }
  }
  return sum / static_cast<double>(n);
}

std::string mlp_sample(const MlpParams& p, const BnStats& bn, const Vocabulary& vocab, Rng& rng, int max_length) {
  IntMatrix context = IntMatrix::Zero(1, kBlockSize);
  std::string out;
  for (int k = 0; k < max_length; ++k) {
    const Matrix logits = eval_logits(p, bn, context);
    const Index ix = rng.softmax_sample(logits);
    if (ix == 0) break;
    out += vocab.itos(static_cast<int>(ix));
    for (Index j = 0; j + 1 < kBlockSize; ++j) context(0, j) = context(0, j + 1);
    context(0, kBlockSize - 1) = static_cast<int>(ix);
  }
  return out;
}

MlpInstance mlp_instance(std::uint64_t seed, const Sizes& sizes) {
  const NamesDataset& data = builtin_names();
  Rng rng(seed);
  Rng rb = rng.fork("batch");
  return {mlp_init(rng.fork("params"), data.vocab.size(), sizes.at("H")), draw_batch(data.train, sizes.at("N"), rb)};
}

std::vector<SizeSpec> mlp_sizes() { return {{"N", "batch size", 32, 2, 512}, {"H", "hidden units", 64, 1, 512}}; }

}  // namespace bpdojo
