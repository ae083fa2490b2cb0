// Exercise 08: train the MLP with your own backward pass. The signatures you implement in
// exercises/exercise_08_train.cpp. The network, the cache and the parameters are in bpdojo/mlp.hpp.
#pragma once

#include "bpdojo/mlp.hpp"

namespace bpdojo {

// The gradients of the loss with respect to the seven parameters, each with its parameter's shape.
struct MlpParamGrads {
  Matrix dC;       // (V,10)
  Matrix dW1;      // (30,H)
  Matrix db1;      // (1,H)
  Matrix dbngain;  // (1,H)
  Matrix dbnbias;  // (1,H)
  Matrix dW2;      // (H,V)
  Matrix db2;      // (1,V)
};
// Each gradient's field, in the order of kMlpParams (for the runner; your code need not use it).
inline constexpr std::array<Matrix MlpParamGrads::*, 7> kMlpParamGrads = {
    &MlpParamGrads::dC, &MlpParamGrads::dW1, &MlpParamGrads::db1, &MlpParamGrads::dbngain,
    &MlpParamGrads::dbnbias, &MlpParamGrads::dW2, &MlpParamGrads::db2};

// Part 1: the cache of one forward pass -> every field of g.
void mlp_param_backward(const MlpCache& c, MlpParamGrads& g);

// Part 2: one step of gradient descent with learning rate lr on every parameter.
void sgd_step(MlpParams& p, const MlpParamGrads& g, double lr);

// ---- the instance (built by the workbook; the runner and the checker use it) ----
inline constexpr double kTrainScale = 2.5;  // the second parameter set: spreads 2.5x the lecture's
inline constexpr double kDefaultLearningRate = 0.1;
struct TrainInstance {
  MlpParams init;    // the lecture's initialisation
  MlpParams scaled;  // drawn apart, kTrainScale times wider: like trained weights
  MlpBatch batch;    // a training batch for the gradient check
};
TrainInstance exercise_08_instance(std::uint64_t seed, const Sizes& sizes);

// The check of sgd_step itself: two calls in a row on a copy of `start`, the first with (g1, lr1),
// the second with (g2, lr2). After each, every parameter must have moved by exactly -lr * its
// gradient (an update that skips a parameter, or applies the previous step's gradient, fails).
struct UpdateCheck {
  MlpParams start;
  MlpParamGrads g1, g2;  // normal, each with its parameter's shape
  double lr1 = 0.1, lr2 = 0.05;
};
UpdateCheck exercise_08_update_check(std::uint64_t seed, const Sizes& sizes);
// The learning rate of step t of S: lr for the first half, lr/10 after (the lecture's schedule).
double learning_rate(std::int64_t step, std::int64_t steps, double lr);
// The steps after which the runner reports the parameters: 0, then 20 evenly spaced up to S.
std::vector<std::int64_t> checkpoints(std::int64_t steps);

}  // namespace bpdojo
