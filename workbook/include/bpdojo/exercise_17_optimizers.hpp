// Exercise 17: optimizers. The signatures you implement in exercises/exercise_17_optimizers.cpp.
// Each function is one step of an optimizer on one parameter: it reads the parameter, its gradient
// and its state, and updates the parameter and the state in place, with the definitions of
// torch.optim (SGD, RMSprop, Adam, AdamW). Shapes: the parameter, its gradient and every state
// tensor are (N,D), row-major; every operation is elementwise. t is the step number, 1 at the first.
#pragma once

#include "bpdojo/learner.hpp"

namespace bpdojo {

// torch.optim.SGD(lr, momentum, dampening=0, weight_decay, nesterov).
struct SgdConfig {
  double lr = 0.0;
  double momentum = 0.0;
  double weight_decay = 0.0;  // L2: weight_decay * param added to the gradient
  bool nesterov = false;
};

// torch.optim.RMSprop(lr, alpha, eps, weight_decay) (momentum 0, centered false).
struct RmspropConfig {
  double lr = 0.0;
  double alpha = 0.0;  // the smoothing of the running average of the squared gradient
  double eps = 0.0;    // added to its square root (outside the root)
  double weight_decay = 0.0;  // L2, added to the gradient
};

// torch.optim.Adam and torch.optim.AdamW (amsgrad false).
struct AdamConfig {
  double lr = 0.0;
  double beta1 = 0.0;
  double beta2 = 0.0;
  double eps = 0.0;           // added to the bias-corrected root, outside it
  double weight_decay = 0.0;  // Adam: L2, added to the gradient; AdamW: decoupled, param *= 1 - lr * wd
};

// SGD with momentum, plain or Nesterov (c.nesterov). buf is the velocity (N,D): zeros before the
// first step (t == 1), where torch sets buf = the gradient.
void sgd_step(Matrix& param, const Matrix& grad, Matrix& buf, int t, const SgdConfig& c);

// RMSprop. square_avg (N,D) is the running average of the squared gradient, zeros before the first step.
void rmsprop_step(Matrix& param, const Matrix& grad, Matrix& square_avg, const RmspropConfig& c);

// Adam (bias-corrected) and AdamW (decoupled weight decay). m and v (N,D) are the running averages of
// the gradient and of its square (torch's exp_avg and exp_avg_sq, stored without bias correction),
// zeros before the first step (t == 1).
void adam_step(Matrix& param, const Matrix& grad, Matrix& m, Matrix& v, int t, const AdamConfig& c);
void adamw_step(Matrix& param, const Matrix& grad, Matrix& m, Matrix& v, int t, const AdamConfig& c);

}  // namespace bpdojo
