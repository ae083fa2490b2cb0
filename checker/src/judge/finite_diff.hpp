// Backprop Dojo checker: numeric gradients by finite differences, in double precision.
//
// Each element gets the fourth-order central stencil
//     D(h) = (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h
// on a sequence of steps h0, h0/2, h0/4 ... with h0 = 4e-3 * max(|x|, s), s the root-mean-square
// of the node's values but at least 1. Halving h divides D's truncation error by 16, so the change
// between two levels estimates it; rounding grows as eps |f| / h. The walk stops where rounding
// overtakes truncation, and returns the Richardson combination (16 D(h) - D(2h)) / 15 of the level
// with the smallest estimated error. A step that leaves the function's domain (a value that is
// not finite, such as the log of a negative count) just moves on to the next, smaller step.
// Reusing f(x +- 2h) from the level before, a smooth element costs six evaluations.
#pragma once

#include "bpdojo/graph.hpp"

#include <functional>

namespace bpdojo::fd {

struct Options {
  double start_step = 4e-3;  // times max(|x|, scale)
  int max_levels = 30;       // each halves the step
};

struct Estimate {
  double value = 0.0;
  double step = 0.0;
  bool converged = false;  // the two stencils agreed
};

// The derivative of f at x, where `scale` is the typical size of x's neighbours.
Estimate derivative(const std::function<double(double)>& f, double x, double scale, const Options& options = {});

// The derivative of an affine f at x: one central difference with the step max(|x|, scale),
// exact up to rounding (two evaluations).
Estimate derivative_affine(const std::function<double(double)>& f, double x, double scale);

// dL/d(node) for every element of the node (the loss of the graph, everything downstream
// recomputed). Returns the numeric gradient with the node's shape.
Tensor gradient(const Graph& graph, Graph::NodeId node, const Options& options = {});

// The gradient of a node through its direct consumers only: d/dk of sum_c <dc, c(k)>, the
// consumers c recomputed by finite differences and weighted by the gradients dc given for them
// (one per Graph::consumers(node), in that order; the loss's weight is 1). With the true dc this
// is dL/dk; with a learner's dc it checks one line of their backward pass given the lines before.
// Where every consumer declares itself affine in the node (Graph::kLinear), two evaluations per
// element suffice (derivative_affine).
Tensor local_gradient(const Graph& graph, Graph::NodeId node, const std::vector<Matrix>& consumer_grads,
                      const Options& options = {});

// Numeric gradients of every node, computed backwards from the loss one step at a time with
// local_gradient: far cheaper than `gradient` for every node of a deep graph, at the price of
// the local errors adding up along the way. Indexed by node id; data nodes and nodes the loss
// does not depend on get zeros.
std::vector<Tensor> backward(const Graph& graph, const Options& options = {});

// The scale used for a node's steps: the RMS of its values, and at least 1 (a smaller step would
// drown in rounding; where a larger one is too coarse, the refinement catches it).
double node_scale(const Matrix& values);

}  // namespace bpdojo::fd
