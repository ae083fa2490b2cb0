// Exercise 15: the problem, one GPT block over a batch of padded names (GPT-2's layer order):
// token and position embeddings -> layer norm -> causal self-attention -> residual -> layer norm
// -> MLP with GELU -> residual -> final layer norm -> logits over 27 characters -> the loss, the
// mean negative log-likelihood over the real positions. At two parameter sets (graphs 0 and 1).
//
// Every activation is one name's node, <node>@b (b from 1), stacked as <node> (B*T rows): the
// attention mixes the positions of a name, so a change of one element reaches its own name's nodes
// and no other (exercise 14's layout), and each step's Dep flags say which rows within it.
#include "problems/exercise_15_gpt.hpp"
#include "problems/exercise_13_rnn.hpp"
#include "bpdojo/names.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace bpdojo {

GptBatch gpt_batch(const RnnBatch& names, Index T) {
  GptBatch b;
  b.B = names.N;
  b.T = T > 0 ? T : names.T;
  const auto cells = static_cast<std::size_t>(b.B * b.T);
  b.x.assign(cells, 0);
  b.y.assign(cells, 0);
  b.mask = Matrix::Zero(b.B * b.T, 1);
  for (Index i = 0; i < b.B; ++i)
    for (Index t = 0; t < std::min(b.T, names.T); ++t) {
      const auto from = static_cast<std::size_t>(t * names.N + i), to = static_cast<std::size_t>(i * b.T + t);
      b.x[to] = names.x[from];
      b.y[to] = names.y[from];
      b.mask(static_cast<Index>(to), 0) = names.mask(static_cast<Index>(from), 0);
    }
  b.count = b.mask.sum();
  return b;
}

const std::array<GptParamField, 18> kGptParams = {
    GptParamField{"wte", &GptParams::wte, &GptGrads::dwte},
    {"wpe", &GptParams::wpe, &GptGrads::dwpe},
    {"ln1w", &GptParams::ln1w, &GptGrads::dln1w},
    {"ln1b", &GptParams::ln1b, &GptGrads::dln1b},
    {"attnw", &GptParams::attnw, &GptGrads::dattnw},
    {"attnb", &GptParams::attnb, &GptGrads::dattnb},
    {"attprojw", &GptParams::attprojw, &GptGrads::dattprojw},
    {"attprojb", &GptParams::attprojb, &GptGrads::dattprojb},
    {"ln2w", &GptParams::ln2w, &GptGrads::dln2w},
    {"ln2b", &GptParams::ln2b, &GptGrads::dln2b},
    {"fcw", &GptParams::fcw, &GptGrads::dfcw},
    {"fcb", &GptParams::fcb, &GptGrads::dfcb},
    {"fcprojw", &GptParams::fcprojw, &GptGrads::dfcprojw},
    {"fcprojb", &GptParams::fcprojb, &GptGrads::dfcprojb},
    {"lnfw", &GptParams::lnfw, &GptGrads::dlnfw},
    {"lnfb", &GptParams::lnfb, &GptGrads::dlnfb},
    {"lmw", &GptParams::lmw, &GptGrads::dlmw},
    {"lmb", &GptParams::lmb, &GptGrads::dlmb}};

