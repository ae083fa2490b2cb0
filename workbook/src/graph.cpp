#include "bpdojo/graph.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace bpdojo {

const Matrix& Graph::Inputs::operator[](NodeId id) const {
  if (std::find(allowed_.begin(), allowed_.end(), id) == allowed_.end())
    throw std::logic_error("a step read node " + std::to_string(id) + " without declaring it as an input");
  return values_[static_cast<std::size_t>(id)];
}

Graph::NodeId Graph::add(Node node, Matrix value) {
  if (has(node.name)) throw std::logic_error("node '" + node.name + "' defined twice");
  nodes_.push_back(std::move(node));
  values_.push_back(std::move(value));
  return static_cast<NodeId>(nodes_.size() - 1);
}

Graph::NodeId Graph::leaf(std::string name, Tensor value) {
  Shape shape = value.shape;
  return add(Node{std::move(name), std::move(shape), {}, {}, {}, false}, std::move(value.value));
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
    if ((deps[k] & kCols) && storage_cols(nodes_[static_cast<std::size_t>(inputs[k])].shape) != storage_cols(shape))
      throw std::logic_error("step '" + name + "': a kCols input has as many columns as the output");
  Matrix value = Matrix::Zero(storage_rows(shape), storage_cols(shape));
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

Matrix Graph::run_step(NodeId id, const std::vector<Matrix>& values) const {
  const Node& node = nodes_[static_cast<std::size_t>(id)];
  Matrix out = node.fn(Inputs(values, node.inputs));
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

double Graph::loss() const {
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

double Graph::Perturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

double Graph::Perturbation::loss_with(std::int64_t element, double x) {
  Matrix& m = work_[static_cast<std::size_t>(node_)];
  m.data()[element] = x;
  for (NodeId s : downstream_) work_[static_cast<std::size_t>(s)] = graph_.run_step(s, work_);
  m.data()[element] = base(element);
  return work_[static_cast<std::size_t>(graph_.loss_id())](0, 0);
}

Graph::LocalPerturbation::LocalPerturbation(const Graph& graph, NodeId node)
    : graph_(graph), node_(node), consumers_(graph.consumers(node)), work_(graph.values_) {
  for (NodeId c : consumers_) {
    Consumer info{c, graph.dep(c, node), {}};
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

namespace {

// Rows [g*per, (g+1)*per) of m, per = rows / groups.
Matrix row_group(const Matrix& m, Index g, Index groups) {
  const Index per = m.rows() / groups;
  return m.middleRows(g * per, per);
}

}  // namespace

double Graph::LocalPerturbation::sliced(Consumer& c, std::int64_t element, const Matrix& weights) {
  const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
  const Matrix& value = graph_.values_[static_cast<std::size_t>(c.id)];
  const Matrix& mine = work_[static_cast<std::size_t>(node_)];
  const bool by_rows = c.dep & kRows, by_cols = c.dep & kCols;
  // The row group and column the element falls in.
  Index groups = value.rows();
  for (std::size_t k = 0; k < n.inputs.size(); ++k)
    if (n.deps[k] & kRows) groups = std::min(groups, work_[static_cast<std::size_t>(n.inputs[k])].rows());
  const Index row = static_cast<Index>(element / mine.cols()), col = static_cast<Index>(element % mine.cols());
  const Index g = by_rows ? row / (mine.rows() / groups) : 0;
  auto cut = [&](const Matrix& m, unsigned dep) -> Matrix {
    Matrix out = (by_rows && (dep & kRows)) ? row_group(m, g, groups) : m;
    if (by_cols && (dep & kCols)) return out.col(col);
    return out;
  };
  std::vector<Matrix>& scratch = c.scratch;
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    const unsigned d = n.deps[k];
    if ((by_rows && (d & kRows)) || (by_cols && (d & kCols)))
      scratch[static_cast<std::size_t>(n.inputs[k])] = cut(work_[static_cast<std::size_t>(n.inputs[k])], d);
  }
  const Matrix fresh = n.fn(Inputs(scratch, n.inputs));
  const Matrix old = cut(value, kRows | kCols), w = cut(weights, kRows | kCols);
  if (fresh.rows() != old.rows() || fresh.cols() != old.cols())
    throw std::logic_error("step '" + n.name + "' computed a " + std::to_string(fresh.rows()) + "x" +
                           std::to_string(fresh.cols()) + " slice where " + std::to_string(old.rows()) + "x" +
                           std::to_string(old.cols()) + " was due: its Dep flags do not fit it");
  return w.cwiseProduct(old).sum() + w.cwiseProduct(fresh - old).sum();
}

std::int64_t Graph::LocalPerturbation::size() const { return graph_.values_[static_cast<std::size_t>(node_)].size(); }

double Graph::LocalPerturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

double Graph::LocalPerturbation::weighted_with(std::int64_t element, double x, const std::vector<Matrix>& weights) {
  Matrix& m = work_[static_cast<std::size_t>(node_)];
  m.data()[element] = x;
  double sum = 0.0;
  for (std::size_t k = 0; k < info_.size(); ++k)
    sum += (info_[k].dep & (kRows | kCols)) ? sliced(info_[k], element, weights[k])
                                              : graph_.run_step(consumers_[k], work_).cwiseProduct(weights[k]).sum();
  m.data()[element] = base(element);
  return sum;
}

Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G) {
  const Graph::NodeId L = graph.step("L", {}, {out, G}, [=](const Graph::Inputs& v) {
    return Matrix::Constant(1, 1, (v[out].array() * v[G].array()).sum());
  });
  graph.set_loss(L);
  return L;
}

}  // namespace bpdojo
