// Exercise 01: the chain rule on scalars
// =============================================================================================
// Run:    checker exercise_01          Derivation and all the numbers: docs/exercise_01.md
// Watch:  3Blue1Brown, "Backpropagation calculus" (Deep Learning, chapter 4):
//         https://www.youtube.com/watch?v=tIeHLnjs5U8 (and chapter 3 for the intuition:
//         https://www.youtube.com/watch?v=Ilg3gGewQ5U), then Karpathy, "Building makemore Part 4:
//         Becoming a Backprop Ninja" (lecture 5), the same chain rule on whole tensors, as
//         exercises 02 to 06 use it: https://www.youtube.com/watch?v=q8SA3rM6ckI&t=781s
// Read:   CS231n "Backpropagation, intuitions": https://cs231n.github.io/optimization-2/
//
// Three small networks, every number a double. Each part gets a struct with its inputs AND every
// value of its forward pass, so the work is the chain rule alone: start from the loss, and for
// each node multiply the gradient that arrives by the node's local derivative. A value used in
// two places gets the sum of both gradients. sigmoid(z) is provided; its derivative is
// sigmoid(z) (1 - sigmoid(z)), which you can write with the forward value a = sigmoid(z).
//
// (a) L = (w x - y)^2, computed as wx = w x, diff = wx - y, L = diff^2.
//     With the default numbers (w = 2, x = 3, y = 10): L = 16. Find dL/dw, dL/dx, dL/dy.
//
// (b) Two inputs, two sigmoid hidden units, one sigmoid output, binary cross-entropy:
//     z1_j = sum_i W1(j,i) x_i + b1_j      (rows of W1 are hidden units; x, z1, a1, b1 are (1,2))
//     a1_j = sigmoid(z1_j)
//     z2   = sum_j W2(0,j) a1_j + b2       (W2 is (1,2))
//     yhat = sigmoid(z2),   L = -[y ln(yhat) + (1 - y) ln(1 - yhat)]
//     Defaults: x = [0.5, 0.3], y = 1, W1 = [[0.1, 0.3], [0.2, 0.4]], b1 = [0.1, 0.2],
//     W2 = [0.5, 0.6], b2 = 0.1. First show that dL/dz2 = yhat - y.
//     Gradients: dW2 (1,2), db2 (a double), dW1 (2,2) with dW1(j,i) = dL/dW1(j,i), db1 (1,2).
//
// (c) The classic 2-2-2 network with squared error: inputs i1, i2, targets t1, t2,
//     net_h1 = w1 i1 + w2 i2 + b1,  out_h1 = sigmoid(net_h1)    (w3, w4 and b1 for h2)
//     net_o1 = w5 out_h1 + w6 out_h2 + b2,  out_o1 = sigmoid(net_o1)    (w7, w8 and b2 for o2)
//     E = 1/2 (t1 - out_o1)^2 + 1/2 (t2 - out_o2)^2
//     Defaults: i = 0.05, 0.10; t = 0.01, 0.99; w1..w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45,
//     0.50, 0.55; b1 = 0.35, b2 = 0.60. b1 feeds BOTH hidden units and b2 BOTH outputs.
//
// Seed 0 (the default) is these numbers, so you can compare with the worked figures in
// docs/exercise_01.md; `checker exercise_01 --seed 5` gives other numbers, and your code must be
// right for those too.
// =============================================================================================
#include "bpdojo/exercise_01_chain_rule.hpp"

namespace bpdojo {

// (a) -> grads.dw, grads.dx, grads.dy (doubles)
void part_a_backward(const PartA& p, PartAGrads& grads) {
  const double ddiff = 2.0 * p.diff;  // L = diff^2
  grads.dw = ddiff * p.x;
  grads.dx = ddiff * p.w;
  grads.dy = -ddiff;
}

// (b) -> grads.dW2 (1,2), grads.db2 (double), grads.dW1 (2,2), grads.db1 (1,2)
void part_b_backward(const PartB& p, PartBGrads& grads) {
  const double dz2 = p.yhat - p.y;  // binary cross-entropy through the sigmoid
  grads.dW2 = dz2 * p.a1;
  grads.db2 = dz2;
  const Matrix dz1 = dz2 * (p.W2.array() * p.a1.array() * (1.0 - p.a1.array())).matrix();
  grads.dW1 = dz1.transpose() * p.x;  // dW1(j,i) = dz1_j x_i
  grads.db1 = dz1;
}

// (c) -> grads.dw5 ... grads.dw8, grads.db2, then grads.dw1 ... grads.dw4, grads.db1 (doubles)
void part_c_backward(const PartC& p, PartCGrads& grads) {
  const double dnet_o1 = (p.out_o1 - p.t1) * p.out_o1 * (1.0 - p.out_o1);
  const double dnet_o2 = (p.out_o2 - p.t2) * p.out_o2 * (1.0 - p.out_o2);
  grads.dw5 = dnet_o1 * p.out_h1;
  grads.dw6 = dnet_o1 * p.out_h2;
  grads.dw7 = dnet_o2 * p.out_h1;
  grads.dw8 = dnet_o2 * p.out_h2;
  grads.db2 = dnet_o1 + dnet_o2;
  const double dnet_h1 = (dnet_o1 * p.w5 + dnet_o2 * p.w7) * p.out_h1 * (1.0 - p.out_h1);
  const double dnet_h2 = (dnet_o1 * p.w6 + dnet_o2 * p.w8) * p.out_h2 * (1.0 - p.out_h2);
  grads.dw1 = dnet_h1 * p.i1;
  grads.dw2 = dnet_h1 * p.i2;
  grads.dw3 = dnet_h2 * p.i1;
  grads.dw4 = dnet_h2 * p.i2;
  grads.db1 = dnet_h1 + dnet_h2;
}

}  // namespace bpdojo