GptParams gpt_draw_params(const Rng& rng, Index V, Index H, Index D, Index Tmax, double scale) {
  const Index C = H * D;
  const double s = scale / std::sqrt(static_cast<double>(C)), s4 = scale / std::sqrt(static_cast<double>(4 * C));
  const double spread = scale > 1.0 ? 0.5 : 0.1;  // the layer norms' gains and biases
  auto gain = [&](const char* name) { return Matrix((1.0 + rng.fork(name).normal_matrix(1, C, spread).array()).matrix()); };
  GptParams p;
  p.H = H;
  p.wte = rng.fork("wte").normal_matrix(V, C, scale);
  p.wpe = rng.fork("wpe").normal_matrix(Tmax, C, 0.5 * scale);
  p.ln1w = gain("ln1w");
  p.ln1b = rng.fork("ln1b").normal_matrix(1, C, spread);
  p.attnw = rng.fork("attnw").normal_matrix(C, 3 * C, s);
  p.attnb = rng.fork("attnb").normal_matrix(1, 3 * C, 0.1 * scale);
  p.attprojw = rng.fork("attprojw").normal_matrix(C, C, s);
  p.attprojb = rng.fork("attprojb").normal_matrix(1, C, 0.1 * scale);
  p.ln2w = gain("ln2w");
  p.ln2b = rng.fork("ln2b").normal_matrix(1, C, spread);
  p.fcw = rng.fork("fcw").normal_matrix(C, 4 * C, s);
  p.fcb = rng.fork("fcb").normal_matrix(1, 4 * C, 0.1 * scale);
  p.fcprojw = rng.fork("fcprojw").normal_matrix(4 * C, C, s4);
  p.fcprojb = rng.fork("fcprojb").normal_matrix(1, C, 0.1 * scale);
  p.lnfw = gain("lnfw");
  p.lnfb = rng.fork("lnfb").normal_matrix(1, C, spread);
  p.lmw = rng.fork("lmw").normal_matrix(C, V, s);
  p.lmb = rng.fork("lmb").normal_matrix(1, V, 0.1 * scale);
  return p;
}

namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum, I = Graph::kInner;
using Id = Graph::NodeId;
using In = Graph::Inputs;
const Real kCubic = 0.044715L, kSqrt2OverPi = 0.797884560802865355879892119868763737L;

std::string at(const char* name, Index b) { return stack_member(name, static_cast<std::size_t>(b)); }

// A layer norm of each row (exercise 12's, eps kLayerNormEps), in long double.
RMatrix layer_norm(const RMatrix& x, const RMatrix& w, const RMatrix& b) {
  const Real c = static_cast<Real>(x.cols()), eps = static_cast<Real>(kLayerNormEps);
  RMatrix out(x.rows(), x.cols());
  for (Index r = 0; r < x.rows(); ++r) {
    const Real mean = x.row(r).sum() / c;
    const RArray xmu = x.row(r).array() - mean;
    const Real rstd = 1.0L / std::sqrt(xmu.square().sum() / c + eps);
    out.row(r) = (xmu * rstd * w.row(0).array() + b.row(0).array()).matrix();
  }
  return out;
}

RMatrix gelu(const RMatrix& x) {
  const auto a = x.array();
  return (0.5L * a * (1.0L + (kSqrt2OverPi * (a + kCubic * a.cube())).tanh())).matrix();
}

// Each head's softmax over s <= t of q_t . k_s / sqrt(D), (H*T,T), from one name's qkv (T,3C).
RMatrix attention(const RMatrix& qkv, Index H) {
  const Index T = qkv.rows(), C = qkv.cols() / 3, D = C / H;
  const Real scale = 1.0L / std::sqrt(static_cast<Real>(D));
  RMatrix att = RMatrix::Zero(H * T, T);
  for (Index h = 0; h < H; ++h) {
    const RMatrix z = qkv.middleCols(h * D, D) * qkv.middleCols(C + h * D, D).transpose() * scale;
    for (Index t = 0; t < T; ++t) {
      const Real top = z.row(t).head(t + 1).maxCoeff();
      const RArray e = (z.row(t).head(t + 1).array() - top).exp();
      att.row(h * T + t).head(t + 1) = (e / e.sum()).matrix();
    }
  }
  return att;
}

// Head h's att v in its columns, (T,C).
RMatrix attend(const RMatrix& att, const RMatrix& qkv, Index H) {
  const Index T = qkv.rows(), C = qkv.cols() / 3, D = C / H;
  RMatrix y(T, C);
  for (Index h = 0; h < H; ++h) y.middleCols(h * D, D) = att.middleRows(h * T, T) * qkv.middleCols(2 * C + h * D, D);
  return y;
}

// The stacked activations, in the order of the forward pass.
constexpr const char* kStacks[] = {"encoded", "ln1",    "qkv",       "att", "atty",   "attproj", "residual2", "ln2",
                                   "fch",     "fch_gelu", "fcproj", "residual3", "lnf", "logits"};

