// Exercise 14: the problems, causal self-attention over B sequences of T positions. Part 1, one
// head step by step: x (T,C) -> q, k, v = x Wq, x Wk, x Wv (T,D) -> scores = q k^T / sqrt(D) (T,T)
// -> e = exp(scores - maxes) where s <= t, 0 where s > t (maxes: each row's largest score over
// s <= t, a constant) -> esum (T,1) -> att = e / esum -> y = att v
// -> out = y Wo + bo (T,C). Part 2, H heads as GPT-2's layer: qkv = x W_attn + b_attn (T,3C) ->
// scores (H*T,T) -> att, each row's softmax over s <= t -> y (T,C), the heads side by side ->
// out = y W_proj + b_proj. L = sum over the sequences of sum(out .* G).
//
// Every node is one sequence's, named <node>@b (b from 1) and stacked as <node> (B*T rows, or
// B*H*T): attention mixes the positions of a sequence, so a change of one element reaches its own
// sequence's nodes and no other, and each step's Dep flags say which rows within it.
#include "problems/exercise_14_attention.hpp"
#include "bpdojo/rng.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace bpdojo {
namespace {

constexpr unsigned R = Graph::kRows, K = Graph::kCols, L = Graph::kLinear, S = Graph::kSum, I = Graph::kInner;
using Id = Graph::NodeId;
using In = Graph::Inputs;

std::string at(const char* name, Index b) { return stack_member(name, static_cast<std::size_t>(b)); }

// The causal mask of one sequence, `heads` times down the rows: 1 where s <= t, 0 where s > t.
Matrix causal_mask(Index T, Index heads) {
  Matrix m = Matrix::Zero(heads * T, T);
  for (Index r = 0; r < heads * T; ++r) m.row(r).head(r % T + 1).setOnes();
  return m;
}

// sum over the sequences of sum(out@b .* G@b), a term per element (kSum).
void add_loss(Graph& g, const std::vector<Id>& out, const std::vector<Id>& G) {
  std::vector<Id> inputs = out;
  inputs.insert(inputs.end(), G.begin(), G.end());
  std::vector<unsigned> deps(out.size(), S | R | K | L);
  deps.insert(deps.end(), G.size(), S | R | K);
  const std::size_t n = out.size();
  g.set_loss(g.step("L", {}, inputs, [=](const In& v) -> RMatrix {
    Real sum = 0.0L;
    for (std::size_t i = 0; i < n; ++i) sum += (v[out[i]].array() * v[G[i]].array()).sum();
    return RMatrix::Constant(1, 1, sum);
  }, deps));
}

// An input of T positions per sequence whose rows differ in size, as a residual stream's do.
Matrix draw_x(Rng r, Index T, Index C) {
  const Matrix spread = r.uniform_matrix(T, 1, 0.5, 1.5);
  return r.normal_matrix(T, C).array().colwise() * spread.col(0).array();
}

Graph single_head(std::uint64_t seed, const Sizes& sizes) {
  const Index B = sizes.at("B"), T = sizes.at("T"), H = sizes.at("H"), D = sizes.at("D"), C = H * D;
  const Rng rng = Rng(seed).fork("head");
  Graph g;
  const double s_in = 1.0 / std::sqrt(static_cast<double>(C)), s_out = 1.0 / std::sqrt(static_cast<double>(D));
  const Id Wq = g.leaf("Wq", {{C, D}, rng.fork("Wq").normal_matrix(C, D, s_in)});
  const Id Wk = g.leaf("Wk", {{C, D}, rng.fork("Wk").normal_matrix(C, D, s_in)});
  const Id Wv = g.leaf("Wv", {{C, D}, rng.fork("Wv").normal_matrix(C, D, s_in)});
  const Id Wo = g.leaf("Wo", {{D, C}, rng.fork("Wo").normal_matrix(D, C, s_out)});
  const Id bo = g.leaf("bo", {{1, C}, rng.fork("bo").normal_matrix(1, C, 0.1)});
  const Id mask = g.data("mask", {{T, T}, causal_mask(T, 1)});
  const Real scale = 1.0L / std::sqrt(static_cast<Real>(D));
  std::vector<Id> x, q, k, v, scores, maxes, e, esum, att, y, out, G;
  Rng rx = rng.fork("x"), rG = rng.fork("G");
  for (Index b = 1; b <= B; ++b) {
    x.push_back(g.leaf(at("x", b), {{T, C}, draw_x(rx.fork(at("x", b).c_str()), T, C)}));
    G.push_back(g.data(at("G", b), {{T, C}, rG.fork(at("G", b).c_str()).normal_matrix(T, C)}));
    const Id xb = x.back();
    auto project = [&](const char* name, Id W) {
      return g.step(at(name, b), {T, D}, {xb, W}, [=](const In& in) -> RMatrix { return in[xb] * in[W]; },
                    {R | L | I, K | L | I});
    };
    const Id qb = q.emplace_back(project("q", Wq)), kb = k.emplace_back(project("k", Wk));
    const Id vb = v.emplace_back(project("v", Wv));
    // Row t of the scores reads row t of q and every row of k.
    const Id sb = scores.emplace_back(g.step(at("scores", b), {T, T}, {qb, kb}, [=](const In& in) -> RMatrix {
      return in[qb] * in[kb].transpose() * scale;
    }, {R | L, L}));
    // Each row's largest score over s <= t, subtracted before exp as a softmax does: a constant (data)
    // that cancels in att, which keeps e in (0, 1] and esum in [1, T]. Without it e and esum
    // would span orders of magnitude (exp(8) beside exp(-1)), and a difference step scaled to the
    // largest esum would be too wide for the smallest.
    g.forward();
    Matrix top(T, 1);
    for (Index t = 0; t < T; ++t) top(t, 0) = static_cast<double>(g.exact(sb).row(t).head(t + 1).maxCoeff());
    const Id mb = maxes.emplace_back(g.data(at("maxes", b), {{T, 1}, top}));
    // The mask is data read element for element: a cut of the step is a cut of the mask.
    const Id eb = e.emplace_back(g.step(at("e", b), {T, T}, {sb, mb, mask}, [=](const In& in) -> RMatrix {
      return in[mask].array() * (in[sb].colwise() - in[mb].col(0)).array().exp();
    }, {R | K, R, R | K}));
    const Id nb = esum.emplace_back(g.step(at("esum", b), {T, 1}, {eb}, [=](const In& in) -> RMatrix {
      return in[eb].rowwise().sum();
    }, {R | L}));
    const Id ab = att.emplace_back(g.step(at("att", b), {T, T}, {eb, nb}, [=](const In& in) -> RMatrix {
      return in[eb].array().colwise() / in[nb].col(0).array();
    }, {R | K | L, R}));
    const Id yb = y.emplace_back(g.step(at("y", b), {T, D}, {ab, vb}, [=](const In& in) -> RMatrix {
      return in[ab] * in[vb];
    }, {R | L | I, K | L | I}));
    out.push_back(g.step(at("out", b), {T, C}, {yb, Wo, bo}, [=](const In& in) -> RMatrix {
      return linear_step(in[yb], in[Wo], in[bo]);
    }, {R | L | I, K | L | I, K | L}));
  }
  add_loss(g, out, G);
  for (const auto& [name, ids] : {std::pair<const char*, const std::vector<Id>*>{"x", &x}, {"q", &q}, {"k", &k}, {"v", &v},
                                  {"scores", &scores}, {"maxes", &maxes}, {"e", &e}, {"esum", &esum}, {"att", &att}, {"y", &y},
                                  {"out", &out}, {"G", &G}})
    g.stack(name, *ids);
  g.forward();
  return g;
}

// `twin`: the same function in smaller steps, the graph the checker's numeric reference is taken
// from (Graph::set_reference_twin). Every head's q, k and v is a node of its own, sliced from qkv
// (a row of qkv reaches a row of each), and its scores another, (T,T), read by the stacked scores:
// a change of one element of qkv then recomputes a row of a slice, a change of k_h one head's
// scores, where the learner's graph, whose scores read qkv whole, recomputes the sequence's every
// head (seven times the work at the maxima).
Graph multi_head(std::uint64_t seed, const Sizes& sizes, bool twin = false) {
  const Index B = sizes.at("B"), T = sizes.at("T"), H = sizes.at("H"), D = sizes.at("D"), C = H * D;
  const Rng rng = Rng(seed).fork("heads");
  Graph g;
  const double s_in = 1.0 / std::sqrt(static_cast<double>(C));
  const Id W_attn = g.leaf("W_attn", {{C, 3 * C}, rng.fork("W_attn").normal_matrix(C, 3 * C, s_in)});
  const Id b_attn = g.leaf("b_attn", {{1, 3 * C}, rng.fork("b_attn").normal_matrix(1, 3 * C, 0.1)});
  const Id W_proj = g.leaf("W_proj", {{C, C}, rng.fork("W_proj").normal_matrix(C, C, s_in)});
  const Id b_proj = g.leaf("b_proj", {{1, C}, rng.fork("b_proj").normal_matrix(1, C, 0.1)});
  const Id mask = g.data("mask", {{H * T, T}, causal_mask(T, H)});
  const Real scale = 1.0L / std::sqrt(static_cast<Real>(D));
  std::vector<Id> x, qkv, scores, att, y, out, G;
  Rng rx = rng.fork("x"), rG = rng.fork("G");
  for (Index b = 1; b <= B; ++b) {
    x.push_back(g.leaf(at("x", b), {{T, C}, draw_x(rx.fork(at("x", b).c_str()), T, C)}));
    G.push_back(g.data(at("G", b), {{T, C}, rG.fork(at("G", b).c_str()).normal_matrix(T, C)}));
    const Id xb = x.back();
    const Id pb = qkv.emplace_back(g.step(at("qkv", b), {T, 3 * C}, {xb, W_attn, b_attn}, [=](const In& in) -> RMatrix {
      return linear_step(in[xb], in[W_attn], in[b_attn]);
    }, {R | L | I, K | L | I, K | L}));
    std::vector<Id> vh;  // the twin's v_h, h = 0 .. H-1
    if (!twin) {
      // Head h's rows h*T .. h*T+T-1: q_h k_h^T / sqrt(D), every (t, s). Its q and k are columns
      // of qkv: no flag says which, so a change of one element of qkv recomputes the sequence's
      // scores (the twin's steps do less).
      scores.push_back(g.step(at("scores", b), {H * T, T}, {pb}, [=](const In& in) -> RMatrix {
        const RMatrix& p = in[pb];
        RMatrix s(H * T, T);
        for (Index h = 0; h < H; ++h)
          s.middleRows(h * T, T) = p.middleCols(h * D, D) * p.middleCols(C + h * D, D).transpose() * scale;
        return s;
      }));
    } else {
      std::vector<Id> sh;
      auto slice = [&](const char* what, Index h, Index first) {
        const std::string name = "head" + std::to_string(h + 1) + "." + at(what, b);
        return g.step(name, {T, D}, {pb}, [=](const In& in) -> RMatrix { return in[pb].middleCols(first, D); }, {R | L});
      };
      for (Index h = 0; h < H; ++h) {
        const Id qh = slice("q", h, h * D), kh = slice("k", h, C + h * D);
        vh.push_back(slice("v", h, 2 * C + h * D));
        sh.push_back(g.step("head" + std::to_string(h + 1) + "." + at("scores", b), {T, T}, {qh, kh},
                            [=](const In& in) -> RMatrix { return in[qh] * in[kh].transpose() * scale; }, {R | L, L}));
      }
      scores.push_back(g.step(at("scores", b), {H * T, T}, sh, [=](const In& in) -> RMatrix {
        RMatrix s(H * T, T);
        for (Index h = 0; h < H; ++h) s.middleRows(h * T, T) = in[sh[static_cast<std::size_t>(h)]];
        return s;
      }, std::vector<unsigned>(sh.size(), L)));
    }
    const Id sb = scores.back();
    const Id ab = att.emplace_back(g.step(at("att", b), {H * T, T}, {sb, mask}, [=](const In& in) -> RMatrix {
      // Each row's largest unmasked score subtracted first (it cancels): exp never overflows.
      const RMatrix& z = in[sb];
      const RMatrix& m = in[mask];
      RArray e(z.rows(), z.cols());
      for (Index r = 0; r < z.rows(); ++r) {
        Real top = -std::numeric_limits<Real>::infinity();
        for (Index c = 0; c < z.cols(); ++c)
          if (m(r, c) != 0.0L) top = std::max(top, z(r, c));
        e.row(r) = m.row(r).array() * (z.row(r).array() - top).exp();
      }
      return (e.colwise() / e.rowwise().sum()).matrix();
    }, {R, R}));
    // Linear in att and in qkv (its v columns), or in the twin's v_h.
    std::vector<Id> reads{ab};
    if (twin) reads.insert(reads.end(), vh.begin(), vh.end());
    else reads.push_back(pb);
    const Id yb = y.emplace_back(g.step(at("y", b), {T, C}, reads, [=](const In& in) -> RMatrix {
      RMatrix heads(T, C);
      for (Index h = 0; h < H; ++h)
        heads.middleCols(h * D, D) = in[ab].middleRows(h * T, T) *
                                     (twin ? in[vh[static_cast<std::size_t>(h)]] : RMatrix(in[pb].middleCols(2 * C + h * D, D)));
      return heads;
    }, std::vector<unsigned>(reads.size(), L)));
    out.push_back(g.step(at("out", b), {T, C}, {yb, W_proj, b_proj}, [=](const In& in) -> RMatrix {
      return linear_step(in[yb], in[W_proj], in[b_proj]);
    }, {R | L | I, K | L | I, K | L}));
  }
  add_loss(g, out, G);
  g.forward();
  if (twin) return g;
  for (const auto& [name, ids] : {std::pair<const char*, const std::vector<Id>*>{"x", &x}, {"qkv", &qkv}, {"scores", &scores},
                                  {"att", &att}, {"y", &y}, {"out", &out}, {"G", &G}})
    g.stack(name, *ids);
  g.set_reference_twin(multi_head(seed, sizes, true));
  return g;
}

}  // namespace

