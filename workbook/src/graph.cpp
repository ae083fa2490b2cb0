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
  return add(Node{std::move(name), std::move(shape), {}, {}}, std::move(value.value));
}

Graph::NodeId Graph::step(std::string name, Shape shape, std::vector<NodeId> inputs, StepFn fn) {
  for (NodeId in : inputs)
    if (in < 0 || static_cast<std::size_t>(in) >= nodes_.size())
      throw std::logic_error("step '" + name + "' reads a node defined after it");
  Matrix value = Matrix::Zero(storage_rows(shape), storage_cols(shape));
  return add(Node{std::move(name), std::move(shape), std::move(inputs), std::move(fn)}, std::move(value));
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
    : graph_(graph), node_(node), consumers_(graph.consumers(node)), work_(graph.values_) {}

std::int64_t Graph::LocalPerturbation::size() const { return graph_.values_[static_cast<std::size_t>(node_)].size(); }

double Graph::LocalPerturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

double Graph::LocalPerturbation::weighted_with(std::int64_t element, double x, const std::vector<Matrix>& weights) {
  Matrix& m = work_[static_cast<std::size_t>(node_)];
  m.data()[element] = x;
  double sum = 0.0;
  for (std::size_t k = 0; k < consumers_.size(); ++k)
    sum += graph_.run_step(consumers_[k], work_).cwiseProduct(weights[k]).sum();
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