Graph gpt_graph(const GptBatch& bt, const GptParams& p) {
  const Index B = bt.B, T = bt.T, H = p.H, C = p.wte.cols(), V = p.wte.rows();
  Graph g;
  auto leaf = [&](const char* name, const Matrix& m) { return g.leaf(name, {{m.rows(), m.cols()}, m}); };
  const Id wte = leaf("wte", p.wte), wpe = leaf("wpe", p.wpe.topRows(T));
  const Id ln1w = leaf("ln1w", p.ln1w), ln1b = leaf("ln1b", p.ln1b), attnw = leaf("attnw", p.attnw), attnb = leaf("attnb", p.attnb);
  const Id attprojw = leaf("attprojw", p.attprojw), attprojb = leaf("attprojb", p.attprojb);
  const Id ln2w = leaf("ln2w", p.ln2w), ln2b = leaf("ln2b", p.ln2b), fcw = leaf("fcw", p.fcw), fcb = leaf("fcb", p.fcb);
  const Id fcprojw = leaf("fcprojw", p.fcprojw), fcprojb = leaf("fcprojb", p.fcprojb);
  const Id lnfw = leaf("lnfw", p.lnfw), lnfb = leaf("lnfb", p.lnfb), lmw = leaf("lmw", p.lmw), lmb = leaf("lmb", p.lmb);
  std::vector<std::vector<Id>> stacks(std::size(kStacks));
  std::vector<Id> nll;
  auto linear = [&](const char* name, Index cols, Id x, Id W, Id bias, Index b) {
    return g.step(at(name, b), {T, cols}, {x, W, bias}, [=](const In& v) -> RMatrix { return linear_step(v[x], v[W], v[bias]); },
                  {R | L | I, K | L | I, K | L});
  };
  auto norm = [&](const char* name, Id x, Id w, Id bias, Index b) {
    return g.step(at(name, b), {T, C}, {x, w, bias}, [=](const In& v) -> RMatrix { return layer_norm(v[x], v[w], v[bias]); },
                  {R, L, L});  // not kCols on w and b: x's whole row is read (its statistics)
  };
  auto sum = [&](const char* name, Id a, Id c, Index b) {
    return g.step(at(name, b), {T, C}, {a, c}, [=](const In& v) -> RMatrix { return v[a] + v[c]; }, {R | K | L, R | K | L});
  };
  for (Index b = 1; b <= B; ++b) {
    const Index first = (b - 1) * T;
    Matrix xs(T, 1), ys(T, 1);
    for (Index t = 0; t < T; ++t) {
      xs(t, 0) = bt.x[static_cast<std::size_t>(first + t)];
      ys(t, 0) = bt.y[static_cast<std::size_t>(first + t)];
    }
    const Id x = g.data(at("x", b), {{T, 1}, xs}), y = g.data(at("y", b), {{T, 1}, ys});
    const Id m = g.data(at("mask", b), {{T, 1}, bt.mask.middleRows(first, T)});
    // Row t: wte[x_t] + wpe[t] (a lookup: wte's columns reach the output's columns).
    const Id enc = g.step(at("encoded", b), {T, C}, {wte, x, wpe}, [=](const In& v) -> RMatrix {
      RMatrix out = v[wpe];
      for (Index t = 0; t < out.rows(); ++t) out.row(t) += v[wte].row(static_cast<Index>(v[x](t, 0)));
      return out;
    }, {K | L, R, R | K | L});
    const Id ln1 = norm("ln1", enc, ln1w, ln1b, b);
    const Id qkv = linear("qkv", 3 * C, ln1, attnw, attnb, b);
    const Id att = g.step(at("att", b), {H * T, T}, {qkv}, [=](const In& v) -> RMatrix { return attention(v[qkv], H); });
    const Id atty = g.step(at("atty", b), {T, C}, {att, qkv}, [=](const In& v) -> RMatrix { return attend(v[att], v[qkv], H); },
                           {L, L});
    const Id attproj = linear("attproj", C, atty, attprojw, attprojb, b);
    const Id res2 = sum("residual2", enc, attproj, b);
    const Id ln2 = norm("ln2", res2, ln2w, ln2b, b);
    const Id fch = linear("fch", 4 * C, ln2, fcw, fcb, b);
    const Id fch_gelu = g.step(at("fch_gelu", b), {T, 4 * C}, {fch}, [=](const In& v) -> RMatrix { return gelu(v[fch]); }, {R | K});
    const Id fcproj = linear("fcproj", C, fch_gelu, fcprojw, fcprojb, b);
    const Id res3 = sum("residual3", res2, fcproj, b);
    const Id lnf = norm("lnf", res3, lnfw, lnfb, b);
    const Id logits = linear("logits", V, lnf, lmw, lmb, b);
    nll.push_back(g.step(at("nll", b), {T, 1}, {logits, y, m}, [=](const In& v) -> RMatrix {
      RMatrix out = RMatrix::Zero(v[logits].rows(), 1);
      for (Index t = 0; t < out.rows(); ++t) {
        if (v[m](t, 0) == 0.0L) continue;
        const Real top = v[logits].row(t).maxCoeff();
        out(t, 0) = top + std::log((v[logits].row(t).array() - top).exp().sum()) - v[logits](t, static_cast<Index>(v[y](t, 0)));
      }
      return out;
    }, {R, R, R}));
    const Id ids[] = {enc, ln1, qkv, att, atty, attproj, res2, ln2, fch, fch_gelu, fcproj, res3, lnf, logits};
    for (std::size_t k = 0; k < stacks.size(); ++k) stacks[k].push_back(ids[k]);
  }
  const Real count = static_cast<Real>(bt.count);
  g.set_loss(g.step("loss", {}, nll, [=](const In& v) -> RMatrix {
    Real total = 0.0L;
    for (Id n : nll) total += v[n].sum();
    return RMatrix::Constant(1, 1, total / count);
  }, std::vector<unsigned>(nll.size(), S | R | L)));
  for (std::size_t k = 0; k < stacks.size(); ++k) g.stack(kStacks[k], stacks[k]);
  g.forward();
  return g;
}

