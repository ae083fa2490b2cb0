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

// out = a + b (a = out.parents()[0], b = out.parents()[1])
void add_backward(const Value& out) {
  TODO("add_backward");
}

// out = a - b
void sub_backward(const Value& out) {
  TODO("sub_backward");
}

// out = a * b
void mul_backward(const Value& out) {
  TODO("mul_backward");
}

// out = a / b
void div_backward(const Value& out) {
  TODO("div_backward");
}

// out = a^k, k = out.exponent() (a constant: no gradient of its own)
void pow_backward(const Value& out) {
  TODO("pow_backward");
}

// out = e^a
void exp_backward(const Value& out) {
  TODO("exp_backward");
}

// out = ln a
void log_backward(const Value& out) {
  TODO("log_backward");
}

// out = tanh a
void tanh_backward(const Value& out) {
  TODO("tanh_backward");
}

// out = max(0, a)
void relu_backward(const Value& out) {
  TODO("relu_backward");
}

// A topological order of root's graph (iterative), every grad zeroed, root's seeded with 1, then
// local_backward(node) for each node in the reverse order.
void backward(const Value& root) {
  TODO("backward");
}

}  // namespace bpdojo
