// Exercise 16: a scalar autograd engine: micrograd's backward, in C++ (Part IV)
// =============================================================================================
// Run:    checker exercise_16          Hints:  checker hint exercise_16; docs/exercise_16.md
// Watch:  "The spelled-out intro to neural networks and backpropagation: building micrograd"
//         (Karpathy), https://www.youtube.com/watch?v=VMj-3S1tku0
// Read:   micrograd's engine.py (the same Value in 90 lines of Python),
//         https://github.com/karpathy/micrograd/blob/master/micrograd/engine.py
//
// Every exercise so far had you derive one layer's backward pass by hand. Here you write the
// machine that does it for any expression: each operation knows its local derivative, and
// backward() applies the chain rule over the whole graph, in the right order.
//
// The Value type (bpdojo/exercise_16_autograd.hpp, given) is a node of an expression graph: its
// data, its grad, the operation that made it (out.op()), its operands (out.parents()), and for
// pow the constant exponent (out.exponent()). The forward operations are done:
//     a + b   a - b   a * b   a / b   a.pow(k)   a.exp()   a.log()   a.tanh()   a.relu()
// Copies of a Value are the same node: out.parents()[0].grad() += ... adds to the operand itself.
//
// Part 1: each operation's local backward. out.grad() holds d root / d out; ADD
//     out.grad() * d out / d operand
// to each operand's grad (never assign: an operand may be used by other nodes, or twice by this
// one, as in a * a, and each use adds its share).
// Part 2: backward(root):
//   - a topological order of root's graph: every node after all of its operands (a depth-first
//     walk that appends a node once its parents are done). The checker builds a chain of 200000
//     steps: walk it with an explicit stack, not by recursion (a recursion that deep overflows the
//     stack; the runner stops it at 2 MB and says so);
//   - every grad in the graph set to zero (a second backward on the same graph gives the same
//     grads), then root.grad() = 1 (d root / d root);
//   - each node's local_backward(node), in the reverse of that order: a node's grad is complete
//     only once every node that uses it has added its share.
// The checker judges each operation alone (op.add ... op.relu), backward() on random expressions
// (a tree, shared subexpressions, repeated operands, one walked twice) and on the deep chain, and
// then trains micrograd's MLP 2-16-16-1 made of your Values on two moons (100 points): at least
// 95% training accuracy after 100 steps.
#include "bpdojo/exercise_16_autograd.hpp"

#include <cmath>
#include <unordered_set>
#include <utility>
#include <vector>

namespace bpdojo {

void add_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const Value& b = out.parents()[1];
  a.grad() += out.grad();
  b.grad() += out.grad();
}

void sub_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const Value& b = out.parents()[1];
  a.grad() += out.grad();
  b.grad() -= out.grad();
}

void mul_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const Value& b = out.parents()[1];
  a.grad() += b.data() * out.grad();
  b.grad() += a.data() * out.grad();
}

void div_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const Value& b = out.parents()[1];
  a.grad() += out.grad() / b.data();
  b.grad() += -a.data() / (b.data() * b.data()) * out.grad();
}

void pow_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const double k = out.exponent();
  a.grad() += k * std::pow(a.data(), k - 1) * out.grad();
}

void exp_backward(const Value& out) {
  const Value& a = out.parents()[0];
  a.grad() += out.data() * out.grad();
}

void log_backward(const Value& out) {
  const Value& a = out.parents()[0];
  a.grad() += out.grad() / a.data();
}

void tanh_backward(const Value& out) {
  const Value& a = out.parents()[0];
  const double t = out.data();
  a.grad() += (1 - t * t) * out.grad();
}

void relu_backward(const Value& out) {
  const Value& a = out.parents()[0];
  a.grad() += (out.data() > 0 ? 1.0 : 0.0) * out.grad();
}

void backward(const Value& root) {
  // Depth first, with an explicit stack of (node, whether its parents are done).
  std::vector<Value> order;
  std::unordered_set<const void*> visited;
  std::vector<std::pair<Value, bool>> stack = {{root, false}};
  while (!stack.empty()) {
    auto [v, parents_done] = stack.back();
    stack.pop_back();
    if (parents_done) {
      order.push_back(v);
      continue;
    }
    if (!visited.insert(v.id()).second) continue;
    stack.push_back({v, true});
    for (const Value& p : v.parents())
      if (!visited.count(p.id())) stack.push_back({p, false});
  }
  for (const Value& v : order) v.grad() = 0.0;
  root.grad() = 1.0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) local_backward(*it);
}

}  // namespace bpdojo