// The update check, judged exactly: with leaves u_k of the parameters' shapes, L = sum_k <u_k, P_k>
// is affine in them, so the numeric gradient of u_k is P_k, the parameter after `calls` updates
// (1 or 2), computed here in long double from the same start and gradients.
Graph update_graph(const GptUpdateCheck& u, int calls) {
  Graph g;
  std::vector<Id> terms;
  const Real lr1 = static_cast<Real>(u.lr1), lr2 = calls == 2 ? static_cast<Real>(u.lr2) : 0.0L;
  for (std::size_t k = 0; k < kGptParams.size(); ++k) {
    const Matrix& start = u.start.*kGptParams[k].field;
    const std::string name = kGptParams[k].name;
    const Shape shape{start.rows(), start.cols()};
    const Id p0 = g.data("start." + name, {shape, start}), g1 = g.data("g1." + name, {shape, u.g1[k]});
    const Id g2 = g.data("g2." + name, {shape, u.g2[k]});
    const Id leaf = g.leaf(name, {shape, Matrix::Zero(start.rows(), start.cols())});
    terms.push_back(g.step("moved." + name, {}, {leaf, p0, g1, g2}, [=](const In& v) -> RMatrix {
      return RMatrix::Constant(1, 1, (v[leaf].array() * (v[p0].array() - lr1 * v[g1].array() - lr2 * v[g2].array())).sum());
    }, {S | R | K | L, S | R | K, S | R | K, S | R | K}));
  }
  add_sum_loss(g, terms);
  g.forward();
  return g;
}

// Each row's mean and 1/sqrt(var + eps), in long double.
void stats(const RMatrix& x, Matrix& mean, Matrix& rstd) {
  const Real c = static_cast<Real>(x.cols()), eps = static_cast<Real>(kLayerNormEps);
  mean.resize(x.rows(), 1);
  rstd.resize(x.rows(), 1);
  for (Index r = 0; r < x.rows(); ++r) {
    const Real mu = x.row(r).sum() / c;
    mean(r, 0) = static_cast<double>(mu);
    rstd(r, 0) = static_cast<double>(1.0L / std::sqrt((x.row(r).array() - mu).square().sum() / c + eps));
  }
}

