// Backprop Dojo checker: numeric gradients by finite differences, in long double.
//
// The graphs compute in long double (graph.hpp), so the differences here round 2048 times less
// than they would in double: the numeric gradients agree with the exact ones to about 1e-12 or
// better (tests/test_ground_truth.cpp measures it), far below the pass bar.
//
// Each element gets the fourth-order central stencil
//     D(h) = (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h
// on a sequence of steps h0, h0/2, h0/4 ... with h0 = 4e-3 * max(|x|, s), s the root-mean-square
// of the node's values but at least 1. Halving h divides D's truncation error by 16, so the change
// between two levels estimates it; rounding grows as eps |f| / h. The walk stops where rounding
// overtakes truncation, and returns the Richardson combination (16 D(h) - D(2h)) / 15 of the level
// with the smallest estimated error (or the first below Options::target). A step that leaves the function's domain (a value that is
// not finite, such as the log of a negative count) just moves on to the next, smaller step.
// Reusing f(x +- 2h) from the level before, each level costs two evaluations.
#pragma once

#include "bpdojo/graph.hpp"

#include <functional>

namespace bpdojo::fd {

struct Options {
  double start_step = 4e-3;  // times max(|x|, scale)
  int max_levels = 40;       // each halves the step
  // Stop refining once the estimated error is below this, relative to the derivative: 1000x below
  // what the ground-truth test asks of a whole chain of local differences (1e-11).
  double target = 1e-14;
};

struct Estimate {
  Real value = 0.0L;
  Real step = 0.0L;
  Real error = 0.0L;       // the estimated error: truncation (the change between levels) plus rounding
  bool converged = false;  // the two stencils agreed
};

// A value of the function differenced, and the size its rounding is relative to: a sum of terms
// rounds by about eps times the sum of their magnitudes, which can be far above |value|.
struct Sample {
  Real value;
  Real magnitude;
};

// The walk of derivative() (or of derivative_affine()) for one x, one evaluation of f at a time, so
// that the elements of a batch (Graph::LocalPerturbation::batches) walk in step, each with its own
// steps and end, and get what derivative() gives each alone.
class Walk {
 public:
  Walk(Real x, Real scale, const Options& options, bool affine = false);
  bool done() const { return done_; }
  Real point() const;           // where f is wanted next (while not done)
  void feed(const Sample& f);   // f at point()
  const Estimate& estimate() const { return best_; }

 private:
  void begin_level();
  void end_level();
  Real x_, h_, hh_ = 0.0L;
  Options options_;
  bool affine_, done_ = false;
  int level_ = 0, phase_ = 0;  // phase: f(x + 2h), f(x - 2h), f(x + h), f(x - h)
  Sample fp2_{0.0L, 0.0L}, fm2_{0.0L, 0.0L}, fp1_{0.0L, 0.0L}, fm1_{0.0L, 0.0L};
  Real prev_d5_ = 0.0L, best_error_;
  bool have_prev_ = false, have_wide_ = false;
  Estimate best_;
};

// The derivative of f at x, where `scale` is the typical size of x's neighbours.
Estimate derivative(const std::function<Sample(Real)>& f, Real x, Real scale, const Options& options = {});
// The same for a function whose rounding is relative to its own value.
Estimate derivative(const std::function<Real(Real)>& f, Real x, Real scale, const Options& options = {});

// The derivative of an affine f at x: one central difference with the step max(|x|, scale),
// exact up to rounding (two evaluations).
Estimate derivative_affine(const std::function<Sample(Real)>& f, Real x, Real scale);

// dL/d(node) for every element of the node (the loss of the graph, everything downstream
// recomputed per evaluation). Returns the numeric gradient with the node's shape.
RMatrix gradient(const Graph& graph, Graph::NodeId node, const Options& options = {});

// A node's numeric gradient, and the size of the terms summed into it (per element): the larger of
// the terms this step sums, sum over the direct consumers' elements c_j of |dc_j/dk| |dL/dc_j|, and
// the consumers' own terms carried back as independent errors, sqrt(sum_j (dc_j/dk terms(c_j))^2)
// (1 for the loss); `terms` is its largest value. Where terms cancel, here or anywhere after it (a
// gradient that is zero by symmetry, such as dlogit_maxes or db1 before batch norm, or one that
// batch norm over a batch of 2 all but cancels), rounding leaves a learner's gradient near
// eps * terms, not near zero.
struct NodeGradient {
  RMatrix value;
  Real terms = 0.0L;
  // How far the numeric value may be from the exact one, per element: the error the stencil
  // estimates for this node's local differences, plus the consumers' uncertainties carried back as
  // independent errors (sqrt(sum_j (dc_j/dk u_j)^2)); `uncertainty` is its largest value. With
  // local_gradient: the local part only.
  RMatrix element_uncertainty;
  Real uncertainty = 0.0L;
  RMatrix element_terms;  // the terms per element (`terms` is their largest)
};

// The gradient of a node through its direct consumers only: d/dk of sum_c <dc, c(k)>, the
// consumers c recomputed by finite differences and weighted by the gradients dc given for them
// (one per Graph::consumers(node), in that order; the loss's weight is 1). With the true dc this
// is dL/dk; with a learner's dc it checks one line of their backward pass given the lines before.
// Where every consumer declares itself affine in the node (Graph::kLinear), two evaluations per
// element suffice (derivative_affine). `with_terms` also measures the terms, from the consumers'
// own (`consumer_terms`; their gradients where absent), and carries `consumer_uncertainty` back
// (two evaluations more).
NodeGradient local_gradient(const Graph& graph, Graph::NodeId node, const std::vector<RMatrix>& consumer_grads,
                            const Options& options = {}, bool with_terms = false,
                            const std::vector<RMatrix>* consumer_uncertainty = nullptr,
                            const std::vector<RMatrix>* consumer_terms = nullptr);

// Numeric gradients of every node, computed backwards from the loss one step at a time with
// local_gradient (with the terms): each node costs a few evaluations of its direct consumers,
// on the rows or columns an element reaches (Graph::Dep). Indexed by node id; data nodes and
// nodes the loss does not depend on get zeros. A graph with a reference twin (a fused step written
// out in the twin's smaller steps) gets the twin's gradients and terms, node by node by name.
// `on_node`, when given, is told before each node: its id (in the graph differenced, the twin's
// where there is one), how many nodes came before it, and how many there are.
using NodeProgress = std::function<void(const Graph& graph, Graph::NodeId node, std::size_t done, std::size_t total)>;
std::vector<NodeGradient> backward(const Graph& graph, const Options& options = {}, const NodeProgress& on_node = {});

// The scale used for a node's steps: the RMS of its values, and at least 1 (a smaller step would
// drown in rounding; where a larger one is too coarse, the refinement catches it).
Real node_scale(const RMatrix& values);

}  // namespace bpdojo::fd
