// Exercise 17: the instance, built by the workbook for the runner and the checker (the learner's
// signatures are in bpdojo/exercise_17_optimizers.hpp). Defined in problems/exercise_17_optimizers.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/exercise_17_optimizers.hpp"
#include "bpdojo/graph.hpp"
#include "bpdojo/mlp_model.hpp"

#include <array>

#include <string>
#include <vector>

namespace bpdojo {

// Each update is judged exactly: against the checker's own, in long double, from the same inputs,
// within this relative error (the house's bar of 1e-8 is for finite differences; an update has
// none, and a correct one in double is off by a few units in the last place).
inline constexpr double kUpdateThreshold = 1e-13;

enum class Optimizer { Sgd, Nesterov, Rmsprop, Adam, AdamW };

// One update to judge: an optimizer at step t on a parameter, its gradient and its state (zeros at
// t = 1; at a large t drawn at random), named "<optimizer>.<first|late>".
struct UpdateCase {
  std::string name;  // "adam.late"
  Optimizer optimizer = Optimizer::Sgd;
  int t = 1;
  Matrix param, grad;
  std::vector<Matrix> state;  // sgd, nesterov: {buf}; rmsprop: {square_avg}; adam, adamw: {m, v}
};

struct OptimizersInstance {
  SgdConfig sgd, nesterov;
  RmspropConfig rmsprop;
  AdamConfig adam, adamw;
  std::vector<UpdateCase> cases;  // sgd, nesterov, rmsprop, adam, adamw; each first, then late
};
OptimizersInstance exercise_17_instance(std::uint64_t seed, const Sizes& sizes);

// The names of an optimizer's state tensors, in UpdateCase::state's order ("buf"; "m", "v").
std::vector<std::string> state_names(Optimizer o);

// The classic slips, each an update the checker can recompute to recognise it (the diagnoses).
enum class Slip {
  None,
  MomentumOnParam,   // SGD: param = momentum * param - lr * g (momentum on the parameter, no velocity)
  NesterovIgnored,   // Nesterov: the plain momentum update
  Dampened,          // SGD: buf = momentum * buf + (1 - momentum) * g (dampening = momentum)
  NoWeightDecay,     // SGD, RMSprop, Adam: the L2 term left out of the gradient
  EpsInsideSqrt,     // RMSprop, Adam, AdamW: sqrt(avg + eps) for sqrt(avg) + eps
  AlphaSwapped,      // RMSprop: (1 - alpha) on the average, alpha on the new square
  NoBiasCorrection,  // Adam, AdamW: m and v used as they are
  CorrectedState,    // Adam, AdamW: v stored bias-corrected (v_hat) in place of v
  DecayInGradient,   // AdamW: weight_decay * param added to the gradient (Adam's L2), not decoupled
  DecayWithoutLr,    // AdamW: param *= 1 - weight_decay (without lr)
};

// The update done in long double, as torch.optim defines it (or with `slip`): the parameter, then
// the state.
std::vector<RMatrix> exact_update(const OptimizersInstance& in, const UpdateCase& c, Slip slip = Slip::None);

// ---- The paths over the Rosenbrock function (shown, never judged) ------------------------------
// f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, its minimum 0 at (1, 1) at the end of a curved valley. The
// runner takes S steps (size letter S) of each optimizer from kRosenbrockStart with the learner's
// functions and reports each path as a (S+1, 2) tensor "path.<optimizer>"; the checker takes the
// same steps with its own update (exact_update, rounded to double at each step) and draws both.
inline constexpr double kRosenbrockStart[2] = {-1.2, 1.0};
inline constexpr std::int64_t kDefaultPathSteps = 200;
double rosenbrock(double x, double y);
Matrix rosenbrock_grad(const Matrix& p);  // (1,2) -> (1,2)
// The hyper-parameters of the paths (not the seed's): SGD and Nesterov lr 5e-4, momentum 0.9;
// RMSprop lr 0.02, alpha 0.99; Adam lr 0.1, betas (0.9, 0.999); AdamW the same with weight decay 0.1.
OptimizersInstance path_configs();
inline constexpr Optimizer kOptimizers[5] = {Optimizer::Sgd, Optimizer::Nesterov, Optimizer::Rmsprop, Optimizer::Adam,
                                             Optimizer::AdamW};
const char* optimizer_name(Optimizer o);  // "sgd", "nesterov", "rmsprop", "adam", "adamw"
// The checker's path of `o`: steps + 1 points (rows), stopping early (fewer rows) once not finite.
Matrix reference_path(Optimizer o, std::int64_t steps);

// ---- Exercise 08's MLP on the names, trained by each optimizer (shown, never judged) ----------
// The same S steps (size letter S) from the same initial parameters (exercise 08's initialisation,
// H = kMlpPathHidden) on the same batches of kMlpPathBatch examples, the gradients from the
// workbook's reference backward (exercise 08's), each parameter updated by the learner's function.
// The runner reports the parameters at each checkpoint, "mlp.<optimizer>.<step>.<C|W1|...>"; the
// checker evaluates the dev loss itself (batch norm calibrated as judge/training.cpp does).
inline constexpr Index kMlpPathHidden = 32, kMlpPathBatch = 32;
inline constexpr std::int64_t kMlpCheckpointEvery = 20;
MlpParams mlp_path_init(std::uint64_t seed);
// The generator of the batches: each optimizer draws its S batches from a copy, so all five see the same.
Rng mlp_path_batches(std::uint64_t seed);
// The hyper-parameters on the MLP: SGD and Nesterov lr 0.05, momentum 0.9; RMSprop lr 0.003, alpha
// 0.99; Adam lr 0.01; AdamW lr 0.01, weight decay 0.1.
OptimizersInstance mlp_path_configs();
// The gradient of the batch's mean cross-entropy with respect to each parameter, in kMlpParams'
// order: exercise 08's backward, fused (the workbook's own, not a learner's).
std::array<Matrix, 7> mlp_reference_grads(const MlpParams& p, const MlpBatch& batch);
// The steps at which the parameters are reported: 0, every kMlpCheckpointEvery, and the last.
std::vector<std::int64_t> mlp_path_checkpoints(std::int64_t steps);

}  // namespace bpdojo