GptCache cache_of(const Graph& g) {
  auto of = [&](const char* name) { return Matrix(g.exact_of(name).cast<double>()); };
  GptCache c;
  c.encoded = of("encoded");
  c.ln1 = of("ln1");
  stats(g.exact_of("encoded"), c.ln1_mean, c.ln1_rstd);
  c.qkv = of("qkv");
  c.att = of("att");
  c.atty = of("atty");
  c.attproj = of("attproj");
  c.residual2 = of("residual2");
  c.ln2 = of("ln2");
  stats(g.exact_of("residual2"), c.ln2_mean, c.ln2_rstd);
  c.fch = of("fch");
  c.fch_gelu = of("fch_gelu");
  c.fcproj = of("fcproj");
  c.residual3 = of("residual3");
  c.lnf = of("lnf");
  stats(g.exact_of("residual3"), c.lnf_mean, c.lnf_rstd);
  const RMatrix z = g.exact_of("logits");
  c.logits = z.cast<double>();
  RMatrix e = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
  e = (e.array().colwise() / e.rowwise().sum().array()).matrix();
  c.probs = e.cast<double>();
  c.loss = g.loss();
  return c;
}

const std::vector<std::vector<int>>& train_names() {
  static const std::vector<std::vector<int>> names = encode_names(builtin_names().train);
  return names;
}

struct Drawn {
  GptBatch batch;
  GptParams params[2];
  GptUpdateCheck update;
};
Drawn draw(std::uint64_t seed, const Sizes& sizes) {
  const Rng rng(seed);
  const Index V = builtin_names().vocab.size(), T = sizes.at("T");
  Rng names = rng.fork("names");
  Drawn d;
  d.batch = gpt_batch(rnn_draw_batch(train_names(), sizes.at("B"), names), T);
  for (int set : {0, 1})
    d.params[set] = gpt_draw_params(rng.fork(set ? "params2" : "params"), V, sizes.at("H"), sizes.at("D"), T, set ? kGptScale : 1.0);
  d.update.start = d.params[1];
  Rng ru = rng.fork("update");
  for (std::vector<Matrix>* g : {&d.update.g1, &d.update.g2})
    for (const auto& f : kGptParams) {
      const Matrix& m = d.update.start.*f.field;
      g->push_back(ru.normal_matrix(m.rows(), m.cols()));
    }
  return d;
}

}  // namespace

void gpt_forward(const GptBatch& b, const GptParams& p, GptCache& c) {
  // The exact graph in long double would do, but it is far too slow to train with: the same
  // formulas in double, batched.
  const Index B = b.B, T = b.T, H = p.H, C = p.wte.cols(), V = p.wte.rows(), D = C / H, N = B * T;
  const double eps = kLayerNormEps, scale = 1.0 / std::sqrt(static_cast<double>(D));
  auto norm = [&](const Matrix& x, const Matrix& w, const Matrix& bias, Matrix& out, Matrix& mean, Matrix& rstd) {
    mean = x.rowwise().mean();
    const Matrix xmu = x.colwise() - mean.col(0);
    rstd = (xmu.array().square().rowwise().mean() + eps).rsqrt().matrix();
    out = ((xmu.array().colwise() * rstd.col(0).array()).rowwise() * w.row(0).array()).rowwise() + bias.row(0).array();
  };
  c.encoded.resize(N, C);
  for (Index r = 0; r < N; ++r) c.encoded.row(r) = p.wte.row(b.x[static_cast<std::size_t>(r)]) + p.wpe.row(r % T);
  norm(c.encoded, p.ln1w, p.ln1b, c.ln1, c.ln1_mean, c.ln1_rstd);
  c.qkv.noalias() = c.ln1 * p.attnw;
  c.qkv.rowwise() += p.attnb.row(0);
  c.att.setZero(B * H * T, T);
  c.atty.resize(N, C);
  for (Index bb = 0; bb < B; ++bb)
    for (Index h = 0; h < H; ++h) {
      const auto q = c.qkv.block(bb * T, h * D, T, D), k = c.qkv.block(bb * T, C + h * D, T, D);
      const auto v = c.qkv.block(bb * T, 2 * C + h * D, T, D);
      const Matrix z = q * k.transpose() * scale;
      auto a = c.att.middleRows((bb * H + h) * T, T);
      for (Index t = 0; t < T; ++t) {
        const double top = z.row(t).head(t + 1).maxCoeff();
        a.row(t).head(t + 1) = (z.row(t).head(t + 1).array() - top).exp().matrix();
        a.row(t) /= a.row(t).sum();
      }
      c.atty.block(bb * T, h * D, T, D).noalias() = a * v;
    }
  c.attproj.noalias() = c.atty * p.attprojw;
  c.attproj.rowwise() += p.attprojb.row(0);
  c.residual2 = c.encoded + c.attproj;
  norm(c.residual2, p.ln2w, p.ln2b, c.ln2, c.ln2_mean, c.ln2_rstd);
  c.fch.noalias() = c.ln2 * p.fcw;
  c.fch.rowwise() += p.fcb.row(0);
  const double k0 = std::sqrt(2.0 / 3.14159265358979323846), k1 = 0.044715;
  c.fch_gelu = (0.5 * c.fch.array() * (1.0 + (k0 * (c.fch.array() + k1 * c.fch.array().cube())).tanh())).matrix();
  c.fcproj.noalias() = c.fch_gelu * p.fcprojw;
  c.fcproj.rowwise() += p.fcprojb.row(0);
  c.residual3 = c.residual2 + c.fcproj;
  norm(c.residual3, p.lnfw, p.lnfb, c.lnf, c.lnf_mean, c.lnf_rstd);
  c.logits.noalias() = c.lnf * p.lmw;
  c.logits.rowwise() += p.lmb.row(0);
  c.probs.resize(N, V);
  double nll = 0.0;
  for (Index r = 0; r < N; ++r) {
    const double top = c.logits.row(r).maxCoeff();
    c.probs.row(r) = (c.logits.row(r).array() - top).exp();
    const double s = c.probs.row(r).sum();
    c.probs.row(r) /= s;
    if (b.mask(r, 0) != 0.0) nll += top + std::log(s) - c.logits(r, b.y[static_cast<std::size_t>(r)]);
  }
  c.loss = nll / b.count;
}

