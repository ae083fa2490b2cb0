// Exercise 16: a scalar autograd engine. The Value type with its forward operations (given to the
// learner), and the problems: each operation alone on K random inputs (op.*), random expressions
// of E nodes (a tree whose leaves are read once or more, a DAG with shared subexpressions, one of
// repeated operands a * a, one walked twice), a chain D steps deep, and micrograd's two-moons MLP.
#include "problems/exercise_16_autograd.hpp"
#include "bpdojo/rng.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace bpdojo {

// ---- Value -----------------------------------------------------------------------------------

struct Value::Node {
  double data = 0.0;
  double grad = 0.0;
  Op op = Op::Leaf;
  double exponent = 0.0;
  std::size_t count = 0;  // of parents
  Value parents[2] = {Value(std::shared_ptr<Node>()), Value(std::shared_ptr<Node>())};
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the graph below this node one node at a time: a node whose last handle is in
  // `pending` gives its parents to `pending` before it goes, so no destructor recurses.
  ~Node() {
    // Parents that other handles keep alive go with the members, as usual.
    if (!(parents[0].node_ && parents[0].node_.use_count() == 1) && !(parents[1].node_ && parents[1].node_.use_count() == 1)) return;
    std::vector<std::shared_ptr<Node>> pending;
    for (Value& p : parents)
      if (p.node_) pending.push_back(std::move(p.node_));
    while (!pending.empty()) {
      std::shared_ptr<Node> n = std::move(pending.back());
      pending.pop_back();
      if (n.use_count() == 1)
        for (Value& p : n->parents)
          if (p.node_) pending.push_back(std::move(p.node_));
    }
  }
};

namespace {
const char* guard_base = nullptr;
std::size_t guard_limit = 0;
}  // namespace

void set_autograd_stack_guard(const void* base, std::size_t limit_bytes) {
  guard_base = static_cast<const char*>(base);
  guard_limit = limit_bytes;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::Leaf: return "leaf";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Pow: return "pow";
    case Op::Exp: return "exp";
    case Op::Log: return "log";
    case Op::Tanh: return "tanh";
    case Op::Relu: return "relu";
  }
  return "?";
}

Value::Value(double data) : node_(std::make_shared<Node>()) { node_->data = data; }
Value::Value(std::shared_ptr<Node> node) : node_(std::move(node)) {}
Value Value::make(double data, Op op, const Value& a, const Value* b, double exponent) {
  auto n = std::make_shared<Node>();
  n->data = data;
  n->op = op;
  n->exponent = exponent;
  n->parents[0] = a;
  n->count = 1;
  if (b) n->parents[1] = *b, n->count = 2;
  return Value(std::move(n));
}
double Value::data() const { return node_->data; }
double& Value::grad() const { return node_->grad; }
Op Value::op() const { return node_->op; }
double Value::exponent() const { return node_->exponent; }
const void* Value::id() const { return node_.get(); }
void Value::set_data(double v) const { node_->data = v; }

Value::Parents Value::parents() const {
  if (guard_base) {
    const char* here = static_cast<const char*>(__builtin_frame_address(0));
    if (here < guard_base && static_cast<std::size_t>(guard_base - here) > guard_limit)
      throw StackTooDeep("stack overflow in backward (recursion too deep: walk the graph with an explicit stack): more than " +
                         std::to_string(guard_limit >> 20) + " MB of stack in use");
  }
  return {node_->parents, node_->count};
}

Value Value::pow(double k) const { return make(std::pow(data(), k), Op::Pow, *this, nullptr, k); }
Value Value::exp() const { return make(std::exp(data()), Op::Exp, *this, nullptr); }
Value Value::log() const { return make(std::log(data()), Op::Log, *this, nullptr); }
Value Value::tanh() const { return make(std::tanh(data()), Op::Tanh, *this, nullptr); }
Value Value::relu() const { return make(data() > 0.0 ? data() : 0.0, Op::Relu, *this, nullptr); }
Value operator+(const Value& a, const Value& b) { return Value::make(a.data() + b.data(), Op::Add, a, &b); }
Value operator-(const Value& a, const Value& b) { return Value::make(a.data() - b.data(), Op::Sub, a, &b); }
Value operator*(const Value& a, const Value& b) { return Value::make(a.data() * b.data(), Op::Mul, a, &b); }
Value operator/(const Value& a, const Value& b) { return Value::make(a.data() / b.data(), Op::Div, a, &b); }

