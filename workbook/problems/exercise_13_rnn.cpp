// Exercise 13: the problem, a vanilla RNN unrolled over a batch of padded names, with the hidden
// state detached every k steps (k >= T: full BPTT). Each time step has nodes of its own, a@t and
// h@t (N,H), logits@t (N,V) and nll@t (N,1), and the stacks a, h and logits read them as (T*N, .) in
// time order. The loss is softmax cross-entropy averaged over the batch's real positions (mask@t).
// Then clipping (clip_graph): the clipped gradients as the numeric gradient of an affine loss.
// Last, the gradient flow: the same graph over windows of text whose loss is at the last step, with
// a small Whh and a large one.
#include "problems/exercise_13_rnn.hpp"
#include "problems/exercise_13_rnn_train.hpp"
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace bpdojo {

std::vector<std::vector<int>> encode_names(const Split& split) {
  // split.Y holds every name's characters, each name followed by its end '.' (build_examples).
  std::vector<std::vector<int>> out(1);
  for (int c : split.Y) {
    if (c == 0) out.emplace_back();
    else out.back().push_back(c);
  }
  out.pop_back();  // the empty one after the last '.'
  return out;
}

RnnBatch rnn_names_batch(const std::vector<const std::vector<int>*>& names) {
  RnnBatch b;
  b.N = static_cast<Index>(names.size());
  Index longest = 0;
  for (const auto* c : names) longest = std::max(longest, static_cast<Index>(c->size()));
  b.T = longest + 1;
  const auto cells = static_cast<std::size_t>(b.T * b.N);
  b.x.assign(cells, 0);
  b.y.assign(cells, 0);
  b.mask = Matrix::Zero(b.T * b.N, 1);
  for (Index i = 0; i < b.N; ++i) {
    const std::vector<int>& c = *names[static_cast<std::size_t>(i)];
    const Index len = static_cast<Index>(c.size());
    for (Index t = 1; t <= len + 1; ++t) {
      const auto r = static_cast<std::size_t>((t - 1) * b.N + i);
      b.x[r] = t == 1 ? 0 : c[static_cast<std::size_t>(t - 2)];
      b.y[r] = t == len + 1 ? 0 : c[static_cast<std::size_t>(t - 1)];
      b.mask(static_cast<Index>(r), 0) = 1.0;
    }
  }
  b.count = b.mask.sum();
  return b;
}

RnnBatch rnn_draw_batch(const std::vector<std::vector<int>>& names, Index N, Rng& rng) {
  std::vector<const std::vector<int>*> picked;
  for (Index i = 0; i < N; ++i) picked.push_back(&names[rng.below(names.size())]);
  return rnn_names_batch(picked);
}

namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum, I = Graph::kInner;
using Id = Graph::NodeId;
using In = Graph::Inputs;

std::string at(const char* name, Index t) { return stack_member(name, static_cast<std::size_t>(t)); }

// The training split's names as character indices, encoded once.
const std::vector<std::vector<int>>& train_names() {
  static const std::vector<std::vector<int>> names = encode_names(builtin_names().train);
  return names;
}

// A gradient-flow batch: N windows of T characters of the training names run together, each from
// a '.' before a name drawn with the seed; the target is the character after the window, and the
// loss counts the last step alone.
RnnBatch draw_flow_batch(Rng rng, Index N, Index T) {
  const std::vector<std::vector<int>>& names = train_names();
  RnnBatch b;
  b.N = N;
  b.T = T;
  b.x.assign(static_cast<std::size_t>(T * N), 0);
  b.y.assign(static_cast<std::size_t>(T * N), 0);
  b.mask = Matrix::Zero(T * N, 1);
  for (Index i = 0; i < N; ++i) {
    std::vector<int> text{0};
    for (std::size_t n = rng.below(names.size()); static_cast<Index>(text.size()) <= T; ++n) {
      const std::vector<int>& c = names[n % names.size()];
      text.insert(text.end(), c.begin(), c.end());
      text.push_back(0);
    }
    for (Index t = 1; t <= T; ++t) {
      const auto r = static_cast<std::size_t>((t - 1) * N + i);
      b.x[r] = text[static_cast<std::size_t>(t - 1)];
      b.y[r] = text[static_cast<std::size_t>(t)];
    }
    b.mask((T - 1) * N + i, 0) = 1.0;
  }
  b.count = static_cast<double>(N);
  return b;
}

RnnParams draw_params(const Rng& rng, Index V, Index H, double whh_gain = 1.0) {
  const double s = 1.0 / std::sqrt(static_cast<double>(H));
  RnnParams p;
  p.Wxh = rng.fork("Wxh").normal_matrix(V, H, 0.5);
  p.Whh = rng.fork("Whh").normal_matrix(H, H, whh_gain * s);
  p.bh = rng.fork("bh").normal_matrix(1, H, 0.1);
  p.Why = rng.fork("Why").normal_matrix(H, V, s);
  p.by = rng.fork("by").normal_matrix(1, V, 0.1);
  p.h0 = rng.fork("h0").normal_matrix(1, H, 0.5);
  return p;
}

// The column of a step's rows (t-1)*N .. t*N-1 of a time-major vector.
Matrix at_step(const std::vector<int>& v, Index t, Index N) {
  Matrix m(N, 1);
  for (Index i = 0; i < N; ++i) m(i, 0) = v[static_cast<std::size_t>((t - 1) * N + i)];
  return m;
}

Graph rnn_graph(const RnnBatch& b, const RnnParams& p, Index k) {
  const Index N = b.N, T = b.T, V = p.Wxh.rows(), H = p.Whh.rows();
  Graph g;
  std::vector<Id> X, Y, M;
  for (Index t = 1; t <= T; ++t) {
    X.push_back(g.data(at("x", t), {{N, 1}, at_step(b.x, t, N)}));
    Y.push_back(g.data(at("y", t), {{N, 1}, at_step(b.y, t, N)}));
    M.push_back(g.data(at("mask", t), {{N, 1}, b.mask.middleRows((t - 1) * N, N)}));
  }
  const Id Wxh = g.leaf("Wxh", {{V, H}, p.Wxh});
  const Id Whh = g.leaf("Whh", {{H, H}, p.Whh});
  const Id bh = g.leaf("bh", {{1, H}, p.bh});
  const Id Why = g.leaf("Why", {{H, V}, p.Why});
  const Id by = g.leaf("by", {{1, V}, p.by});
  const Id h0 = g.leaf("h0", {{1, H}, p.h0});
  std::vector<Id> a, h, logits;
  for (Index t = 1; t <= T; ++t) {
    Id prev = h0;
    unsigned prev_dep = L | I;  // h0 (1,H), the same row for every name
    if (t > 1) {
      prev = h.back(), prev_dep = R | L | I;
      if ((t - 1) % k == 0) {
        // Detached: the value of h_{t-1}, as data the finite differences never reach through.
        g.forward();
        prev = g.data(at("h", t - 1) + ".detached", {{N, H}, g.value(h.back())});
      }
    }
    const Id x = X[static_cast<std::size_t>(t - 1)];
    // Wxh[x_t] + h_{t-1} Whh + bh: the product's operands are declared kInner, so that a column
    // of the product is its share of one inner index (Graph::Dep).
    a.push_back(g.step(at("a", t), {N, H}, {Wxh, x, prev, Whh, bh}, [=](const In& v) -> RMatrix {
      const RMatrix& rows = v[x];
      RMatrix out = linear_step(v[prev], v[Whh], v[bh]);
      if (out.rows() != rows.rows()) out = out.replicate(rows.rows(), 1).eval();  // h0, one row for all
      for (Index i = 0; i < rows.rows(); ++i) out.row(i) += v[Wxh].row(static_cast<Index>(rows(i, 0)));
      return out;
    }, {K | L, R, prev_dep, K | L | I, K | L}));
    h.push_back(g.step(at("h", t), {N, H}, {a.back()}, [id = a.back()](const In& v) -> RMatrix {
      return v[id].array().tanh();
    }, {R | K}));
    const Id ht = h.back();
    logits.push_back(g.step(at("logits", t), {N, V}, {ht, Why, by}, [=](const In& v) -> RMatrix {
      return linear_step(v[ht], v[Why], v[by]);
    }, {R | L | I, K | L | I, K | L}));
  }
  // Each step's -log softmax(logits)[y] at the real positions (0 at padding), a row of its own per
  // name; the loss, their mean over the real positions, a sum over the names (kSum) of each name's
  // steps. (One step reading every logits@t at once would recompute a name's whole sequence for a
  // change of one logit.)
  std::vector<Id> nll;
  for (Index t = 1; t <= T; ++t) {
    const auto s = static_cast<std::size_t>(t - 1);
    const Id z = logits[s], y = Y[s], m = M[s];
    nll.push_back(g.step(at("nll", t), {N, 1}, {z, y, m}, [=](const In& v) -> RMatrix {
      RMatrix out = RMatrix::Zero(v[z].rows(), 1);
      for (Index i = 0; i < v[z].rows(); ++i) {
        if (v[m](i, 0) == 0.0L) continue;
        const Real top = v[z].row(i).maxCoeff();
        out(i, 0) = top + std::log((v[z].row(i).array() - top).exp().sum()) - v[z](i, static_cast<Index>(v[y](i, 0)));
      }
      return out;
    }, {R, R, R}));
  }
  const Real count = static_cast<Real>(b.count);
  g.set_loss(g.step("loss", {}, nll, [=](const In& v) -> RMatrix {
    Real sum = 0.0L;
    for (Id n : nll) sum += v[n].sum();
    return RMatrix::Constant(1, 1, sum / count);
  }, std::vector<unsigned>(nll.size(), S | R | L)));
  g.stack("a", a);
  g.stack("h", h);
  g.stack("logits", logits);
  g.forward();
  return g;
}

// Gradients of the parameters' shapes with the global norm kClipNorm (up to rounding to double), and
// max_norm at `times` it.
ClipCase draw_clip(Rng rng, Index V, Index H, double times) {
  const Index shapes[6][2] = {{V, H}, {H, H}, {1, H}, {H, V}, {1, V}, {1, H}};
  ClipCase c;
  Real squares = 0.0L;
  for (const auto& shape : shapes) {
    c.grads.push_back(rng.normal_matrix(shape[0], shape[1]));
    squares += c.grads.back().cast<Real>().squaredNorm();
  }
  const double scale = static_cast<double>(static_cast<Real>(kClipNorm) / std::sqrt(squares));
  for (Matrix& g : c.grads) g *= scale;
  c.max_norm = times * kClipNorm;
  return c;
}

struct Drawn {
  RnnBatch batch;
  RnnParams params;
  Index k;
  ClipCase clip, noclip;
  RnnBatch flow_batch;  // both gradient-flow cases read the same windows
  RnnParams vanish, explode;
};
Drawn draw(std::uint64_t seed, const Sizes& sizes) {
  Rng rng(seed);
  const Index V = builtin_names().vocab.size(), H = sizes.at("H");
  const Rng flow = rng.fork("flow");
  Rng names = rng.fork("names");
  return {rnn_draw_batch(train_names(), sizes.at("N"), names),
          draw_params(rng.fork("params"), V, H),
          sizes.at("K"),
          draw_clip(rng.fork("clip"), V, H, 0.4),
          draw_clip(rng.fork("noclip"), V, H, 1.5),
          draw_flow_batch(flow.fork("windows"), kFlowN, kFlowT),
          draw_params(flow.fork("params"), V, kFlowH, kVanishingGain),
          draw_params(flow.fork("params"), V, kFlowH, kExplodingGain)};
}

// The forward pass's values as the learner's cache: a, h and logits from the exact graph, probs each
// row's softmax of the exact logits in long double, all rounded once to double.
RnnCache cache_of(const Graph& g) {
  RnnCache c;
  c.a = g.exact_of("a").cast<double>();
  c.h = g.exact_of("h").cast<double>();
  const RMatrix z = g.exact_of("logits");
  c.logits = z.cast<double>();
  RMatrix e = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
  e = (e.array().colwise() / e.rowwise().sum().array()).matrix();
  c.probs = e.cast<double>();
  c.loss = g.loss();
  return c;
}

// Clipping, judged against the exact result: with leaves u_k of the gradients' shapes (and u for the
// norm), L = u * total + sum_k <u_k, s G_k> is affine in them, so the numeric gradient of u_k is
// the clipped gradient s G_k and that of u the norm, computed here in long double from the same G.
Graph clip_graph(const ClipCase& c) {
  Graph g;
  Real squares = 0.0L;
  for (const Matrix& m : c.grads) squares += m.cast<Real>().squaredNorm();
  const Real total = std::sqrt(squares);
  const Real scale = std::min(1.0L, static_cast<Real>(c.max_norm) / (total + static_cast<Real>(kClipEps)));
  std::vector<Id> terms;
  const Id norm = g.leaf("total_norm", {{1, 1}, Matrix::Zero(1, 1)});
  for (std::size_t k = 0; k < c.grads.size(); ++k) {
    const Matrix& m = c.grads[k];
    const Id G = g.data(std::string("G") + kClipNames[k], {{m.rows(), m.cols()}, m});
    const Id u = g.leaf(kClipNames[k], {{m.rows(), m.cols()}, Matrix::Zero(m.rows(), m.cols())});
    terms.push_back(g.step(std::string("clipped") + kClipNames[k], {}, {u, G}, [=](const In& v) -> RMatrix {
      return RMatrix::Constant(1, 1, scale * (v[u].array() * v[G].array()).sum());
    }, {S | R | K | L, S | R | K}));
  }
  std::vector<Id> reads = terms;
  reads.push_back(norm);
  g.set_loss(g.step("loss", {}, reads, [=](const In& v) -> RMatrix {
    Real sum = v[norm](0, 0) * total;
    for (Id t : terms) sum += v[t](0, 0);
    return RMatrix::Constant(1, 1, sum);
  }, std::vector<unsigned>(reads.size(), L)));
  g.forward();
  return g;
}

}  // namespace

