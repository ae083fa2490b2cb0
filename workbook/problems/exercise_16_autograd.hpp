// Exercise 16: the instance, built by the workbook for the runner and the checker (the learner's
// Value and signatures are in bpdojo/exercise_16_autograd.hpp). Defined in problems/exercise_16_autograd.cpp.
//
// An expression is a list of instructions over a list of values: the first `leaves` values are the
// leaves, instruction i makes value leaves + i from earlier ones, the last value is the root. The
// runner executes it with the learner's Values, the checker's graph in long double: both read the
// same doubles (leaves, exponents, constants).
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_16_autograd.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bpdojo {

struct Instruction {
  Op op;
  int a = 0, b = 0;    // operands (b unused by the unary operations)
  double k = 0.0;      // Op::Pow's exponent
};

struct Expression {
  std::vector<double> leaves;
  std::vector<int> slots;  // the tree's: which leaf each leaf slot reads (empty for a DAG)
  std::vector<Instruction> code;
  int root() const { return static_cast<int>(leaves.size() + code.size()) - 1; }
};

// Evaluates in long double (the checker) or double; every value, the root last.
template <class T>
std::vector<T> evaluate(const Expression& e, const std::vector<T>& leaves);

// The deep chain: v = w[0]; then per step i, by i % 4: v + w[j], v * c, v - w[j], v / c.
struct Chain {
  std::vector<int> leaf;     // j, for the steps that add or subtract a leaf (-1 for the others)
  std::vector<double> constant;  // c, for the steps that multiply or divide (0 for the others)
};
inline constexpr int kChainLeaves = 4;
template <class T>
T chain_value(const Chain& chain, const std::vector<T>& w);

// The nine operations judged alone, in the order of their rows: op.add ... op.relu.
struct OpCase {
  const char* row;   // "op.add"
  Op op;
  bool binary;
};
extern const std::array<OpCase, 9> kOpCases;
// out of `op` at (a, b, k) in long double (the checker) or double.
template <class T>
T apply_op(Op op, T a, T b, double k);

// Two moons (sklearn's make_moons, noise 0.1) and micrograd's demo MLP 2-16-16-1 on them.
inline constexpr int kMoonsPoints = 100;
inline constexpr double kMoonsNoise = 0.1;
inline constexpr int kMlpIn = 2, kMlpHidden = 16;
inline constexpr int kMlpParamCount = kMlpHidden * (kMlpIn + 1) + kMlpHidden * (kMlpHidden + 1) + (kMlpHidden + 1);  // 337
inline constexpr std::int64_t kMoonsDefaultSteps = 100;
inline constexpr double kMoonsAlpha = 1e-4;       // L2 on every parameter
inline constexpr double kMoonsAccuracyBar = 0.95;  // on the training set, after 100 steps
struct Moons {
  Matrix X;              // (100,2)
  std::vector<double> y;  // +1 or -1
};
Moons moons(std::uint64_t seed);
// The initial parameters (micrograd's: weights uniform in (-1,1), biases 0), layer by layer,
// neuron by neuron, its weights then its bias.
std::vector<double> moons_init(std::uint64_t seed);
// The learning rate at step k of 100 (micrograd's demo: 1 - 0.9 k / 100).
double moons_lr(std::int64_t k);
// The MLP's score of each point, from the parameters (double; the checker's own forward pass).
std::vector<double> moons_scores(const std::vector<double>& params, const Moons& data);

struct AutogradInstance {
  Matrix op_inputs[9];  // (K,2) or (K,1) per operation: a (and b)
  std::vector<double> op_k;  // (K) pow's exponents, per row
  Matrix op_G;          // (K,9) the upstream gradient of each case
  Expression tree, shared, repeated, twice;
  Chain chain;
  std::vector<double> chain_w;
};
AutogradInstance exercise_16_instance(std::uint64_t seed, const Sizes& sizes);

// The deep chain's stack guard (the runner's): while set, Value::parents() throws StackTooDeep
// once the stack below `base` is deeper than the limit, instead of letting a recursion overflow
// it. 0: off.
void set_autograd_stack_guard(const void* base, std::size_t limit_bytes);
class StackTooDeep : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bpdojo
