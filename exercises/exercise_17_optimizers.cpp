// Exercise 17: optimizers, one update each (Part IV)
// =============================================================================================
// Run:    checker exercise_17          Hints:  checker hint exercise_17; docs/exercise_17.md
// Watch:  Stanford CS231n, the lecture on training neural networks (SGD, momentum, Nesterov,
//         RMSProp, Adam): https://cs231n.stanford.edu/ (free videos and notes)
// Read:   Kingma and Ba, "Adam: A Method for Stochastic Optimization" (2015),
//         https://arxiv.org/abs/1412.6980 ; Loshchilov and Hutter, "Decoupled Weight Decay
//         Regularization" (2019), https://arxiv.org/abs/1711.05101 ; Sutskever, Martens, Dahl and
//         Hinton, "On the importance of initialization and momentum in deep learning" (2013);
//         the torch.optim documentation, https://pytorch.org/docs/stable/optim.html
//
// Shapes: a parameter p (N,D), its gradient g (N,D) and its state (N,D); every operation is
// elementwise (g^2, sqrt and / too). Every Matrix is row-major. Each function updates p and the
// state in place. t is the step number: 1 at the first step, when every state holds zeros.
//
// The definitions are torch.optim's (the configs are in bpdojo/exercise_17_optimizers.hpp). In each,
// weight decay wd first adds wd * p to the gradient (L2), except in AdamW:
//   SGD (momentum mu, dampening 0):  g = g + wd p;  buf = g at t = 1, else buf = mu buf + g;
//        plain:     p = p - lr buf
//        Nesterov:  p = p - lr (g + mu buf)
//   RMSprop (alpha, eps):  g = g + wd p;  square_avg = alpha square_avg + (1 - alpha) g^2;
//        p = p - lr g / (sqrt(square_avg) + eps)                    (eps outside the root)
//   Adam (beta1, beta2, eps):  g = g + wd p;  m = beta1 m + (1 - beta1) g;
//        v = beta2 v + (1 - beta2) g^2;  m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t);
//        p = p - lr m_hat / (sqrt(v_hat) + eps)      (m and v are stored without the correction)
//   AdamW: p = p (1 - lr wd) first (the decay decoupled from the gradient), then Adam's update
//        without the wd p term.
//
// The checker computes each update itself (in long double) and judges yours within 1e-13 of it,
// at t = 1 and at a large t, on gradients from 1e-4 to 1e2: the same formula in double passes, one
// that differs anywhere (a missing bias correction, eps inside the root) fails.
//
// Then the paths: the runner takes 200 steps of each optimizer over the Rosenbrock function with
// your functions, and the checker draws them beside its own (build/exercise_17_paths.svg); then it
// trains exercise 08's MLP on the names 200 steps with each (the workbook's gradients, your
// updates), and the checker draws the five dev-loss curves (build/exercise_17_mlp.svg). Both are
// shown, not judged; `--steps 0` checks the updates alone.
//
// Eigen: a.array() * b.array() (elementwise), .square(), .sqrt(), a.array() / (b.array() + eps),
// m *= s, std::pow(beta, t).
#include "bpdojo/exercise_17_optimizers.hpp"

#include <cmath>

namespace bpdojo {

// SGD with momentum, plain or Nesterov (c.nesterov): buf is the velocity.
void sgd_step(Matrix& param, const Matrix& grad, Matrix& buf, int t, const SgdConfig& c) {
  TODO("sgd_step: the velocity buf, then the parameter");
}

// RMSprop: square_avg is the running average of the squared gradient.
void rmsprop_step(Matrix& param, const Matrix& grad, Matrix& square_avg, const RmspropConfig& c) {
  TODO("rmsprop_step: square_avg, then the parameter");
}

// Adam: m and v, then the bias-corrected update of the parameter.
void adam_step(Matrix& param, const Matrix& grad, Matrix& m, Matrix& v, int t, const AdamConfig& c) {
  TODO("adam_step: m and v, then the parameter");
}

// AdamW: the decoupled weight decay, then Adam's update without it.
void adamw_step(Matrix& param, const Matrix& grad, Matrix& m, Matrix& v, int t, const AdamConfig& c) {
  TODO("adamw_step: the decay of the parameter, then m, v and the update");
}

}  // namespace bpdojo
