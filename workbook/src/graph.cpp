#include "bpdojo/graph.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace bpdojo {

const RMatrix& Graph::Inputs::operator[](NodeId id) const {
  if (std::find(allowed_.begin(), allowed_.end(), id) == allowed_.end())
    throw std::logic_error("a step read node " + std::to_string(id) + " without declaring it as an input");
  return values_[static_cast<std::size_t>(id)];
}

Graph::NodeId Graph::add(Node node, RMatrix value) {
  if (has(node.name)) throw std::logic_error("node '" + node.name + "' defined twice");
  nodes_.push_back(std::move(node));
  values_.push_back(std::move(value));
  return static_cast<NodeId>(nodes_.size() - 1);
}

Graph::NodeId Graph::leaf(std::string name, Tensor value) {
  Shape shape = value.shape;
  return add(Node{std::move(name), std::move(shape), {}, {}, {}, false}, value.value.cast<Real>());
}

Graph::NodeId Graph::data(std::string name, Tensor value) {
  const NodeId id = leaf(std::move(name), std::move(value));
  nodes_.back().data = true;
  return id;
}

Graph::NodeId Graph::step(std::string name, Shape shape, std::vector<NodeId> inputs, StepFn fn,
                          std::vector<unsigned> deps) {
  for (NodeId in : inputs)
    if (in < 0 || static_cast<std::size_t>(in) >= nodes_.size())
      throw std::logic_error("step '" + name + "' reads a node defined after it");
  if (deps.empty()) deps.assign(inputs.size(), kAll);
  if (deps.size() != inputs.size()) throw std::logic_error("step '" + name + "': one Dep per input");
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if ((deps[k] & kCols) && !(deps[k] & kSum) && storage_cols(nodes_[static_cast<std::size_t>(inputs[k])].shape) != storage_cols(shape))
      throw std::logic_error("step '" + name + "': a kCols input has as many columns as the output");
  const auto operands = std::count_if(deps.begin(), deps.end(), [](unsigned d) { return (d & kInner) != 0; });
  if (operands != 0 && (operands != 2 || std::any_of(deps.begin(), deps.end(), [](unsigned d) {
                          return (d & kInner) && (!(d & kLinear) || (d & kSum));
                        })))
    throw std::logic_error("step '" + name + "': kInner marks the two operands of a product, each kLinear");
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if ((deps[k] & kSum) && (numel(shape) != 1 || !(deps[k] & kRows)))
      throw std::logic_error("step '" + name + "': a kSum input is kRows (or kRows | kCols) of a scalar step");
  RMatrix value = RMatrix::Zero(storage_rows(shape), storage_cols(shape));
  return add(Node{std::move(name), std::move(shape), std::move(inputs), std::move(fn), std::move(deps)},
             std::move(value));
}

unsigned Graph::dep(NodeId step, NodeId input) const {
  const Node& n = nodes_.at(static_cast<std::size_t>(step));
  for (std::size_t k = 0; k < n.inputs.size(); ++k)
    if (n.inputs[k] == input) return n.deps[k];
  return kAll;
}

void Graph::set_loss(NodeId id) {
  if (numel(shape(id)) != 1) throw std::logic_error("the loss must be a scalar");
  loss_ = id;
}

void Graph::set_reference_twin(Graph twin) {
  if (loss_ < 0 || twin.loss_ < 0 || twin.name(twin.loss_) != name(loss_))
    throw std::logic_error("a reference twin computes the same loss");
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (!twin.has(n.name)) throw std::logic_error("the reference twin has no node '" + n.name + "'");
    const NodeId t = twin.id(n.name);
    if (twin.shape(t) != n.shape || twin.is_leaf(t) != is_leaf(static_cast<NodeId>(i)) ||
        twin.is_data(t) != n.data || (!n.fn && twin.exact(t) != values_[i]))
      throw std::logic_error("the reference twin's '" + n.name + "' is not this graph's");
  }
  twin_ = std::make_shared<const Graph>(std::move(twin));
}

RMatrix Graph::run_step(NodeId id, const std::vector<RMatrix>& values) const {
  const Node& node = nodes_[static_cast<std::size_t>(id)];
  RMatrix out = node.fn(Inputs(values, node.inputs));
  if (out.rows() != storage_rows(node.shape) || out.cols() != storage_cols(node.shape))
    throw std::logic_error("step '" + node.name + "' computed a " + std::to_string(out.rows()) + "x" +
                           std::to_string(out.cols()) + " value for shape " + to_string(node.shape));
  return out;
}

void Graph::forward() {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].fn) values_[i] = run_step(static_cast<NodeId>(i), values_);
}

Graph::NodeId Graph::id(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name) return static_cast<NodeId>(i);
  throw std::out_of_range("no node '" + std::string(name) + "'");
}

bool Graph::has(std::string_view name) const {
  return std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.name == name; });
}

Real Graph::exact_loss() const {
  if (loss_ < 0) throw std::logic_error("the graph has no loss");
  return values_[static_cast<std::size_t>(loss_)](0, 0);
}