RnnInstance exercise_13_instance(std::uint64_t seed, const Sizes& sizes) {
  Drawn d = draw(seed, sizes);
  RnnInstance in;
  in.k = static_cast<int>(d.k);
  in.cache = cache_of(rnn_graph(d.batch, d.params, d.batch.T));
  in.vanish.cache = cache_of(rnn_graph(d.flow_batch, d.vanish, kFlowT));
  in.explode.cache = cache_of(rnn_graph(d.flow_batch, d.explode, kFlowT));
  in.batch = std::move(d.batch);
  in.params = std::move(d.params);
  in.clip = std::move(d.clip);
  in.noclip = std::move(d.noclip);
  in.vanish.batch = d.flow_batch;
  in.explode.batch = std::move(d.flow_batch);
  in.vanish.params = std::move(d.vanish);
  in.explode.params = std::move(d.explode);
  return in;
}

const char* rnn_grad_name(RnnCall call, int field) {
  static const std::vector<std::vector<std::string>> names = [] {
    std::vector<std::vector<std::string>> out;
    for (const char* prefix : {"", "trunc.", "vanish.", "explode."}) {
      out.emplace_back();
      for (const char* g : {"dlogits", "dWhy", "dby", "dh", "da", "dWxh", "dWhh", "dbh", "dh0"}) out.back().push_back(prefix + std::string(g));
    }
    return out;
  }();
  return names.at(static_cast<std::size_t>(call)).at(static_cast<std::size_t>(field)).c_str();
}

