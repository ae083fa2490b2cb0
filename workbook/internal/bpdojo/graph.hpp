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

#include <array>
#include <functional>
#include <map>
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
    // values[id] is node id's value as this call sees it (whole or cut), for every allowed id.
    Inputs(const std::vector<const RMatrix*>& values, const std::vector<NodeId>& allowed)
        : values_(values), allowed_(allowed) {}
    const std::vector<const RMatrix*>& values_;
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
  // A leaf that is data (indices, labels, a layer exercise's upstream gradient G): never
  // differentiated, so never perturbed.
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

  // Nodes of one shape read as one tensor, stacked by rows in the order given (an RNN's h_1..h_T,
  // each (N,H), as one (T*N,H)): a gradient may name a stack where it would name a node, and is
  // then judged block by block (each member on its own floor). Not a node: nothing reads it. Its
  // members are named <name>@1, <name>@2, ... in order (throws std::logic_error otherwise).
  void stack(std::string name, std::vector<NodeId> members);
  bool is_stack(std::string_view name) const { return stacks_.count(std::string(name)) > 0; }
  // The members of a stack (throws std::out_of_range for an unknown name).
  const std::vector<NodeId>& stack_members(std::string_view name) const;
  // The nodes a name reads: a stack's members, or the one node of that name.
  std::vector<NodeId> nodes_of(std::string_view name) const;
  // The shape of a node or a stack (its members' rows added up).
  Shape shape_of(std::string_view name) const;
  // The value of a node, or a stack's members' stacked by rows.
  RMatrix exact_of(std::string_view name) const;

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

  // An evaluator like Perturbation (below), but that recomputes only the direct consumers of the
  // node: what a change of one element does one step downstream. A change can also be made to a batch of elements at once
  // (batches()), each reaching its own part of every consumer, so that one evaluation of a consumer
  // serves every element of the batch: a column of x in x W + b costs one outer product, not a
  // call per row. Every result is what the element alone would give.
  class LocalPerturbation {
   public:
    LocalPerturbation(const Graph& graph, NodeId node);
    const std::vector<NodeId>& consumers() const { return consumers_; }
    std::int64_t size() const;
    Real base(std::int64_t element) const;
    // The node's elements split into batches whose changes reach disjoint parts of every consumer
    // (the rows or columns its Dep flags declare) and share the inner index of a product (kInner):
    // the elements of one column, or of one row, or each alone (a consumer without Dep flags).
    std::vector<std::vector<std::int64_t>> batches() const;
    // Sum over the consumers c of <weights[k], c(x) - c(base)> with element `element` of the node
    // set to `x`; weights[k] has the shape of consumers()[k]. Recomputes only the rows or columns
    // of c that the element reaches, where the step declares them (Dep).
    // `magnitude`, if given, gets sum over the consumers of <|weights[k]|, |c(x)|>: the size the
    // sum's rounding is relative to.
    Real weighted_with(std::int64_t element, Real x, const std::vector<RMatrix>& weights, Real* magnitude = nullptr);
    // The same for every element of a batch (one of batches(), or one element), each set to its xs[i]
    // at once: out[i] and (if given) magnitude[i] are what weighted_with gives for batch[i] alone.
    void weighted_with(const std::vector<std::int64_t>& batch, const std::vector<Real>& xs,
                       const std::vector<RMatrix>& weights, std::vector<Real>& out,
                       std::vector<Real>* magnitude = nullptr);
    // The sizes of the terms summed into the gradient of each element of a batch, for several sets
    // of weights at once (one matrix per consumer each), from two evaluations with the element at
    // base + hs[i] and at base - hs[i] (hs[i] = 0: left out, its results 0): out[i] =
    // sum_j |w_j| |c_j(x+h) - c_j(x-h)| / 2h over the consumers' elements j, about
    // sum_j |w_j| |dc_j/dx| (rms false), or the root of sum_j (w_j (c_j(x+h) - c_j(x-h)) / 2h)^2, the
    // size that independent errors of sizes w_j reach the element with (rms true).
    struct TermSizes {
      const std::vector<RMatrix>* weights;
      bool rms;
      std::vector<Real>* out;
    };
    void term_sizes(const std::vector<std::int64_t>& batch, const std::vector<Real>& hs, const std::vector<TermSizes>& sets);
    // The same from the last two weighted_with calls on this batch, made at base + hs[i] and at
    // base - hs[i] (in either order): for an affine node, whose central difference at any step
    // gives its terms, no further evaluation.
    void term_sizes_of_last_two(const std::vector<std::int64_t>& batch, const std::vector<Real>& hs,
                                const std::vector<TermSizes>& sets);
    // About how many values an evaluation of the batch reads and writes (the cuts of the
    // consumers' inputs and outputs): what it costs beside evaluating its elements one by one.
    std::int64_t cost(const std::vector<std::int64_t>& batch) const;
    // Every consumer is affine in the node.
    bool linear() const;

   private:
    // Where a call of a consumer is cut: to one row group and/or one column (or whole), and for a
    // product's operand (kInner) to its inner index.
    struct Cut {
      bool rows = false, cols = false;
      Index group = 0, col = 0, inner = 0;
      bool operator==(const Cut& o) const {
        return rows == o.rows && cols == o.cols && group == o.group && col == o.col && inner == o.inner;
      }
    };
    struct Block {
      Index r0, c0, nr, nc;
    };
    struct Consumer {
      NodeId id;
      unsigned dep;
      Index groups = 1;                  // the row groups of kRows (Graph::Dep)
      std::size_t self = 0, partner = 0;  // kInner: the node's input slot and the other operand's
      bool left = false;                 // kInner: the node is the product's first operand, A
      std::vector<RMatrix> scratch;      // the cut inputs of a call, indexed by node id
      // Larger cuts of the unperturbed values, kept (input slot, r0, c0, rows, cols): a call patches
      // in the node's changed elements and puts them back after, instead of copying the cut again.
      std::map<std::array<Index, 5>, RMatrix> cuts;
      std::vector<const RMatrix*> view;  // what the call reads, indexed by node id
      // The unperturbed value of the last cut called (kInner), or of the last batch's terms (kSum).
      bool have_old = false;
      Cut old_cut;
      RMatrix old;
      std::vector<std::int64_t> old_batch;
      std::vector<RMatrix> old_terms;
    };
    // One consumer evaluated for a batch: `fresh` is the block of its output at (r0, c0) that the
    // batch reaches, `old` the same block unperturbed (in fresh's coordinates when `old_local`,
    // else in the output's); element i of the batch reaches regions[i], in the output's
    // coordinates. A kSum consumer is evaluated per element: terms[i] and old_terms[i].
    struct Evaluated {
      RMatrix fresh;
      const RMatrix* old = nullptr;
      bool old_local = false;
      Index r0 = 0, c0 = 0;
      std::vector<Block> regions;
      std::vector<RMatrix> terms;
      const std::vector<RMatrix>* old_terms = nullptr;
    };
    void evaluate(Consumer& c, const std::vector<std::int64_t>& batch, Evaluated& out);
    // Adds to out[i] the sum of m (an array expression of an evaluated slice's shape, at (r0, c0)
    // in the output) over regions[i], each in the order sum() takes a block, so that a batch adds
    // what single elements did (acc: a buffer).
    template <class Expr>
    static void add_region_sums(const Expr& m, Index r0, Index c0, const std::vector<Block>& regions,
                                std::vector<Real>& out, RArray& acc);
    // Consumer c called on a cut of `from` (work_, where the batch's elements are changed, or the
    // graph's values).
    RMatrix call(Consumer& c, const Cut& cut, const std::vector<RMatrix>& from, const std::vector<std::int64_t>& batch);
    Cut single_cut(const Consumer& c, std::int64_t element) const;
    Cut batch_cut(const Consumer& c, const std::vector<std::int64_t>& batch) const;
    // The block of consumer c's input slot k that a call on `cut` reads.
    Block input_block(const Consumer& c, const Cut& cut, std::size_t k) const;
    const Graph& graph_;
    NodeId node_;
    std::vector<NodeId> consumers_;
    std::vector<Consumer> info_;
    std::vector<RMatrix> work_;
    // The consumers as the last two evaluations left them (weighted_with alternates between them).
    std::vector<Evaluated> slots_[2];
    int next_slot_ = 0;
    std::vector<std::int64_t> one_batch_;  // weighted_with of one element, without allocating
    std::vector<Real> one_x_, one_out_, one_magnitude_;
  };

  // An evaluator that perturbs elements of one node and returns the loss; it recomputes only the
  // downstream steps, on a private copy of the values, so the graph itself is never changed.
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
  std::map<std::string, std::vector<NodeId>> stacks_;
  std::shared_ptr<const Graph> twin_;
};