std::vector<Graph::NodeId> Graph::consumers(NodeId id) const {
  std::vector<NodeId> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& in = nodes_[i].inputs;
    if (std::find(in.begin(), in.end(), id) != in.end()) out.push_back(static_cast<NodeId>(i));
  }
  return out;
}

std::vector<Graph::NodeId> Graph::downstream(NodeId id) const {
  std::vector<bool> reached(nodes_.size(), false);
  reached[static_cast<std::size_t>(id)] = true;
  std::vector<NodeId> out;
  for (std::size_t i = static_cast<std::size_t>(id) + 1; i < nodes_.size(); ++i) {
    for (NodeId in : nodes_[i].inputs) {
      if (reached[static_cast<std::size_t>(in)]) {
        reached[i] = true;
        out.push_back(static_cast<NodeId>(i));
        break;
      }
    }
  }
  return out;
}

Graph::Perturbation::Perturbation(const Graph& graph, NodeId node)
    : graph_(graph), node_(node), downstream_(graph.downstream(node)), work_(graph.values_) {
  if (std::find(downstream_.begin(), downstream_.end(), graph.loss_id()) == downstream_.end() && node != graph.loss_id())
    throw std::logic_error("the loss does not depend on node '" + graph.name(node) + "'");
}

std::int64_t Graph::Perturbation::size() const { return graph_.values_[static_cast<std::size_t>(node_)].size(); }

Real Graph::Perturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

Real Graph::Perturbation::loss_with(std::int64_t element, Real x) {
  RMatrix& m = work_[static_cast<std::size_t>(node_)];
  m.data()[element] = x;
  for (NodeId s : downstream_) work_[static_cast<std::size_t>(s)] = graph_.run_step(s, work_);
  m.data()[element] = base(element);
  return work_[static_cast<std::size_t>(graph_.loss_id())](0, 0);
}

Graph::LocalPerturbation::LocalPerturbation(const Graph& graph, NodeId node)
    : graph_(graph), node_(node), consumers_(graph.consumers(node)), work_(graph.values_) {
  for (NodeId c : consumers_) {
    Consumer info{c, graph.dep(c, node), {}, -1, {}, {}, {}, {}};
    if (info.dep & (kRows | kCols)) {
      // The inputs that are passed whole never change while this node is perturbed: copy them once.
      info.scratch.resize(graph.values_.size());
      const Node& n = graph.nodes_[static_cast<std::size_t>(c)];
      for (std::size_t k = 0; k < n.inputs.size(); ++k)
        info.scratch[static_cast<std::size_t>(n.inputs[k])] = graph.values_[static_cast<std::size_t>(n.inputs[k])];
    }
    info_.push_back(std::move(info));
  }
}

bool Graph::LocalPerturbation::linear() const {
  return std::all_of(info_.begin(), info_.end(), [](const Consumer& c) { return (c.dep & kLinear) != 0; });
}

