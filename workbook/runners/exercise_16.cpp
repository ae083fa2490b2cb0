// Exercise 16: each operation's backward alone (out.grad set, local_backward called), backward()
// on random expressions and on the deep chain, then micrograd's two-moons MLP made of the learner's
// Values, trained for S steps. The runner reports the leaves' gradients and the final parameters;
// the checker takes its own differences and computes the accuracy itself.
#include "problems/exercise_16_autograd.hpp"
#include "bpdojo/runner.hpp"

#include <string>
#include <vector>

namespace bpdojo::runner {
namespace {

// The expression executed with Values; the leaves' gradients after backward(root), `walks` times.
Matrix leaf_grads(const Expression& e, int walks) {
  std::vector<Value> v;
  v.reserve(e.leaves.size() + e.code.size());
  for (double x : e.leaves) v.emplace_back(x);
  for (const Instruction& in : e.code) {
    const Value& a = v[static_cast<std::size_t>(in.a)];
    const Value& b = v[static_cast<std::size_t>(in.b)];
    switch (in.op) {
      case Op::Add: v.push_back(a + b); break;
      case Op::Sub: v.push_back(a - b); break;
      case Op::Mul: v.push_back(a * b); break;
      case Op::Div: v.push_back(a / b); break;
      case Op::Pow: v.push_back(a.pow(in.k)); break;
      case Op::Exp: v.push_back(a.exp()); break;
      case Op::Log: v.push_back(a.log()); break;
      case Op::Tanh: v.push_back(a.tanh()); break;
      case Op::Relu: v.push_back(a.relu()); break;
      case Op::Leaf: v.push_back(a); break;
    }
  }
  for (int k = 0; k < walks; ++k) backward(v.back());
  Matrix g(static_cast<Index>(e.leaves.size()), 1);
  for (std::size_t i = 0; i < e.leaves.size(); ++i) g(static_cast<Index>(i), 0) = v[i].grad();
  return g;
}

// Stops a recursion in the learner's walk of the deep chain at 2 MB of stack, with a message,
// before it overflows the stack (8 MB by default) and the runner dies of SIGSEGV.
struct StackGuard {
  StackGuard() { set_autograd_stack_guard(__builtin_frame_address(0), std::size_t{2} << 20); }
  ~StackGuard() { set_autograd_stack_guard(nullptr, 0); }
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;
};

void train(Session& s, std::int64_t steps) {
  const Moons data = moons(s.seed());
  std::vector<Value> params;
  for (double p : moons_init(s.seed())) params.emplace_back(p);
  std::vector<double> losses;
  const bool ok = guarded(s, {"train.params"}, [&] {
    const int sizes[] = {kMlpIn, kMlpHidden, kMlpHidden, 1};
    for (std::int64_t step = 0; step < steps; ++step) {
      Value data_loss(0.0);
      for (Index r = 0; r < data.X.rows(); ++r) {
        std::vector<Value> act = {Value(data.X(r, 0)), Value(data.X(r, 1))};
        std::size_t at = 0;
        for (int l = 0; l < 3; ++l) {
          std::vector<Value> next;
          for (int n = 0; n < sizes[l + 1]; ++n) {
            Value sum = params[at + static_cast<std::size_t>(sizes[l])];  // the bias
            for (int i = 0; i < sizes[l]; ++i) sum = sum + params[at + static_cast<std::size_t>(i)] * act[static_cast<std::size_t>(i)];
            at += static_cast<std::size_t>(sizes[l]) + 1;
            next.push_back(l < 2 ? sum.relu() : sum);
          }
          act = std::move(next);
        }
        // The max-margin loss: relu(1 - y * score).
        data_loss = data_loss + (Value(1.0) - Value(data.y[static_cast<std::size_t>(r)]) * act[0]).relu();
      }
      Value reg(0.0);
      for (const Value& p : params) reg = reg + p * p;
      const Value total = data_loss * Value(1.0 / static_cast<double>(data.X.rows())) + Value(kMoonsAlpha) * reg;
      backward(total);
      losses.push_back(total.data());
      const double lr = moons_lr(step);
      for (const Value& p : params) p.set_data(p.data() - lr * p.grad());
    }
  });
  s.report_series("train.loss", losses);
  if (!ok) return;
  Matrix out(static_cast<Index>(params.size()), 1);
  for (std::size_t i = 0; i < params.size(); ++i) out(static_cast<Index>(i), 0) = params[i].data();
  s.report("train.params", out);
}

}  // namespace

int exercise_number() { return 16; }

void run(Session& session) {
  const AutogradInstance in = exercise_16_instance(session.seed(), session.sizes());
  // 1. Each operation alone: out.grad() = G, its local backward, the operands' grads.
  const Index K = in.op_G.rows();
  for (std::size_t c = 0; c < kOpCases.size(); ++c) {
    const OpCase& oc = kOpCases[c];
    Grad g(oc.row);
    session.call({&g}, [&] {
      const Matrix& x = in.op_inputs[c];
      Matrix d(K, x.cols());
      for (Index r = 0; r < K; ++r) {
        const Value a(x(r, 0)), b(oc.binary ? x(r, 1) : 0.0);
        Value out;
        switch (oc.op) {
          case Op::Add: out = a + b; break;
          case Op::Sub: out = a - b; break;
          case Op::Mul: out = a * b; break;
          case Op::Div: out = a / b; break;
          case Op::Pow: out = a.pow(in.op_k[static_cast<std::size_t>(r)]); break;
          case Op::Exp: out = a.exp(); break;
          case Op::Log: out = a.log(); break;
          case Op::Tanh: out = a.tanh(); break;
          default: out = a.relu(); break;
        }
        out.grad() = in.op_G(r, static_cast<Index>(c));
        local_backward(out);
        d(r, 0) = a.grad();
        if (oc.binary) d(r, 1) = b.grad();
      }
      g = d;
    });
  }
  // 2. backward() on the random expressions: a tree, shared subexpressions, repeated operands,
  // and one graph walked twice.
  const std::pair<const char*, const Expression*> exprs[] = {
      {"expr.tree", &in.tree}, {"expr.shared", &in.shared}, {"expr.repeated", &in.repeated}, {"expr.twice", &in.twice}};
  for (const auto& [name, e] : exprs) {
    Grad g(name);
    session.call({&g}, [&, e = e, name = std::string(name)] { g = leaf_grads(*e, name == "expr.twice" ? 2 : 1); });
  }
  // 3. The deep chain.
  {
    Grad g("chain.deep");
    session.call({&g}, [&] {
      std::vector<Value> w;
      for (double x : in.chain_w) w.emplace_back(x);
      Value v = w[0];
      for (std::size_t i = 0; i < in.chain.leaf.size(); ++i) {
        switch (i % 4) {
          case 0: v = v + w[static_cast<std::size_t>(in.chain.leaf[i])]; break;
          case 1: v = v * Value(in.chain.constant[i]); break;
          case 2: v = v - w[static_cast<std::size_t>(in.chain.leaf[i])]; break;
          default: v = v / Value(in.chain.constant[i]); break;
        }
      }
      {
        StackGuard guard;
        backward(v);
      }
      Matrix d(kChainLeaves, 1);
      for (int j = 0; j < kChainLeaves; ++j) d(j, 0) = w[static_cast<std::size_t>(j)].grad();
      g = d;
    });
  }
  // 4. Training on two moons.
  const std::int64_t steps = session.size("S");
  if (steps > 0) train(session, steps);
}

}  // namespace bpdojo::runner
