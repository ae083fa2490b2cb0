// Backprop Dojo: a problem is a forward pass written once, as an ordered list of named steps.
//
// Leaves (parameters, data) and steps are all nodes. Each step declares the nodes it reads and
// computes its value from them; the loss is one node. Because the graph knows who reads what,
// the checker can take finite differences with respect to ANY node: perturb one element of node
// k, recompute only the steps downstream of k, read the loss.
//
// A graph computes in long double (64-bit mantissa on x86-64, 11 more bits than double): the
// checker's finite differences on it are the reference every learner's gradient is judged by, and
// they must sit far below the pass bar. What learners see of an instance is rounded to double.
#pragma once

#include "bpdojo/tensor.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo {

using Real = long double;
using RMatrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RArray = Eigen::Array<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class Graph {
 public:
  using NodeId = int;

  // What a step may read: only the nodes it declared (reading another one throws, so a step can
  // never depend on a node the finite differences would not recompute).
  class Inputs {
   public:
    const RMatrix& operator[](NodeId id) const;
    const RMatrix& operator()(NodeId id) const { return (*this)[id]; }

   private:
    friend class Graph;
    Inputs(const std::vector<RMatrix>& values, const std::vector<NodeId>& allowed)
        : values_(values), allowed_(allowed) {}
    const std::vector<RMatrix>& values_;
    const std::vector<NodeId>& allowed_;
  };
  using StepFn = std::function<RMatrix(const Inputs&)>;

  // How a step depends on one of its inputs, so that finite differences recompute less. Optional:
  // an input without flags is assumed to affect the whole output, nonlinearly.
  //   kRows    row group g of the output depends only on row group g of this input (and on the
  //            inputs not marked kRows), the rows split into as many groups as the fewest rows
  //            among the output and its kRows inputs. The step must then compute any number of
  //            groups from the same number of groups of its inputs (take sizes from the inputs).
  //   kCols    the same for columns (the input has as many columns as the output).
  //   kLinear  the output is affine in this input, the others fixed.
  //   kSum     the output, a scalar, is a sum of terms, one per row group (with kRows) or per
  //            element (with kRows | kCols) of the inputs marked kSum, each reading only its own
  //            group or element of them (and the unmarked inputs whole). Called on one group, the
  //            step returns that group's term (a loss: take sizes such as the batch's from
  //            captures, not from the slice).
  //   kInner   on exactly two inputs, A then B, each kLinear, of a step whose heart is the product
  //            A B: A's columns and B's rows are its inner dimension. Called with A cut to one
  //            column j and B to row j (and the other inputs as the other flags say), the step
  //            returns column j's share of the product plus the terms that depend on neither A nor
  //            B (a bias), so that a change of one element of A or B costs a row or a column of the
  //            product's outer dimensions, not of the whole product.
  // The workbook's tests hold every declaration to global finite differences.
  enum Dep : unsigned { kAll = 0, kRows = 1, kCols = 2, kLinear = 4, kSum = 8, kInner = 16 };

  NodeId leaf(std::string name, Tensor value);
  // A leaf that is data (indices, labels): never differentiated, so never perturbed.
  NodeId data(std::string name, Tensor value);
  NodeId step(std::string name, Shape shape, std::vector<NodeId> inputs, StepFn fn, std::vector<unsigned> deps = {});
  void set_loss(NodeId id);

  // Evaluates every step in order from the leaves.
  void forward();

  // The same function written in smaller steps, from which the numeric reference is taken
  // (fd::backward). A fused step (batch norm in one formula) hides from the chained differences
  // the terms a learner's formula for it sums, which the steps of the twin show; and each of the
  // twin's steps reads only rows or columns where the fused one reads a whole column of the batch.
  // The twin holds a node of this graph's every name, with the same shape, and its loss is this
  // graph's loss (throws std::logic_error otherwise).
  void set_reference_twin(Graph twin);
  const Graph* reference_twin() const { return twin_.get(); }

  std::size_t size() const { return nodes_.size(); }
  NodeId id(std::string_view name) const;  // throws std::out_of_range for an unknown name
  bool has(std::string_view name) const;
  const std::string& name(NodeId id) const { return nodes_.at(id).name; }
  const Shape& shape(NodeId id) const { return nodes_.at(id).shape; }
  bool is_leaf(NodeId id) const { return !nodes_.at(id).fn; }
  bool is_data(NodeId id) const { return nodes_.at(id).data; }
  const std::vector<NodeId>& inputs(NodeId id) const { return nodes_.at(id).inputs; }
  // The Dep flags of step `step` on its input `input` (kAll when it does not read it).
  unsigned dep(NodeId step, NodeId input) const;
  // A node's value as computed, and rounded to double (what a learner's instance holds).
  const RMatrix& exact(NodeId id) const { return values_.at(id); }
  Matrix value(NodeId id) const { return values_.at(id).cast<double>(); }
  Tensor tensor(NodeId id) const { return {shape(id), value(id)}; }
  NodeId loss_id() const { return loss_; }
  Real exact_loss() const;
  double loss() const { return static_cast<double>(exact_loss()); }

  // The steps downstream of `id` (that read it directly or through others), in evaluation order.
  std::vector<NodeId> downstream(NodeId id) const;
  // The steps that read `id` directly.
  std::vector<NodeId> consumers(NodeId id) const;

  // An evaluator that perturbs elements of one node and returns the loss; it recomputes only the
  // downstream steps, on a private copy of the values, so the graph itself is never changed.
  // Like Perturbation, but recomputes only the direct consumers of the node: what a change of one
  // element does one step downstream.
  class LocalPerturbation {
   public:
    LocalPerturbation(const Graph& graph, NodeId node);
    const std::vector<NodeId>& consumers() const { return consumers_; }
    std::int64_t size() const;
    Real base(std::int64_t element) const;
    // Sum over the consumers c of <weights[k], c(x) - c(base)> with element `element` of the node
    // set to `x`; weights[k] has the shape of consumers()[k]. Recomputes only the rows or columns
    // of c that the element reaches, where the step declares them (Dep).
    // `magnitude`, if given, gets sum over the consumers of <|weights[k]|, |c(x)|>: the size the
    // sum's rounding is relative to.
    Real weighted_with(std::int64_t element, Real x, const std::vector<RMatrix>& weights, Real* magnitude = nullptr);
    // The size of the terms summed into the gradient of this element: sum over the consumers' elements
    // j of |weights_j| |c_j(x + h) - c_j(x - h)| / 2h, about sum_j |weights_j| |dc_j/dx|.
    // With `also`, the same sum for a second set of weights goes to *also_out (the same evaluations).
    Real abs_terms(std::int64_t element, Real h, const std::vector<RMatrix>& weights,
                   const std::vector<RMatrix>* also = nullptr, Real* also_out = nullptr);
    // Every consumer is affine in the node.
    bool linear() const;

   private:
    struct Consumer {
      NodeId id;
      unsigned dep;
      std::vector<RMatrix> scratch;  // the inputs of a sliced call, indexed by node id
      std::int64_t old_for = -1;     // a kSum consumer: the element whose unperturbed term is `old`
      RMatrix old;
      RMatrix old_cut, weights_cut, also_cut;  // the last slices evaluate() cut, reused
    };
    // What consumer c computes with the node's current work value, on the slice the element
    // reaches (the whole output for a consumer without Dep flags), with that slice as it was and
    // the matching slices of `weights` and of `also` (when given). The three pointers are into the
    // graph, the arguments or the consumer's buffers, valid until its next evaluate().
    struct Slice {
      RMatrix fresh;
      const RMatrix* old = nullptr;
      const RMatrix* weights = nullptr;
      const RMatrix* also = nullptr;
    };
    Slice evaluate(Consumer& c, std::int64_t element, const RMatrix& weights, const RMatrix* also = nullptr);
    const Graph& graph_;
    NodeId node_;
    std::vector<NodeId> consumers_;
    std::vector<Consumer> info_;
    std::vector<RMatrix> work_;
  };

  class Perturbation {
   public:
    Perturbation(const Graph& graph, NodeId node);
    std::int64_t size() const;
    Real base(std::int64_t element) const;
    // The loss with element `element` of the node set to `x` (all other values as in the graph).
    Real loss_with(std::int64_t element, Real x);

   private:
    const Graph& graph_;
    NodeId node_;
    std::vector<NodeId> downstream_;
    std::vector<RMatrix> work_;
  };

 private:
  struct Node {
    std::string name;
    Shape shape;
    std::vector<NodeId> inputs;
    StepFn fn;  // empty for a leaf
    std::vector<unsigned> deps;  // one per input
    bool data = false;
  };
  NodeId add(Node node, RMatrix value);
  RMatrix run_step(NodeId id, const std::vector<RMatrix>& values) const;

  std::vector<Node> nodes_;
  std::vector<RMatrix> values_;
  NodeId loss_ = -1;
  std::shared_ptr<const Graph> twin_;
};

// A layer exercise's loss: its output reduced to a scalar with a fixed random upstream gradient G,
// L = sum(out .* G), so that dL/d(out) = G. Adds the step "L" and makes it the graph's loss.
Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G);

}  // namespace bpdojo