// ---- Expressions -----------------------------------------------------------------------------

const std::array<OpCase, 9> kOpCases = {{{"op.add", Op::Add, true},
                                         {"op.sub", Op::Sub, true},
                                         {"op.mul", Op::Mul, true},
                                         {"op.div", Op::Div, true},
                                         {"op.pow", Op::Pow, false},
                                         {"op.exp", Op::Exp, false},
                                         {"op.log", Op::Log, false},
                                         {"op.tanh", Op::Tanh, false},
                                         {"op.relu", Op::Relu, false}}};

template <class T>
T apply_op(Op op, T a, T b, double k) {
  using std::exp, std::log, std::pow, std::tanh;
  switch (op) {
    case Op::Leaf: return a;
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: return a / b;
    case Op::Pow: return pow(a, static_cast<T>(k));
    case Op::Exp: return exp(a);
    case Op::Log: return log(a);
    case Op::Tanh: return tanh(a);
    case Op::Relu: return a > 0 ? a : T(0);
  }
  return a;
}
template double apply_op<double>(Op, double, double, double);
template Real apply_op<Real>(Op, Real, Real, double);

bool binary(Op op) { return op == Op::Add || op == Op::Sub || op == Op::Mul || op == Op::Div; }

template <class T>
std::vector<T> evaluate(const Expression& e, const std::vector<T>& leaves) {
  std::vector<T> v(leaves);
  v.reserve(leaves.size() + e.code.size());
  for (const Instruction& in : e.code)
    v.push_back(apply_op<T>(in.op, v[static_cast<std::size_t>(in.a)], binary(in.op) ? v[static_cast<std::size_t>(in.b)] : T(0), in.k));
  return v;
}
template std::vector<double> evaluate<double>(const Expression&, const std::vector<double>&);
template std::vector<Real> evaluate<Real>(const Expression&, const std::vector<Real>&);

template <class T>
T chain_value(const Chain& chain, const std::vector<T>& w) {
  T v = w[0];
  for (std::size_t i = 0; i < chain.leaf.size(); ++i) {
    switch (i % 4) {
      case 0: v = v + w[static_cast<std::size_t>(chain.leaf[i])]; break;
      case 1: v = v * static_cast<T>(chain.constant[i]); break;
      case 2: v = v - w[static_cast<std::size_t>(chain.leaf[i])]; break;
      default: v = v / static_cast<T>(chain.constant[i]); break;
    }
  }
  return v;
}
template double chain_value<double>(const Chain&, const std::vector<double>&);
template Real chain_value<Real>(const Chain&, const std::vector<Real>&);