GptInstance exercise_15_instance(std::uint64_t seed, const Sizes& sizes) {
  Drawn d = draw(seed, sizes);
  GptInstance in;
  in.batch = d.batch;
  for (int set : {0, 1}) {
    in.params[set] = d.params[set];
    in.cache[set] = cache_of(gpt_graph(d.batch, d.params[set]));
  }
  in.update = std::move(d.update);
  return in;
}

Index gpt_block_size() {
  static const Index size = [] {
    const NamesDataset& d = builtin_names();
    Index longest = 0;
    for (const Split* s : {&d.train, &d.dev, &d.test})
      for (const auto& name : encode_names(*s)) longest = std::max(longest, static_cast<Index>(name.size()));
    return longest + 1;
  }();
  return size;
}

GptParams gpt_train_init(std::uint64_t seed) {
  const Rng rng = Rng(seed).fork("training").fork("params");
  const Index V = builtin_names().vocab.size(), H = kGptTrainHeads, C = H * kGptTrainHeadSize;
  const double s = 1.0 / std::sqrt(static_cast<double>(C)), s4 = 1.0 / std::sqrt(static_cast<double>(4 * C));
  GptParams p;
  p.H = H;
  p.wte = rng.fork("wte").normal_matrix(V, C);
  p.wpe = rng.fork("wpe").normal_matrix(gpt_block_size(), C);
  p.ln1w = p.ln2w = p.lnfw = Matrix::Ones(1, C);
  p.ln1b = p.ln2b = p.lnfb = p.attprojb = p.fcprojb = Matrix::Zero(1, C);
  p.attnw = rng.fork("attnw").normal_matrix(C, 3 * C, s);
  p.attnb = Matrix::Zero(1, 3 * C);
  p.attprojw = rng.fork("attprojw").normal_matrix(C, C, s);
  p.fcw = rng.fork("fcw").normal_matrix(C, 4 * C, s);
  p.fcb = Matrix::Zero(1, 4 * C);
  p.fcprojw = rng.fork("fcprojw").normal_matrix(4 * C, C, s4);
  p.lmw = rng.fork("lmw").normal_matrix(C, V, s);
  p.lmb = Matrix::Zero(1, V);
  return p;
}

bool gpt_finite(const GptParams& p) {
  for (const auto& f : kGptParams)
    if (!(p.*f.field).allFinite()) return false;
  return true;
}