ExerciseInfo exercise_13_info() {
  const char* fn = "rnn_backward";
  std::vector<GradientSpec> grads;
  for (int problem : {0, 1}) {
    const std::string p = problem == 0 ? "" : "trunc.";
    for (const char* node : {"logits", "Why", "by", "h", "a", "Wxh", "Whh", "bh", "h0"})
      grads.push_back({p + "d" + node, problem, node, fn});
  }
  // Clipping: the norm, then each clipped gradient; below max_norm, each left as it is.
  grads.push_back({"clip.total_norm", 2, "total_norm", "clip_grad_norm"});
  for (int problem : {2, 3})
    for (const char* node : kClipNames)
      grads.push_back({std::string(problem == 2 ? "clip." : "noclip.") + "d" + node, problem, node, "clip_grad_norm"});
  // The gradient flow: dL_T/dh_t at every step, Whh small, then large.
  grads.push_back({"vanish.dh", 4, "h", fn});
  grads.push_back({"explode.dh", 5, "h", fn});
  ExerciseInfo info{13,
                    "rnn",
                    "an RNN: backpropagation through time, full and truncated",
                    "exercise_13_rnn.cpp",
                    {{"N", "names in the batch", 8, 1, 64}, {"H", "hidden units", 16, 1, 128},
                     {"K", "steps between detachments (truncated BPTT)", 3, 1, 16}},
                    std::move(grads),
                    [](std::uint64_t seed, const Sizes& sizes) {
                      const Drawn d = draw(seed, sizes);
                      return std::vector<Graph>{rnn_graph(d.batch, d.params, d.batch.T), rnn_graph(d.batch, d.params, d.k),
                                                clip_graph(d.clip), clip_graph(d.noclip),
                                                rnn_graph(d.flow_batch, d.vanish, kFlowT), rnn_graph(d.flow_batch, d.explode, kFlowT)};
                    }};
  info.gradient_flow = true;
  // Then training, full BPTT and truncated (problems/exercise_13_rnn_train.hpp), S steps each.
  info.sizes.push_back({"S", "training steps of each run, full and truncated BPTT (0: no training)", kRnnDefaultSteps, 0, 1000000, false});
  info.trains_rnn = true;
  info.timeout_seconds = 60.0;
  return info;
}

}  // namespace bpdojo