namespace {

constexpr int kLeaves = 8;
const double kExponents[] = {2.0, 3.0, -1.0, 0.5, 1.5};

// Whether `op` at these operands keeps the instance where finite differences are meaningful (away
// from log's and pow's edge of the domain, relu's kink, exp's and tanh's far tails) and the values
// of moderate size and away from zero (so relu in an expression is on its live side: its dead side
// is judged by op.relu); `out` gets the value.
bool admissible(Op op, double a, double b, double k, double& out) {
  switch (op) {
    case Op::Div: if (std::abs(b) < 0.5) return false; break;
    case Op::Pow: if (k == std::floor(k) ? std::abs(a) < 0.3 : a < 0.3) return false; break;
    case Op::Exp: if (std::abs(a) > 2.0) return false; break;
    case Op::Log: if (a < 0.3) return false; break;
    case Op::Tanh: if (std::abs(a) > 3.0) return false; break;
    case Op::Relu: if (std::abs(a) < 0.2) return false; break;
    default: break;
  }
  out = apply_op<double>(op, a, b, k);
  // Not near zero either: a product with a zero (relu's dead side) would cut every path through it.
  return std::isfinite(out) && std::abs(out) <= 6.0 && std::abs(out) >= 0.05;
}

// The binary operations first (the tree takes its later operations from these four).
const Op kRotation[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Exp, Op::Log, Op::Tanh, Op::Relu};

Op random_op(Rng& rng) {
  const Op ops[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Exp, Op::Log, Op::Tanh, Op::Relu};
  return ops[rng.below(9)];
}

std::vector<double> random_leaves(Rng& rng, int n) {
  std::vector<double> x;
  for (int i = 0; i < n; ++i) {
    const double m = rng.uniform(0.4, 1.5);
    x.push_back(rng.uniform() < 0.3 ? -m : m);
  }
  return x;
}

// The values of no consumer summed into the root (so that every node counts).
void close_with_sum(Expression& e, std::vector<double>& v) {
  std::vector<int> used(v.size(), 0);
  for (const Instruction& in : e.code) {
    ++used[static_cast<std::size_t>(in.a)];
    if (binary(in.op)) ++used[static_cast<std::size_t>(in.b)];
  }
  int acc = -1;
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (used[i]) continue;
    if (acc < 0) {
      acc = static_cast<int>(i);
      continue;
    }
    e.code.push_back({Op::Add, acc, static_cast<int>(i), 0.0});
    v.push_back(v[static_cast<std::size_t>(acc)] + v[i]);
    acc = static_cast<int>(v.size()) - 1;
  }
}

// A DAG of `nodes` operations over kLeaves leaves, each operand any earlier value (shared
// subexpressions), or with probability `repeat` the same one twice and the latest value first.
Expression random_dag(Rng rng, int nodes, double repeat) {
  Expression e;
  e.leaves = random_leaves(rng, kLeaves);
  std::vector<double> v = e.leaves;
  for (int n = 0; n < nodes; ++n) {
    bool done = false;
    // The nine operations in turn (so that every expression holds each of them), then any.
    for (int attempt = 0; attempt < 128 && !done; ++attempt) {
      const Op op = attempt < 64 ? kRotation[n % 9] : random_op(rng);
      const bool rep = rng.uniform() < repeat;
      const int size = static_cast<int>(v.size());
      const int a = rep && rng.uniform() < 0.7 ? size - 1 : static_cast<int>(rng.below(static_cast<std::uint64_t>(size)));
      const int b = rep ? a : static_cast<int>(rng.below(static_cast<std::uint64_t>(size)));
      const double k = kExponents[rng.below(5)];
      double out = 0.0;
      if (!admissible(op, v[static_cast<std::size_t>(a)], v[static_cast<std::size_t>(b)], k, out)) continue;
      e.code.push_back({op, a, b, op == Op::Pow ? k : 0.0});
      v.push_back(out);
      done = true;
    }
    if (!done) {  // tanh of a leaf is always admissible
      const int a = static_cast<int>(rng.below(kLeaves));
      e.code.push_back({Op::Tanh, a, 0, 0.0});
      v.push_back(std::tanh(v[static_cast<std::size_t>(a)]));
    }
  }
  close_with_sum(e, v);
  return e;
}

// A tree: every operation's result is read once; the leaves are read by 12 slots, each leaf once
// and four of them again (so that some leaves are read once and others twice or more).
Expression random_tree(Rng rng) {
  Expression e;
  e.leaves = random_leaves(rng, kLeaves);
  std::vector<double> v = e.leaves;
  std::vector<int> avail;
  for (int i = 0; i < kLeaves; ++i) avail.push_back(i);
  for (int i = 0; i < 4; ++i) avail.push_back(static_cast<int>(rng.below(kLeaves)));
  // The nine operations in turn, as in a DAG; once every one is in, the binary ones only.
  int turn = 0, misses = 0;
  while (avail.size() > 1) {
    const std::size_t i = rng.below(avail.size());
    std::size_t j = rng.below(avail.size() - 1);
    if (j >= i) ++j;
    Op op = turn < 9 ? kRotation[turn] : kRotation[rng.below(4)];
    const double k = kExponents[rng.below(5)];
    double out = 0.0;
    const double a = v[static_cast<std::size_t>(avail[i])], b = v[static_cast<std::size_t>(avail[j])];
    if (!admissible(op, a, b, k, out)) {
      if (++misses < 64) continue;
      op = Op::Add, out = a + b;  // an addition never leaves the domain
    }
    misses = 0;
    ++turn;
    e.code.push_back({op, avail[i], avail[j], op == Op::Pow ? k : 0.0});
    v.push_back(out);
    avail[i] = static_cast<int>(v.size()) - 1;
    if (binary(op)) avail.erase(avail.begin() + static_cast<std::ptrdiff_t>(j));
  }
  return e;
}

