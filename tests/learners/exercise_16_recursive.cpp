// A learner's exercise 16 with micrograd's recursive build_topo: right on every expression, but on
// the deep chain the recursion goes 200000 calls deep. Expected: chain.deep an error, "stack overflow
// in backward (recursion too deep: ...)", every other row correct, the runner finishes.
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

void build_topo(const Value& v, std::unordered_set<const void*>& visited, std::vector<Value>& order) {
  if (!visited.insert(v.id()).second) return;
  for (const Value& p : v.parents()) build_topo(p, visited, order);
  order.push_back(v);
}

void backward(const Value& root) {
  std::vector<Value> order;
  std::unordered_set<const void*> visited;
  build_topo(root, visited, order);
  for (const Value& v : order) v.grad() = 0.0;
  root.grad() = 1.0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) local_backward(*it);
}

}  // namespace bpdojo
