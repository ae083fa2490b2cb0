// Exercise 16: a scalar autograd engine (micrograd in C++). The Value type and its forward
// operations are given (workbook/problems/exercise_16_autograd.cpp); the signatures you implement
// in exercises/exercise_16_autograd.cpp are at the end of this file. No matrices here: every
// Value holds one double.
#pragma once

#include "bpdojo/learner.hpp"

#include <cstddef>
#include <memory>

namespace bpdojo {

// What made a node: a leaf (made by you or the runner), or one of the nine operations.
enum class Op { Leaf, Add, Sub, Mul, Div, Pow, Exp, Log, Tanh, Relu };
const char* op_name(Op op);  // "leaf", "+", "-", "*", "/", "pow", "exp", "log", "tanh", "relu"

// A node of the expression graph, held by handle: copies of a Value are the same node (the same
// data and the same grad), as Python's references to micrograd's Value are. A node keeps its
// operands (parents) alive; the graph is released when its last handle goes, one node at a time
// (no recursion, so a chain of a million nodes is released as safely as a chain of three).
class Value {
 public:
  Value(double data = 0.0);  // NOLINT(google-explicit-constructor): a leaf; 2.0 * x makes one too
  double data() const;
  // d root / d this node, as backward(root) sets it. A reference to the node's own gradient: add
  // to it with out.parents()[0].grad() += ..., set it with root.grad() = 1.0.
  double& grad() const;
  Op op() const;
  double exponent() const;  // Op::Pow: the constant k of pow(a, k)
  // The operands: two for + - * /, one for the others, none for a leaf. Read them as
  // out.parents()[0], out.parents().size(), or for (const Value& p : out.parents()).
  struct Parents {
    const Value* first;
    std::size_t count;
    std::size_t size() const { return count; }
    bool empty() const { return count == 0; }
    const Value& operator[](std::size_t i) const { return first[i]; }
    const Value* begin() const { return first; }
    const Value* end() const { return first + count; }
  };
  Parents parents() const;
  // The node's identity: the same for every copy of this handle (a key for a visited set).
  const void* id() const;

  Value pow(double k) const;  // a^k, k a constant
  Value exp() const;
  Value log() const;
  Value tanh() const;
  Value relu() const;  // max(0, a)

  void set_data(double v) const;  // an update of a leaf (SGD in the training run)

  struct Node;

 private:
  explicit Value(std::shared_ptr<Node> node);
  static Value make(double data, Op op, const Value& a, const Value* b, double exponent = 0.0);
  friend Value operator+(const Value& a, const Value& b);
  friend Value operator-(const Value& a, const Value& b);
  friend Value operator*(const Value& a, const Value& b);
  friend Value operator/(const Value& a, const Value& b);
  std::shared_ptr<Node> node_;
};

Value operator+(const Value& a, const Value& b);
Value operator-(const Value& a, const Value& b);
Value operator*(const Value& a, const Value& b);
Value operator/(const Value& a, const Value& b);

// ---- What you write (exercises/exercise_16_autograd.cpp) -------------------------------------
// Each operation's local backward: given out (made by that operation) with out.grad() set, ADD
// out.grad() times the local derivative d out / d operand to each operand's grad (an operand may
// be used by other nodes too, or twice by this one: a * a).
void add_backward(const Value& out);   // out = a + b
void sub_backward(const Value& out);   // out = a - b
void mul_backward(const Value& out);   // out = a * b
void div_backward(const Value& out);   // out = a / b
void pow_backward(const Value& out);   // out = a^k, k = out.exponent()
void exp_backward(const Value& out);   // out = e^a
void log_backward(const Value& out);   // out = ln a
void tanh_backward(const Value& out);  // out = tanh a
void relu_backward(const Value& out);  // out = max(0, a)

// The local backward of out's operation (nothing for a leaf).
inline void local_backward(const Value& out) {
  switch (out.op()) {
    case Op::Leaf: return;
    case Op::Add: return add_backward(out);
    case Op::Sub: return sub_backward(out);
    case Op::Mul: return mul_backward(out);
    case Op::Div: return div_backward(out);
    case Op::Pow: return pow_backward(out);
    case Op::Exp: return exp_backward(out);
    case Op::Log: return log_backward(out);
    case Op::Tanh: return tanh_backward(out);
    case Op::Relu: return relu_backward(out);
  }
}

// Sets every node's grad in root's graph to d root / d node: every grad starts from zero (so a
// second call on the same graph gives the same grads, not twice them), root's is 1, and each
// node's local backward runs after those of all the nodes that use it.
void backward(const Value& root);

}  // namespace bpdojo
