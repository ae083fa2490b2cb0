// Backprop Dojo checker: numeric gradients by finite differences, in double precision.
//
// Each element gets the fourth-order central stencil
//     f'(x) ~ (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h,
// with h = 1e-3 * max(|x|, s), s the root-mean-square of the node's values but at least 1.
// The second-order estimate (f(x+h) - f(x-h)) / 2h comes from the same four evaluations; when the
// two disagree by more than truncation allows (a singularity nearby, such as log of a small
// count), or a value is not finite, h is divided by 4 and the element is done again.
#pragma once

#include "bpdojo/graph.hpp"

#include <functional>

namespace bpdojo::fd {

struct Options {
  double rel_step = 1e-3;
  int max_refinements = 12;
};

struct Estimate {
  double value = 0.0;
  double step = 0.0;
  bool converged = false;  // the two stencils agreed
};

// The derivative of f at x, where `scale` is the typical size of x's neighbours.
Estimate derivative(const std::function<double(double)>& f, double x, double scale, const Options& options = {});

// dL/d(node) for every element of the node (the loss of the graph, everything downstream
// recomputed). Returns the numeric gradient with the node's shape.
Tensor gradient(const Graph& graph, Graph::NodeId node, const Options& options = {});

// The scale used for a node's steps: the RMS of its values, and at least 1 (a smaller step would
// drown in rounding; where a larger one is too coarse, the refinement catches it).
double node_scale(const Matrix& values);

}  // namespace bpdojo::fd