Graph::LocalPerturbation::Slice Graph::LocalPerturbation::evaluate(Consumer& c, std::int64_t element,
                                                                   const RMatrix& weights, const RMatrix* also) {
  const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
  const RMatrix& value = graph_.values_[static_cast<std::size_t>(c.id)];
  if (!(c.dep & (kRows | kCols))) return {graph_.run_step(c.id, work_), &value, &weights, also};
  const RMatrix& mine = work_[static_cast<std::size_t>(node_)];
  const bool by_rows = c.dep & kRows, by_cols = c.dep & kCols, sum = c.dep & kSum, inner = c.dep & kInner;
  // The row group and column the element falls in (a sum's output, a scalar, does not split).
  Index groups = sum ? mine.rows() : value.rows();
  for (std::size_t k = 0; k < n.inputs.size(); ++k)
    if (n.deps[k] & kRows) groups = std::min(groups, work_[static_cast<std::size_t>(n.inputs[k])].rows());
  const Index row = static_cast<Index>(element / mine.cols()), col = static_cast<Index>(element % mine.cols());
  const Index g = by_rows ? row / (mine.rows() / groups) : 0;
  // The slice of m the element reaches, copied into `out` (m itself when it is not cut).
  auto cut = [&](const RMatrix& m, unsigned dep, RMatrix& out) -> const RMatrix& {
    const bool rows = by_rows && (dep & kRows), cols = by_cols && (dep & kCols);
    const Index per = rows ? m.rows() / groups : m.rows();
    if (rows && cols) out = m.block(g * per, col, per, 1);
    else if (rows) out = m.middleRows(g * per, per);
    else if (cols) out = m.col(col);
    else return m;
    return out;
  };
  // A product's operands (kInner): the element's column of A, or its row of B, pairs with the same
  // row of B, or column of A; `left` when the node is A.
  std::size_t partner = n.inputs.size();
  bool left = false;
  if (inner) {
    std::size_t self = n.inputs.size();
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      if (!(n.deps[k] & kInner)) continue;
      if (n.inputs[k] == node_ && self == n.inputs.size()) self = k;
      else partner = k;
    }
    if (self == n.inputs.size() || partner == n.inputs.size())
      throw std::logic_error("step '" + n.name + "': kInner marks two inputs, the product's operands");
    left = self < partner;
  }
  const Index j = left ? col : row;  // the inner index the element falls in
  auto call = [&](const std::vector<RMatrix>& from) {
    std::vector<RMatrix>& scratch = c.scratch;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      const unsigned d = n.deps[k];
      const auto in = static_cast<std::size_t>(n.inputs[k]);
      const bool operand = inner && (n.inputs[k] == node_ || k == partner) && (d & kInner);
      if (!operand) {
        if ((by_rows && (d & kRows)) || (by_cols && (d & kCols))) cut(from[in], d, scratch[in]);
        continue;
      }
      // The operand's rows or column as the other flags cut them, and its inner index j: a column
      // of A (the first operand), a row of B.
      const RMatrix& m = from[in];
      const bool is_a = (n.inputs[k] == node_) == left;
      Index r0 = 0, nr = m.rows(), c0 = 0, nc = m.cols();
      if (by_rows && (d & kRows)) nr = m.rows() / groups, r0 = g * nr;
      if (by_cols && (d & kCols)) c0 = col, nc = 1;
      if (is_a) c0 = j, nc = 1;
      else r0 = j, nr = 1;
      scratch[in] = m.block(r0, c0, nr, nc);
    }
    return n.fn(Inputs(scratch, n.inputs));
  };
  Slice s;
  s.fresh = call(work_);
  if (sum || inner) {
    // The term of this group, or the share of this inner index, as the graph holds it: the same
    // slice of the unperturbed inputs (the graph's value holds every group's and index's).
    if (c.old_for != element) c.old = call(graph_.values_), c.old_for = element;
    s.old = &c.old;
  } else {
    s.old = &cut(value, kRows | kCols, c.old_cut);
  }
  if (sum) {
    s.weights = &weights;
    s.also = also;
  } else {
    s.weights = &cut(weights, kRows | kCols, c.weights_cut);
    if (also) s.also = &cut(*also, kRows | kCols, c.also_cut);
  }
  if (s.fresh.rows() != s.old->rows() || s.fresh.cols() != s.old->cols() || s.weights->rows() != s.old->rows() ||
      s.weights->cols() != s.old->cols())
    throw std::logic_error("step '" + n.name + "' computed a " + std::to_string(s.fresh.rows()) + "x" +
                           std::to_string(s.fresh.cols()) + " slice where " + std::to_string(s.old->rows()) + "x" +
                           std::to_string(s.old->cols()) + " was due: its Dep flags do not fit it");
  return s;
}

std::int64_t Graph::LocalPerturbation::size() const { return graph_.values_[static_cast<std::size_t>(node_)].size(); }

Real Graph::LocalPerturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

Real Graph::LocalPerturbation::weighted_with(std::int64_t element, Real x, const std::vector<RMatrix>& weights,
                                             Real* magnitude) {
  RMatrix& m = work_[static_cast<std::size_t>(node_)];
  m.data()[element] = x;
  Real sum = 0.0L;
  if (magnitude) *magnitude = 0.0L;
  for (std::size_t k = 0; k < info_.size(); ++k) {
    const Slice s = evaluate(info_[k], element, weights[k]);
    // Only the change: the constant <w, c(base)> would add its rounding to every difference.
    sum += s.weights->cwiseProduct(s.fresh - *s.old).sum();
    if (magnitude) *magnitude += s.weights->cwiseAbs().cwiseProduct(s.fresh.cwiseAbs()).sum();
  }
  m.data()[element] = base(element);
  return sum;
}

Real Graph::LocalPerturbation::abs_terms(std::int64_t element, Real h, const std::vector<RMatrix>& weights,
                                         const std::vector<RMatrix>* also, Real* also_out) {
  RMatrix& m = work_[static_cast<std::size_t>(node_)];
  Real sum = 0.0L, other = 0.0L;
  for (std::size_t k = 0; k < info_.size(); ++k) {
    m.data()[element] = base(element) + h;
    const Slice plus = evaluate(info_[k], element, weights[k], also ? &(*also)[k] : nullptr);
    m.data()[element] = base(element) - h;
    const RMatrix minus = evaluate(info_[k], element, weights[k]).fresh;
    const RMatrix change = (plus.fresh - minus).cwiseAbs();
    sum += plus.weights->cwiseAbs().cwiseProduct(change).sum();
    if (also) other += plus.also->cwiseAbs().cwiseProduct(change).sum();
  }
  m.data()[element] = base(element);
  if (also_out) *also_out = other / (2 * h);
  return sum / (2 * h);
}

Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G) {
  const Graph::NodeId L = graph.step("L", {}, {out, G}, [=](const Graph::Inputs& v) {
    return RMatrix::Constant(1, 1, (v[out].array() * v[G].array()).sum());
  }, {Graph::kSum | Graph::kRows | Graph::kCols | Graph::kLinear, Graph::kSum | Graph::kRows | Graph::kCols});
  graph.set_loss(L);
  return L;
}

}  // namespace bpdojo