// The name of a stack's member k (from 1): "h@3".
inline std::string stack_member(std::string_view stack, std::size_t k) {
  return std::string(stack) + "@" + std::to_string(k);
}

// Matrices of one width, part(0) .. part(n-1), one under the other (a stack's values or gradients).
template <class Part>
RMatrix stack_rows(std::size_t n, Part part) {
  std::vector<RMatrix> parts;
  Index rows = 0;
  for (std::size_t k = 0; k < n; ++k) rows += parts.emplace_back(part(k)).rows();
  RMatrix out(rows, parts.empty() ? 0 : parts.front().cols());
  rows = 0;
  for (const RMatrix& m : parts) out.middleRows(rows, m.rows()) = m, rows += m.rows();
  return out;
}

// x W + b with the row b added to every row: a linear layer's step (declare x and W kInner). Where
// the inner dimension is 1 (a product's share, as the finite differences call it) it is computed
// as the outer product it is: a general matrix product of depth 1 spends most of its time in setup.
RMatrix linear_step(const RMatrix& x, const RMatrix& W, const RMatrix& b);

// A layer exercise's loss: its output reduced to a scalar with a fixed random upstream gradient G,
// L = sum(out .* G), so that dL/d(out) = G. Adds the step "L" and makes it the graph's loss.
Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G);

// An exact-value check's loss: the sum of scalar steps `terms` (each 1 x 1, such as <u_k, P_k> of a
// leaf u_k and an expected value P_k), added in the order given in long double, affine in each.
// Adds the step "loss" and makes it the graph's loss.
Graph::NodeId add_sum_loss(Graph& graph, std::vector<Graph::NodeId> terms);

}  // namespace bpdojo