double gpt_eval_loss(const GptParams& p, const std::vector<std::vector<int>>& names) {
  if (!gpt_finite(p)) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> order(names.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return names[i].size() < names[j].size(); });
  constexpr std::size_t kChunk = 256;
  double nll = 0.0, count = 0.0;
  GptCache c;
  for (std::size_t at = 0; at < order.size(); at += kChunk) {
    std::vector<const std::vector<int>*> chunk;
    for (std::size_t i = at; i < std::min(order.size(), at + kChunk); ++i) chunk.push_back(&names[order[i]]);
    const GptBatch b = gpt_batch(rnn_names_batch(chunk));
    gpt_forward(b, p, c);
    nll += c.loss * b.count;
    count += b.count;
  }
  return count > 0 ? nll / count : std::numeric_limits<double>::quiet_NaN();
}

std::string gpt_sample(const GptParams& p, const Vocabulary& vocab, Rng& rng) {
  std::vector<int> context{0};
  std::string out;
  GptCache c;
  while (static_cast<Index>(context.size()) < p.wpe.rows() + 1) {
    GptBatch b;
    b.B = 1;
    b.T = static_cast<Index>(context.size());
    b.x = context;
    b.y.assign(context.size(), 0);
    b.mask = Matrix::Ones(b.T, 1);
    b.count = static_cast<double>(b.T);
    if (b.T > p.wpe.rows()) break;
    gpt_forward(b, p, c);
    const Index ix = rng.softmax_sample(c.logits.bottomRows(1));
    if (ix == 0) break;
    out += vocab.itos(static_cast<int>(ix));
    context.push_back(static_cast<int>(ix));
  }
  return out;
}

namespace {
constexpr const char* kGradNodes[] = {"logits", "lnf", "residual3", "fch_gelu", "fch", "ln2", "residual2", "atty", "qkv", "ln1",
                                      "encoded", "wte", "wpe", "ln1w", "ln1b", "attnw", "attnb", "attprojw", "attprojb", "ln2w",
                                      "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb", "lmw", "lmb"};
}  // namespace

const char* gpt_grad_name(int set, int field) {
  static const std::vector<std::vector<std::string>> names = [] {
    std::vector<std::vector<std::string>> out;
    for (const char* prefix : {"", "p2."}) {
      out.emplace_back();
      for (const char* n : kGradNodes) out.back().push_back(prefix + std::string("d") + n);
    }
    return out;
  }();
  return names.at(static_cast<std::size_t>(set)).at(static_cast<std::size_t>(field)).c_str();
}

ExerciseInfo exercise_15_info() {
  std::vector<GradientSpec> grads;
  for (int set : {0, 1})
    for (std::size_t k = 0; k < std::size(kGradNodes); ++k)
      grads.push_back({gpt_grad_name(set, static_cast<int>(k)), set, kGradNodes[k], "gpt_backward"});
  // The updates, exact (rounding alone: 1e-16 of the parameter's size).
  for (int call : {1, 2})
    for (const auto& f : kGptParams)
      grads.push_back({std::string(call == 1 ? "sgd." : "sgd2.") + f.name, call + 1, f.name, "gpt_sgd_step", 1e-13});
  ExerciseInfo info{15,
          "gpt",
          "a GPT block trained on names",
          "exercise_15_gpt.cpp",
          {{"B", "names", 2, 1, 4}, {"T", "positions", 6, 2, 10}, {"H", "heads", 2, 1, 3}, {"D", "channels per head", 4, 4, 6}},
          std::move(grads),
          [](std::uint64_t seed, const Sizes& sizes) {
            const Drawn d = draw(seed, sizes);
            return std::vector<Graph>{gpt_graph(d.batch, d.params[0]), gpt_graph(d.batch, d.params[1]), update_graph(d.update, 1),
                                      update_graph(d.update, 2)};
          }};
  // Then training (S steps at the run's own sizes; 0: none), judged by checker/src/judge/gpt_training.cpp.
  info.sizes.push_back({"S", "training steps (0: no training)", kGptDefaultSteps, 0, 1000000, false});
  info.trains_gpt = true;
  info.timeout_seconds = 60.0;
  return info;
}

}  // namespace bpdojo
