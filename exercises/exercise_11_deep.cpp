// Exercise 11: deep stacks, initialisation and gradient flow (Part II)
// =============================================================================================
// Run:    checker exercise_11          Hints:  checker hint exercise_11; docs/exercise_11.md
// Watch:  "Building makemore Part 3: Activations & Gradients, BatchNorm" (Karpathy, lecture 4):
//         saturated tanh, the init scale, activation and gradient statistics per layer, the
//         update-to-data ratio: https://www.youtube.com/watch?v=P6sfmUTpUmc
// Read:   Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
//         networks" (2010), https://proceedings.mlr.press/v9/glorot10a.html ; He, Zhang, Ren and
//         Sun, "Delving Deep into Rectifiers" (2015), https://arxiv.org/abs/1502.01852 , and
//         "Deep Residual Learning for Image Recognition" (2015), https://arxiv.org/abs/1512.03385
//
// Shapes: N batch, D features; every block maps D to D. Every Matrix is row-major: row n is example n.
//
// (a) init_std: the standard deviation of a layer's weights W (fan_in, fan_out), every entry drawn
//     from N(0, std^2), for a layer followed by f:
//         naive     1
//         Xavier    gain(f) * sqrt(2 / (fan_in + fan_out))
//         Kaiming   gain(f) / sqrt(fan_in)
//     with PyTorch's gains: 1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for ReLU and
//     sqrt(2 / (1 + 0.01^2)) for leaky ReLU (slope kLeakyReluNegativeSlope). Judged to rounding.
//
// (b) stack_backward: a stack of L blocks (done for you, forward), for l = 1 ... L:
//         z_l = h_{l-1} W_l + b_l             h_{l-1} (N,D), W_l (D,D), b_l (1,D)
//         a_l = f(z_l)                        f: sigmoid, tanh or ReLU
//         h_l = a_l              (plain)      or   h_l = h_{l-1} + a_l   (residual)
//     from h_0 = x to y = h_L; dy (N,D) is given. The cache's vectors count from 0: cache.h[l] is
//     h_l, cache.a[l - 1] is a_l, cache.layers[l - 1] holds W_l and b_l, and grads.dW[l - 1] is
//     dW_l (the report's "dW3" is grads.dW[2]). Walk the blocks from the last to the first: the
//     gradient of block l's input is the gradient of block l - 1's output. Take f' from the output a_l
//     (exercise 09: sigmoid a(1 - a), tanh 1 - a^2, ReLU 1 where a > 0). Copy your code from
//     exercises 09 and 10 in rather than calling their functions: each exercise file stands alone.
//     The checker judges three stacks: sigmoid (plain, 2 blocks), tanh (plain, 3), ReLU (residual,
//     3); every ReLU pre-activation is at least 0.05 away from the kink.
//
// Then the experiment (S steps, `--size S=0` skips it): 48 stacks, depth 2, 5, 10 and 20 x
// sigmoid, tanh, ReLU x plain, residual x naive init or yours (init_std, Kaiming), trained on two
// spirals with your stack_backward. The report shows the gradient per layer and what it tells.
// =============================================================================================
#include "bpdojo/exercise_11_deep.hpp"

namespace bpdojo {

// (a) The std of W's entries for a layer (fan_in, fan_out) followed by f, under `scheme`.
double init_std(Index fan_in, Index fan_out, Nonlinearity f, InitScheme scheme) {
  TODO("init_std");
}

// (b) cache (f, residual, layers, h, a), dy (N,D) -> grads.dx (N,D), grads.dW[l] (D,D), grads.db[l] (1,D)
void stack_backward(const StackCache& cache, const Matrix& dy, StackGrads& grads) {
  TODO("stack_backward");
}

}  // namespace bpdojo
