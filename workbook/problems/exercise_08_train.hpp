// Exercise 08: the instance, built by the workbook for the runner and the checker (the
// learner's signatures are in bpdojo/exercise_08_train.hpp). Defined in problems/exercise_08_train.cpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/mlp_model.hpp"
#include "bpdojo/exercise_08_train.hpp"

namespace bpdojo {

// Each gradient's field, in the order of kMlpParams.
inline constexpr std::array<Matrix MlpParamGrads::*, 7> kMlpParamGrads = {
    &MlpParamGrads::dC, &MlpParamGrads::dW1, &MlpParamGrads::db1, &MlpParamGrads::dbngain,
    &MlpParamGrads::dbnbias, &MlpParamGrads::dW2, &MlpParamGrads::db2};

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
// The runner reports the batch loss of each step, as the series step_loss, for the first this many
// steps (the checker reads no more than that).
inline constexpr std::int64_t kMaxStepLosses = std::int64_t{1} << 21;
// The steps after which the runner reports the parameters: 0, then 20 evenly spaced up to S.
std::vector<std::int64_t> checkpoints(std::int64_t steps);

}  // namespace bpdojo
