// Exercise 08: train the MLP with your own backward pass, then sample names from it
// =============================================================================================
// Run:    checker exercise_08          Notes: docs/exercise_08.md
//         (--steps S, --hidden H, --lr LR; the lecture's full run: --steps 200000 --hidden 200)
// Watch:  "Building makemore Part 4: Becoming a Backprop Ninja" (Karpathy, lecture 5), exercise 4
//         (the full training loop with a manual backward pass): https://www.youtube.com/watch?v=q8SA3rM6ckI&t=6602s
// Read:   docs/exercise_07.md (the backward pass you reuse); CS231n, "Neural Networks Part 3:
//         Learning and Evaluation" (babysitting the loss curve): https://cs231n.github.io/neural-networks-3/
//
// The workbook draws the batches, runs the forward pass (the cache `c`, as in exercises 06 and 07)
// and sets the learning rate (lr for the first half of the steps, lr/10 after). You write:
//   Part 1, mlp_param_backward: the gradients of the loss with respect to the seven parameters
//     C, W1, b1, bngain, bnbias, W2, b2 (reuse your fused forms from exercise 07: you need no
//     intermediate gradient beyond dlogits, dh, dhpreact, dhprebn, dembcat and demb).
//   Part 2, sgd_step: one step of plain gradient descent on every parameter.
//
// What the checker does with it:
//   1. checks your gradients by finite differences at the initial parameters and at a second,
//      much wider parameter set (a backward pass that is right only at initialisation fails);
//   2. runs the training (20,000 steps, N=32, H=64 by default: a few seconds), takes the
//      parameters your run reports, and computes train and dev loss itself; the dev loss must
//      fall below the documented threshold;
//   3. calibrates batch norm over the training split, prints dev and test loss, samples 20 names,
//      and draws the loss curves in the terminal and as an SVG.
// =============================================================================================
#include "bpdojo/exercise_08_train.hpp"

namespace bpdojo {

// Part 1: the cache of one forward pass -> every field of g.
void mlp_param_backward(const MlpCache& c, MlpParamGrads& g) {
  TODO("the parameter gradients");
}

// Part 2: one step of gradient descent with learning rate lr on every parameter.
void sgd_step(MlpParams& p, const MlpParamGrads& g, double lr) {
  TODO("the update");
}

}  // namespace bpdojo
