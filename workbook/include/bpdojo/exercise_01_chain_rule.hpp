// Exercise 01: the chain rule on scalars. The signatures you implement in
// exercises/exercise_01_chain_rule.cpp. Three small worked examples; each part's struct holds its
// inputs and every value of its forward pass.
#pragma once

#include "bpdojo/learner.hpp"

#include <cmath>

namespace bpdojo {

inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// (a) L = (w x - y)^2
struct PartA {
  double w, x, y;     // inputs
  double wx, diff, L;  // forward: wx = w x, diff = wx - y, L = diff^2
};
struct PartAGrads {
  Grad dw{"a.dw"}, dx{"a.dx"}, dy{"a.dy"};  // scalars
};
void part_a_backward(const PartA& p, PartAGrads& grads);

// (b) a 2-2-1 network of sigmoids with binary cross-entropy. Rows of W1 are the hidden units.
struct PartB {
  Matrix x;   // (1,2) input
  double y;   // target, 0 or 1
  Matrix W1;  // (2,2) W1(j,i): from input i to hidden unit j
  Matrix b1;  // (1,2)
  Matrix W2;  // (1,2) W2(0,j): from hidden unit j to the output
  double b2;
  Matrix z1;     // (1,2) z1_j = sum_i W1(j,i) x_i + b1_j
  Matrix a1;     // (1,2) sigmoid(z1)
  double z2;     // sum_j W2(0,j) a1_j + b2
  double yhat;   // sigmoid(z2)
  double L;      // -[y ln(yhat) + (1 - y) ln(1 - yhat)]
};
struct PartBGrads {
  Grad dW1{"b.dW1"};  // (2,2)
  Grad db1{"b.db1"};  // (1,2)
  Grad dW2{"b.dW2"};  // (1,2)
  Grad db2{"b.db2"};  // scalar
};
void part_b_backward(const PartB& p, PartBGrads& grads);

// (c) the classic 2-2-2 network of sigmoids with squared error; b1 is shared by both hidden
// units, b2 by both outputs.
struct PartC {
  double i1, i2;  // inputs
  double t1, t2;  // targets
  double w1, w2, w3, w4;  // w1, w2 into h1; w3, w4 into h2 (from i1, i2)
  double w5, w6, w7, w8;  // w5, w6 into o1; w7, w8 into o2 (from h1, h2)
  double b1, b2;
  double net_h1, out_h1, net_h2, out_h2;  // net_h1 = w1 i1 + w2 i2 + b1, out_h1 = sigmoid(net_h1), ...
  double net_o1, out_o1, net_o2, out_o2;  // net_o1 = w5 out_h1 + w6 out_h2 + b2, ...
  double E;                               // 1/2 (t1 - out_o1)^2 + 1/2 (t2 - out_o2)^2
};
struct PartCGrads {
  Grad dw1{"c.dw1"}, dw2{"c.dw2"}, dw3{"c.dw3"}, dw4{"c.dw4"};
  Grad dw5{"c.dw5"}, dw6{"c.dw6"}, dw7{"c.dw7"}, dw8{"c.dw8"};
  Grad db1{"c.db1"}, db2{"c.db2"};
};
void part_c_backward(const PartC& p, PartCGrads& grads);

}  // namespace bpdojo
