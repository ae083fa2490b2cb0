// Exercise 11: the instance, built by the workbook for the runner and the checker (the learner's
// signatures are in bpdojo/exercise_11_deep.hpp), and the experiment on deep stacks that the runner
// runs with the learner's code and the checker with the reference. Defined in
// problems/exercise_11_deep.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_11_deep.hpp"

#include <functional>
#include <string>
#include <vector>

namespace bpdojo {

// Part (a): the cases init_std is asked for, one per row of the gradient "init_std" (K,1).
struct InitCase {
  Index fan_in, fan_out;
  Nonlinearity f;
  InitScheme scheme;
};
std::vector<InitCase> exercise_11_init_cases(std::uint64_t seed);
// The formulas, in long double (the checker's) and in double (the experiment's reference).
long double init_std_formula(const InitCase& c);

// Part (b): the stacks whose gradients are checked, each with its fixed upstream gradient dy.
struct StackProblem {
  const char* name;  // "sigmoid": the prefix of its gradients' names ("sigmoid.dW1")
  StackCache cache;
  Matrix dy;  // (N,D)
};
struct DeepInstance {
  std::vector<InitCase> init_cases;
  std::vector<StackProblem> stacks;
};
DeepInstance exercise_11_instance(std::uint64_t seed, const Sizes& sizes);

// ---- The experiment ------------------------------------------------------------------------

// One configuration: depth {2, 5, 10, 20} x {sigmoid, tanh, ReLU} x {plain, residual} x
// {naive init (std 1), the learner's (init_std with Kaiming)}.
struct DeepConfig {
  Nonlinearity f;
  bool residual;
  bool learner_init;
  int depth;
  std::string name() const;  // "sigmoid_plain_kaiming_20"
};
const std::vector<DeepConfig>& deep_configs();

inline constexpr Index kExperimentWidth = 16;    // every block D = 16
inline constexpr Index kExperimentPoints = 64;   // two interleaved spirals, 32 points each
inline constexpr double kExperimentLr = 0.05;    // plain full-batch gradient descent
// A unit counts as saturated where its local derivative is below this share of its largest
// (tanh: |a| > 0.97, Karpathy's lecture 4; sigmoid: the same derivative ratio).
inline constexpr double kSaturatedDerivative = 1.0 - 0.97 * 0.97;

// What one configuration's run records. Step t's figures are taken from the gradients of step t,
// before its update; the loss is the full-batch cross-entropy at the start of the step.
struct DeepFigures {
  std::vector<double> loss;          // S
  std::vector<double> grad_rms;      // S * depth: step t, block l at [t * depth + l]: RMS of dW_l
  std::vector<double> bias_rms;      // S * depth: RMS of db_l, the gradient reaching block l's
                                     // pre-activations summed over the batch (free of h's scale)
  std::vector<double> act_std;       // depth: std of each block's output h_l at step 0
  std::vector<double> saturation;    // S: share of saturated units over every block (ReLU: 0)
  std::vector<double> update_ratio;  // S * depth: log10(lr * std(dW_l) / std(W_l))
};
using StackBackwardFn = std::function<void(const StackCache&, const Matrix&, StackGrads&)>;
using InitStdFn = std::function<double(Index, Index, Nonlinearity, InitScheme)>;
// Runs `steps` steps of `config` from the seed's initialisation, with `backward` for the stack's
// gradients and `init` for the learner's initialisation (naive configurations do not call it).
// Throws what `backward` or `init` throws, and std::invalid_argument when a gradient has the wrong shape.
DeepFigures run_deep_experiment(const DeepConfig& config, std::uint64_t seed, std::int64_t steps,
                                const StackBackwardFn& backward, const InitStdFn& init);
// The series names a runner reports a configuration's figures under: "<config>.<field>".
inline constexpr const char* kDeepFields[] = {"loss", "grad_rms", "bias_rms", "act_std", "saturation", "update_ratio"};
// The name of the protocol message saying why the experiment stopped (learner code threw).
inline constexpr const char* kExperimentRow = "experiment";

}  // namespace bpdojo