Chain random_chain(Rng rng, std::int64_t depth) {
  Chain c;
  const double spread = 1.0 / std::sqrt(static_cast<double>(depth));
  for (std::int64_t i = 0; i < depth; ++i) {
    const bool leaf = i % 2 == 0;
    c.leaf.push_back(leaf ? static_cast<int>(rng.below(kChainLeaves)) : -1);
    c.constant.push_back(leaf ? 0.0 : 1.0 + rng.uniform(-1.0, 1.0) * spread);
  }
  return c;
}

struct Built {
  Expression tree, shared, repeated, twice;
  Chain chain;
  std::vector<double> chain_w;
  Matrix op_inputs[9];
  std::vector<double> op_k;
  Matrix op_G;
};

Built build(std::uint64_t seed, const Sizes& sizes) {
  const Index K = sizes.at("K");
  const int E = static_cast<int>(sizes.at("E"));
  Rng rng(seed);
  Built b;
  Rng ro = rng.fork("ops");
  for (std::size_t c = 0; c < kOpCases.size(); ++c) {
    const OpCase& oc = kOpCases[c];
    Matrix in(K, oc.binary ? 2 : 1);
    for (Index r = 0; r < K; ++r) {
      double x = ro.uniform(-2.0, 2.0);
      switch (oc.op) {
        case Op::Pow: case Op::Log: x = ro.uniform(0.4, 2.0); break;
        case Op::Relu: x = (ro.uniform() < 0.5 ? -1.0 : 1.0) * ro.uniform(0.2, 2.0); break;
        default: break;
      }
      in(r, 0) = x;
      if (oc.binary) in(r, 1) = oc.op == Op::Div ? (ro.uniform() < 0.5 ? -1.0 : 1.0) * ro.uniform(0.5, 2.0) : ro.uniform(-2.0, 2.0);
    }
    b.op_inputs[c] = in;
  }
  for (Index r = 0; r < K; ++r) b.op_k.push_back(kExponents[ro.below(5)]);
  b.op_G = rng.fork("G").normal_matrix(K, static_cast<Index>(kOpCases.size()));
  b.tree = random_tree(rng.fork("tree"));
  b.shared = random_dag(rng.fork("shared"), E, 0.0);
  b.repeated = random_dag(rng.fork("repeated"), E, 0.8);
  b.twice = random_dag(rng.fork("twice"), E, 0.2);
  b.chain = random_chain(rng.fork("chain"), sizes.at("D"));
  Rng rw = rng.fork("w");
  for (int j = 0; j < kChainLeaves; ++j) b.chain_w.push_back(rw.uniform(-1.0, 1.0));
  return b;
}

Matrix column(const std::vector<double>& v) {
  Matrix m(static_cast<Index>(v.size()), 1);
  for (std::size_t i = 0; i < v.size(); ++i) m(static_cast<Index>(i), 0) = v[i];
  return m;
}

std::vector<Real> reals(const RMatrix& m) { return std::vector<Real>(m.data(), m.data() + m.size()); }

// An expression as a graph: the leaves x (L,1), the root one step (and the loss).
Graph expression_problem(const Expression& e, bool with_slots) {
  Graph g;
  const auto x = g.leaf("x", {{static_cast<std::int64_t>(e.leaves.size()), 1}, column(e.leaves)});
  std::vector<Graph::NodeId> inputs = {x};
  if (with_slots) {
    // Which leaf each leaf slot of the tree reads: how often each leaf is used.
    std::vector<double> slots;
    const int L = static_cast<int>(e.leaves.size());
    for (const Instruction& in : e.code) {
      if (in.a < L) slots.push_back(in.a);
      if (binary(in.op) && in.b < L) slots.push_back(in.b);
    }
    inputs.push_back(g.data("slots", {{static_cast<std::int64_t>(slots.size()), 1}, column(slots)}));
  }
  const auto root = g.step("root", {1, 1}, inputs, [e, x](const Graph::Inputs& v) -> RMatrix {
    return RMatrix::Constant(1, 1, evaluate<Real>(e, reals(v[x])).back());
  });
  g.set_loss(root);
  g.forward();
  return g;
}

