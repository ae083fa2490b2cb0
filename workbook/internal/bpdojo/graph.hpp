// Backprop Dojo: a problem is a forward pass written once, as an ordered list of named steps.
//
// Leaves (parameters, data) and steps are all nodes. Each step declares the nodes it reads and
// computes its value from them; the loss is one node. Because the graph knows who reads what,
// the checker can take finite differences with respect to ANY node: perturb one element of node
// k, recompute only the steps downstream of k, read the loss.
#pragma once

#include "bpdojo/tensor.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo {

class Graph {
 public:
  using NodeId = int;

  // What a step may read: only the nodes it declared (reading another one throws, so a step can
  // never depend on a node the finite differences would not recompute).
  class Inputs {
   public:
    const Matrix& operator[](NodeId id) const;
    const Matrix& operator()(NodeId id) const { return (*this)[id]; }

   private:
    friend class Graph;
    Inputs(const std::vector<Matrix>& values, const std::vector<NodeId>& allowed)
        : values_(values), allowed_(allowed) {}
    const std::vector<Matrix>& values_;
    const std::vector<NodeId>& allowed_;
  };
  using StepFn = std::function<Matrix(const Inputs&)>;

  // How a step depends on one of its inputs, so that finite differences recompute less. Optional:
  // an input without flags is assumed to affect the whole output, nonlinearly.
  //   kRows    row group g of the output depends only on row group g of this input (and on the
  //            inputs not marked kRows), the rows split into as many groups as the fewest rows
  //            among the output and its kRows inputs. The step must then compute any number of
  //            groups from the same number of groups of its inputs (take sizes from the inputs).
  //   kCols    the same for columns (the input has as many columns as the output).
  //   kLinear  the output is affine in this input, the others fixed.
  // The workbook's tests hold every declaration to global finite differences.
  enum Dep : unsigned { kAll = 0, kRows = 1, kCols = 2, kLinear = 4 };

  NodeId leaf(std::string name, Tensor value);
  // A leaf that is data (indices, labels): never differentiated, so never perturbed.
  NodeId data(std::string name, Tensor value);
  NodeId step(std::string name, Shape shape, std::vector<NodeId> inputs, StepFn fn, std::vector<unsigned> deps = {});
  void set_loss(NodeId id);

  // Evaluates every step in order from the leaves.
  void forward();

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
  const Matrix& value(NodeId id) const { return values_.at(id); }
  Tensor tensor(NodeId id) const { return {shape(id), value(id)}; }
  NodeId loss_id() const { return loss_; }
  double loss() const;

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
    double base(std::int64_t element) const;
    // Sum over the consumers c of <weights[k], c> with element `element` of the node set to `x`,
    // up to a constant per element (only differences in x are meaningful); weights[k] has the
    // shape of consumers()[k]. Recomputes only the rows or columns of c that the element reaches,
    // where the step declares them (Dep).
    double weighted_with(std::int64_t element, double x, const std::vector<Matrix>& weights);
    // Every consumer is affine in the node.
    bool linear() const;

   private:
    struct Consumer {
      NodeId id;
      unsigned dep;
      std::vector<Matrix> scratch;  // the inputs of a sliced call, indexed by node id
    };
    double sliced(Consumer& c, std::int64_t element, const Matrix& weights);
    const Graph& graph_;
    NodeId node_;
    std::vector<NodeId> consumers_;
    std::vector<Consumer> info_;
    std::vector<Matrix> work_;
  };

  class Perturbation {
   public:
    Perturbation(const Graph& graph, NodeId node);
    std::int64_t size() const;
    double base(std::int64_t element) const;
    // The loss with element `element` of the node set to `x` (all other values as in the graph).
    double loss_with(std::int64_t element, double x);

   private:
    const Graph& graph_;
    NodeId node_;
    std::vector<NodeId> downstream_;
    std::vector<Matrix> work_;
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
  NodeId add(Node node, Matrix value);
  Matrix run_step(NodeId id, const std::vector<Matrix>& values) const;

  std::vector<Node> nodes_;
  std::vector<Matrix> values_;
  NodeId loss_ = -1;
};

// A layer exercise's loss: its output reduced to a scalar with a fixed random upstream gradient G,
// L = sum(out .* G), so that dL/d(out) = G. Adds the step "L" and makes it the graph's loss.
Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G);

}  // namespace bpdojo