AttentionInstance exercise_14_instance(std::uint64_t seed, const Sizes& sizes) {
  const Index B = sizes.at("B"), T = sizes.at("T"), H = sizes.at("H");
  const Graph one = single_head(seed, sizes), many = multi_head(seed, sizes);
  auto of = [](const Graph& g, const char* name) -> Matrix {
    return g.is_stack(name) ? Matrix(g.exact_of(name).cast<double>()) : g.value(g.id(name));
  };
  AttentionInstance in;
  in.head = {B, T, of(one, "x"), of(one, "Wq"), of(one, "Wk"), of(one, "Wv"), of(one, "q"), of(one, "k"), of(one, "v"),
             of(one, "scores"), of(one, "maxes"), of(one, "e"), of(one, "esum"), of(one, "att"), of(one, "y"), of(one, "Wo"), of(one, "bo"),
             of(one, "out")};
  in.head_dout = of(one, "G");
  in.heads = {B, T, H, of(many, "x"), of(many, "W_attn"), of(many, "b_attn"), of(many, "qkv"), of(many, "att"),
              of(many, "y"), of(many, "W_proj"), of(many, "b_proj"), of(many, "out")};
  in.heads_dout = of(many, "G");
  return in;
}

ExerciseInfo exercise_14_info() {
  const char* one = "head_backward";
  const char* many = "attention_backward";
  return {14,
          "attention",
          "causal self-attention",
          "exercise_14_attention.cpp",
          {{"B", "sequences", 2, 1, 4}, {"T", "positions", 6, 2, 10}, {"H", "heads", 2, 1, 4}, {"D", "channels per head", 8, 1, 8}},
          {{"dy", 0, "y", one},
           {"dWo", 0, "Wo", one},
           {"dbo", 0, "bo", one},
           {"datt", 0, "att", one},
           {"dv", 0, "v", one},
           {"desum", 0, "esum", one},
           {"de", 0, "e", one},
           {"dscores", 0, "scores", one},
           {"dq", 0, "q", one},
           {"dk", 0, "k", one},
           {"dWq", 0, "Wq", one},
           {"dWk", 0, "Wk", one},
           {"dWv", 0, "Wv", one},
           {"dx", 0, "x", one},
           {"mh.dy", 1, "y", many},
           {"mh.dW_proj", 1, "W_proj", many},
           {"mh.db_proj", 1, "b_proj", many},
           {"mh.datt", 1, "att", many},
           {"mh.dscores", 1, "scores", many},
           {"mh.dqkv", 1, "qkv", many},
           {"mh.dW_attn", 1, "W_attn", many},
           {"mh.db_attn", 1, "b_attn", many},
           {"mh.dx", 1, "x", many}},
          [](std::uint64_t seed, const Sizes& sizes) { return std::vector<Graph>{single_head(seed, sizes), multi_head(seed, sizes)}; }};
}

}  // namespace bpdojo