std::vector<Graph> problems(std::uint64_t seed, const Sizes& sizes) {
  const Built b = build(seed, sizes);
  std::vector<Graph> out;
  {
    // Each operation alone: out = op(a, b) element by element, L = sum_c sum(out_c .* G[:, c]).
    Graph g;
    const Index K = sizes.at("K");
    const auto kdata = g.data("pow.k", {{K, 1}, column(b.op_k)});
    const auto G = g.data("G", {{K, static_cast<std::int64_t>(kOpCases.size())}, b.op_G});
    std::vector<Graph::NodeId> outs;
    for (std::size_t c = 0; c < kOpCases.size(); ++c) {
      const OpCase oc = kOpCases[c];
      const auto in = g.leaf(oc.row, {{K, oc.binary ? 2 : 1}, b.op_inputs[c]});
      std::vector<Graph::NodeId> ins = {in};
      if (oc.op == Op::Pow) ins.push_back(kdata);
      constexpr unsigned R = Graph::kRows;
      outs.push_back(g.step(std::string(oc.row) + ".out", {K, 1}, ins, [oc, in, kdata](const Graph::Inputs& v) -> RMatrix {
        const RMatrix& m = v[in];
        RMatrix o(m.rows(), 1);
        for (Index r = 0; r < m.rows(); ++r)
          o(r, 0) = apply_op<Real>(oc.op, m(r, 0), oc.binary ? m(r, 1) : Real(0),
                                   oc.op == Op::Pow ? static_cast<double>(v[kdata](r, 0)) : 0.0);
        return o;
      }, oc.op == Op::Pow ? std::vector<unsigned>{R, R} : std::vector<unsigned>{R}));
    }
    std::vector<Graph::NodeId> ins = outs;
    ins.push_back(G);
    const auto loss = g.step("L", {1, 1}, ins, [outs, G](const Graph::Inputs& v) -> RMatrix {
      Real s = 0;
      for (std::size_t c = 0; c < outs.size(); ++c)
        s += (v[outs[c]].col(0).array() * v[G].col(static_cast<Index>(c)).array().cast<Real>()).sum();
      return RMatrix::Constant(1, 1, s);
    }, std::vector<unsigned>(ins.size(), Graph::kLinear));
    g.set_loss(loss);
    g.forward();
    out.push_back(std::move(g));
  }
  out.push_back(expression_problem(b.tree, true));
  out.push_back(expression_problem(b.shared, false));
  out.push_back(expression_problem(b.repeated, false));
  out.push_back(expression_problem(b.twice, false));
  {
    Graph g;
    const auto w = g.leaf("w", {{kChainLeaves, 1}, column(b.chain_w)});
    const Chain chain = b.chain;
    const auto root = g.step("root", {1, 1}, {w}, [chain, w](const Graph::Inputs& v) -> RMatrix {
      return RMatrix::Constant(1, 1, chain_value<Real>(chain, reals(v[w])));
    }, {Graph::kLinear});
    g.set_loss(root);
    g.forward();
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

AutogradInstance exercise_16_instance(std::uint64_t seed, const Sizes& sizes) {
  Built b = build(seed, sizes);
  AutogradInstance in;
  for (std::size_t c = 0; c < kOpCases.size(); ++c) in.op_inputs[c] = b.op_inputs[c];
  in.op_k = b.op_k;
  in.op_G = b.op_G;
  in.tree = std::move(b.tree);
  in.shared = std::move(b.shared);
  in.repeated = std::move(b.repeated);
  in.twice = std::move(b.twice);
  in.chain = std::move(b.chain);
  in.chain_w = std::move(b.chain_w);
  return in;
}

// ---- Two moons -------------------------------------------------------------------------------

Moons moons(std::uint64_t seed) {
  Rng rng = Rng(seed).fork("moons");
  Moons m;
  m.X = Matrix(kMoonsPoints, 2);
  const int half = kMoonsPoints / 2;
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < kMoonsPoints; ++i) {
    const bool outer = i < half;
    const int k = outer ? i : i - half;
    const double t = pi * k / (half - 1);
    const double x = outer ? std::cos(t) : 1.0 - std::cos(t);
    const double y = outer ? std::sin(t) : 1.0 - std::sin(t) - 0.5;
    m.X(i, 0) = x + kMoonsNoise * rng.normal();
    m.X(i, 1) = y + kMoonsNoise * rng.normal();
    m.y.push_back(outer ? -1.0 : 1.0);
  }
  return m;
}

std::vector<double> moons_init(std::uint64_t seed) {
  Rng rng = Rng(seed).fork("mlp");
  std::vector<double> p;
  const int sizes[] = {kMlpIn, kMlpHidden, kMlpHidden, 1};
  for (int l = 0; l < 3; ++l)
    for (int n = 0; n < sizes[l + 1]; ++n) {
      for (int i = 0; i < sizes[l]; ++i) p.push_back(rng.uniform(-1.0, 1.0));
      p.push_back(0.0);
    }
  return p;
}

double moons_lr(std::int64_t k) { return 1.0 - 0.9 * static_cast<double>(k) / static_cast<double>(kMoonsDefaultSteps); }

std::vector<double> moons_scores(const std::vector<double>& params, const Moons& data) {
  if (params.size() != static_cast<std::size_t>(kMlpParamCount)) throw std::invalid_argument("moons_scores: wrong number of parameters");
  std::vector<double> scores;
  const int sizes[] = {kMlpIn, kMlpHidden, kMlpHidden, 1};
  for (Index r = 0; r < data.X.rows(); ++r) {
    std::vector<double> act = {data.X(r, 0), data.X(r, 1)};
    std::size_t at = 0;
    for (int l = 0; l < 3; ++l) {
      std::vector<double> next;
      for (int n = 0; n < sizes[l + 1]; ++n) {
        double s = 0.0;
        for (int i = 0; i < sizes[l]; ++i) s += params[at++] * act[static_cast<std::size_t>(i)];
        s += params[at++];
        next.push_back(l < 2 ? std::max(0.0, s) : s);
      }
      act = std::move(next);
    }
    scores.push_back(act[0]);
  }
  return scores;
}

// ---- The exercise ----------------------------------------------------------------------------

ExerciseInfo exercise_16_info() {
  std::vector<GradientSpec> grads;
  const char* const fns[] = {"add_backward", "sub_backward", "mul_backward", "div_backward", "pow_backward",
                             "exp_backward", "log_backward", "tanh_backward", "relu_backward"};
  for (std::size_t c = 0; c < kOpCases.size(); ++c) grads.push_back({kOpCases[c].row, 0, kOpCases[c].row, fns[c]});
  grads.push_back({"expr.tree", 1, "x", "backward"});
  grads.push_back({"expr.shared", 2, "x", "backward"});
  grads.push_back({"expr.repeated", 3, "x", "backward"});
  grads.push_back({"expr.twice", 4, "x", "backward"});
  grads.push_back({"chain.deep", 5, "w", "backward"});
  ExerciseInfo info{16,
                    "autograd",
                    "a scalar autograd engine",
                    "exercise_16_autograd.cpp",
                    {{"K", "random inputs per operation", 8, 1, 64},
                     {"E", "operations of each random expression", 64, 8, 512},
                     {"D", "steps of the deep chain", 200000, 100000, 400000},
                     {"S", "training steps on two moons", kMoonsDefaultSteps, 0, kMoonsDefaultSteps, false}},
                    std::move(grads),
                    [](std::uint64_t seed, const Sizes& sizes) { return problems(seed, sizes); }};
  info.trains_values = true;
  info.timeout_seconds = 60.0;
  return info;
}

}  // namespace bpdojo
