#include "bpdojo/graph.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace bpdojo {

const RMatrix& Graph::Inputs::operator[](NodeId id) const {
  if (std::find(allowed_.begin(), allowed_.end(), id) == allowed_.end())
    throw std::logic_error("a step read node " + std::to_string(id) + " without declaring it as an input");
  return *values_[static_cast<std::size_t>(id)];
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
  std::vector<const RMatrix*> view(values.size(), nullptr);
  for (NodeId in : node.inputs) view[static_cast<std::size_t>(in)] = &values[static_cast<std::size_t>(in)];
  RMatrix out = node.fn(Inputs(view, node.inputs));
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

void Graph::stack(std::string name, std::vector<NodeId> members) {
  if (members.empty() || has(name) || is_stack(name))
    throw std::logic_error("stack '" + name + "': no members, or the name is taken");
  for (std::size_t k = 0; k < members.size(); ++k) {
    const Shape& s = shape(members[k]);
    if (s.size() != 2 || s != shape(members.front()))
      throw std::logic_error("stack '" + name + "': its members are matrices of one shape");
    // The checker names a stack's blocks so (which of them are wrong).
    if (this->name(members[k]) != stack_member(name, k + 1))
      throw std::logic_error("stack '" + name + "': member " + std::to_string(k + 1) + " is named " + this->name(members[k]));
  }
  stacks_.emplace(std::move(name), std::move(members));
}

const std::vector<Graph::NodeId>& Graph::stack_members(std::string_view name) const {
  const auto it = stacks_.find(std::string(name));
  if (it == stacks_.end()) throw std::out_of_range("no stack '" + std::string(name) + "'");
  return it->second;
}

std::vector<Graph::NodeId> Graph::nodes_of(std::string_view name) const {
  return is_stack(name) ? stack_members(name) : std::vector<NodeId>{id(name)};
}

Shape Graph::shape_of(std::string_view name) const {
  if (!is_stack(name)) return shape(id(name));
  const std::vector<NodeId>& m = stack_members(name);
  Shape s = shape(m.front());
  s[0] *= static_cast<std::int64_t>(m.size());
  return s;
}

RMatrix Graph::exact_of(std::string_view name) const {
  const std::vector<NodeId> nodes = nodes_of(name);
  return stack_rows(nodes.size(), [&](std::size_t k) { return exact(nodes[k]); });
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
  const RMatrix& mine = graph.values_[static_cast<std::size_t>(node)];
  for (NodeId c : consumers_) {
    Consumer info;
    info.id = c;
    info.dep = graph.dep(c, node);
    const Node& n = graph.nodes_[static_cast<std::size_t>(c)];
    info.scratch.resize(graph.values_.size());
    info.view.assign(graph.values_.size(), nullptr);
    // The row groups the element falls in (a sum's output, a scalar, does not split).
    info.groups = (info.dep & kSum) ? mine.rows() : graph.values_[static_cast<std::size_t>(c)].rows();
    for (std::size_t k = 0; k < n.inputs.size(); ++k)
      if (n.deps[k] & kRows) info.groups = std::min(info.groups, graph.values_[static_cast<std::size_t>(n.inputs[k])].rows());
    if (info.dep & kInner) {
      // A product's operands: the element's column of A, or its row of B, pairs with the same row
      // of B, or column of A; `left` when the node is A.
      info.self = info.partner = n.inputs.size();
      for (std::size_t k = 0; k < n.inputs.size(); ++k) {
        if (!(n.deps[k] & kInner)) continue;
        if (n.inputs[k] == node && info.self == n.inputs.size()) info.self = k;
        else info.partner = k;
      }
      if (info.self == n.inputs.size() || info.partner == n.inputs.size())
        throw std::logic_error("step '" + n.name + "': kInner marks two inputs, the product's operands");
      info.left = info.self < info.partner;
    }
    info_.push_back(std::move(info));
  }
  slots_[0].resize(info_.size());
  slots_[1].resize(info_.size());
}

bool Graph::LocalPerturbation::linear() const {
  return std::all_of(info_.begin(), info_.end(), [](const Consumer& c) { return (c.dep & kLinear) != 0; });
}

std::int64_t Graph::LocalPerturbation::size() const { return graph_.values_[static_cast<std::size_t>(node_)].size(); }

Real Graph::LocalPerturbation::base(std::int64_t element) const {
  return graph_.values_[static_cast<std::size_t>(node_)].data()[element];
}

std::vector<std::vector<std::int64_t>> Graph::LocalPerturbation::batches() const {
  const RMatrix& mine = graph_.values_[static_cast<std::size_t>(node_)];
  const Index R = mine.rows(), C = mine.cols();
  // A column's elements (one per row class, P rows apart, so that no two fall in one row group
  // of any consumer), or a row's: which fits every consumer.
  bool by_column = true, by_row = true;
  Index P = 1;
  for (const Consumer& c : info_) {
    if (c.dep & kRows) {
      const Index per = std::max<Index>(1, R / c.groups);
      P = std::lcm(P, per);
    } else {
      by_column = false;  // one column's rows reach the same part of c
    }
    if (!(c.dep & kCols)) by_row = false;  // one row's columns reach the same part of c
    if (c.dep & kInner) {
      if (c.left) by_row = false;  // A's column is the inner index
      else by_column = false;      // B's row is
    }
  }
  if (P >= R) by_column = false;
  if (C <= 1) by_row = false;
  std::vector<std::vector<std::int64_t>> out;
  if (by_column && (!by_row || C * P <= R)) {
    for (Index col = 0; col < C; ++col)
      for (Index r0 = 0; r0 < P; ++r0) {
        std::vector<std::int64_t> batch;
        for (Index r = r0; r < R; r += P) batch.push_back(static_cast<std::int64_t>(r * C + col));
        out.push_back(std::move(batch));
      }
  } else if (by_row) {
    for (Index r = 0; r < R; ++r) {
      std::vector<std::int64_t> batch;
      for (Index col = 0; col < C; ++col) batch.push_back(static_cast<std::int64_t>(r * C + col));
      out.push_back(std::move(batch));
    }
  } else {
    for (std::int64_t e = 0; e < static_cast<std::int64_t>(mine.size()); ++e) out.push_back({e});
  }
  return out;
}

Graph::LocalPerturbation::Cut Graph::LocalPerturbation::single_cut(const Consumer& c, std::int64_t element) const {
  const RMatrix& mine = work_[static_cast<std::size_t>(node_)];
  const Index row = static_cast<Index>(element / mine.cols()), col = static_cast<Index>(element % mine.cols());
  Cut cut;
  cut.rows = (c.dep & kRows) != 0;
  cut.cols = (c.dep & kCols) != 0;
  cut.group = cut.rows ? row / (mine.rows() / c.groups) : 0;
  cut.col = col;
  cut.inner = c.left ? col : row;
  return cut;
}

Graph::LocalPerturbation::Block Graph::LocalPerturbation::input_block(const Consumer& c, const Cut& cut,
                                                                       std::size_t k) const {
  const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
  const unsigned d = n.deps[k];
  const RMatrix& m = graph_.values_[static_cast<std::size_t>(n.inputs[k])];
  Block b{0, 0, m.rows(), m.cols()};
  if (cut.rows && (d & kRows)) b.nr = m.rows() / c.groups, b.r0 = cut.group * b.nr;
  if (cut.cols && (d & kCols)) b.c0 = cut.col, b.nc = 1;
  if ((c.dep & kInner) && (k == c.self || k == c.partner)) {
    // The operand's inner index: a column of A (the first operand), a row of B.
    if ((k == c.self) == c.left) b.c0 = cut.inner, b.nc = 1;
    else b.r0 = cut.inner, b.nr = 1;
  }
  return b;
}

RMatrix Graph::LocalPerturbation::call(Consumer& c, const Cut& cut, const std::vector<RMatrix>& from,
                                       const std::vector<std::int64_t>& batch) {
  const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
  const bool changed = &from == &work_;
  const RMatrix& mine = work_[static_cast<std::size_t>(node_)];
  struct Patch {
    RMatrix* slice;
    Index r, col;
    Real was;
  };
  std::vector<Patch> patched;
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    const auto in = static_cast<std::size_t>(n.inputs[k]);
    const RMatrix& m = from[in];
    const auto [r0, c0, nr, nc] = input_block(c, cut, k);
    if (r0 == 0 && c0 == 0 && nr == m.rows() && nc == m.cols()) {
      c.view[in] = &m;  // read whole, in place
    } else if (nr * nc < 64) {
      c.scratch[in] = m.block(r0, c0, nr, nc);
      c.view[in] = &c.scratch[in];
    } else {
      RMatrix& slice = c.cuts[{static_cast<Index>(k), r0, c0, nr, nc}];
      if (slice.size() == 0) slice = graph_.values_[in].block(r0, c0, nr, nc);
      if (changed && n.inputs[k] == node_) {
        for (std::int64_t e : batch) {
          const Index r = static_cast<Index>(e / mine.cols()) - r0, col = static_cast<Index>(e % mine.cols()) - c0;
          if (r < 0 || r >= nr || col < 0 || col >= nc) continue;
          patched.push_back({&slice, r, col, slice(r, col)});
          slice(r, col) = mine.data()[e];
        }
      }
      c.view[in] = &slice;
    }
  }
  RMatrix out = n.fn(Inputs(c.view, n.inputs));
  for (const Patch& p : patched) (*p.slice)(p.r, p.col) = p.was;
  return out;
}

Graph::LocalPerturbation::Cut Graph::LocalPerturbation::batch_cut(const Consumer& c,
                                                                   const std::vector<std::int64_t>& batch) const {
  Cut cut = single_cut(c, batch.front());
  for (std::int64_t e : batch) {
    const Cut other = single_cut(c, e);
    if (other.group != cut.group) cut.rows = false;
    if (other.col != cut.col) cut.cols = false;
    if ((c.dep & kInner) && other.inner != cut.inner)
      throw std::logic_error("step '" + graph_.name(c.id) + "': a batch spans two inner indices of a product");
  }
  return cut;
}

std::int64_t Graph::LocalPerturbation::cost(const std::vector<std::int64_t>& batch) const {
  std::int64_t total = 0;
  for (const Consumer& c : info_) {
    const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
    const RMatrix& value = graph_.values_[static_cast<std::size_t>(c.id)];
    // A sum is called per element whatever the batch; the others once, on the batch's cut.
    const std::int64_t calls = (c.dep & kSum) ? static_cast<std::int64_t>(batch.size()) : 1;
    const Cut cut = (c.dep & kSum) ? single_cut(c, batch.front()) : batch_cut(c, batch);
    std::int64_t size = value.size();
    if ((c.dep & (kRows | kCols)) && !(c.dep & kSum))
      size = (cut.rows ? value.rows() / c.groups : value.rows()) * (cut.cols ? 1 : value.cols());
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      const Block b = input_block(c, cut, k);
      size += b.nr * b.nc;
    }
    total += calls * size;
  }
  return total;
}

void Graph::LocalPerturbation::evaluate(Consumer& c, const std::vector<std::int64_t>& batch, Evaluated& out) {
  const Node& n = graph_.nodes_[static_cast<std::size_t>(c.id)];
  const RMatrix& value = graph_.values_[static_cast<std::size_t>(c.id)];
  const auto too_big = [&](const RMatrix& fresh, Index rows, Index cols) {
    return std::logic_error("step '" + n.name + "' computed a " + std::to_string(fresh.rows()) + "x" +
                            std::to_string(fresh.cols()) + " slice where " + std::to_string(rows) + "x" +
                            std::to_string(cols) + " was due: its Dep flags do not fit it");
  };
  out.regions.clear();
  if (c.dep & kSum) {
    // A sum: each element's own term (group, or element), against the same term unperturbed.
    if (!c.have_old || c.old_batch != batch) {
      c.old_terms.clear();
      for (std::int64_t e : batch) c.old_terms.push_back(call(c, single_cut(c, e), graph_.values_, batch));
      c.old_batch = batch, c.have_old = true;
    }
    out.terms.resize(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      out.terms[i] = call(c, single_cut(c, batch[i]), work_, batch);
      if (out.terms[i].rows() != 1 || out.terms[i].cols() != 1) throw too_big(out.terms[i], 1, 1);
    }
    out.old_terms = &c.old_terms;
    return;
  }
  if (!(c.dep & (kRows | kCols))) {
    out.fresh = graph_.run_step(c.id, work_);
    out.old = &value, out.old_local = false, out.r0 = out.c0 = 0;
    out.regions.assign(batch.size(), Block{0, 0, value.rows(), value.cols()});
    return;
  }
  // The batch's cut: to the one row group, or column, its elements share (every element when the
  // batch is one element); whole where they differ.
  const Cut cut = batch_cut(c, batch);
  const Index out_per = (c.dep & kRows) ? value.rows() / c.groups : value.rows();
  out.r0 = cut.rows ? cut.group * out_per : 0;
  out.c0 = cut.cols ? cut.col : 0;
  const Index nr = cut.rows ? out_per : value.rows(), nc = cut.cols ? 1 : value.cols();
  out.fresh = call(c, cut, work_, batch);
  if (out.fresh.rows() != nr || out.fresh.cols() != nc) throw too_big(out.fresh, nr, nc);
  if (c.dep & kInner) {
    // The share of this inner index, as the graph holds it: the same cut of the unperturbed
    // inputs (the graph's value holds every index's).
    if (!c.have_old || !(c.old_cut == cut)) c.old = call(c, cut, graph_.values_, batch), c.old_cut = cut, c.have_old = true;
    out.old = &c.old, out.old_local = true;
  } else {
    out.old = &value, out.old_local = false;
  }
  for (std::int64_t e : batch) {
    const Cut own = single_cut(c, e);
    Block b{out.r0, out.c0, nr, nc};
    if (!cut.rows && (c.dep & kRows)) b.r0 = own.group * out_per, b.nr = out_per;
    if (!cut.cols && (c.dep & kCols)) b.c0 = own.col, b.nc = 1;
    out.regions.push_back(b);
  }
}

template <class Expr>
void Graph::LocalPerturbation::add_region_sums(const Expr& m, Index r0, Index c0, const std::vector<Block>& regions,
                                                std::vector<Real>& out, RArray& acc) {
  const bool columns = regions.size() > 1 && std::all_of(regions.begin(), regions.end(), [&](const Block& b) {
    return b.nc == 1 && b.r0 == r0 && b.nr == m.rows();
  });
  if (columns) {
    // Whole columns: added up row by row (contiguous), each column from its top as sum() does.
    acc = m.row(0);
    for (Index r = 1; r < m.rows(); ++r) acc += m.row(r);
    for (std::size_t i = 0; i < regions.size(); ++i) out[i] += acc(0, regions[i].c0 - c0);
    return;
  }
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const Block& b = regions[i];
    if (b.nr == 1 && b.nc == 1) out[i] += m(b.r0 - r0, b.c0 - c0);  // one element: no block to set up
    else out[i] += m.block(b.r0 - r0, b.c0 - c0, b.nr, b.nc).sum();
  }
}

void Graph::LocalPerturbation::weighted_with(const std::vector<std::int64_t>& batch, const std::vector<Real>& xs,
                                             const std::vector<RMatrix>& weights, std::vector<Real>& out,
                                             std::vector<Real>* magnitude) {
  RMatrix& m = work_[static_cast<std::size_t>(node_)];
  for (std::size_t i = 0; i < batch.size(); ++i) m.data()[batch[i]] = xs[i];
  out.assign(batch.size(), 0.0L);
  if (magnitude) magnitude->assign(batch.size(), 0.0L);
  RArray acc;
  for (std::size_t k = 0; k < info_.size(); ++k) {
    Evaluated& s = slots_[next_slot_][k];
    evaluate(info_[k], batch, s);
    const RMatrix& w = weights[k];
    if (info_[k].dep & kSum) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        // Only the change: the constant <w, c(base)> would add its rounding to every difference.
        out[i] += w(0, 0) * (s.terms[i](0, 0) - (*s.old_terms)[i](0, 0));
        if (magnitude) (*magnitude)[i] += std::abs(w(0, 0)) * std::abs(s.terms[i](0, 0));
      }
      continue;
    }
    const Index nr = s.fresh.rows(), nc = s.fresh.cols();
    const auto wb = w.block(s.r0, s.c0, nr, nc).array();
    const auto old = s.old_local ? s.old->block(0, 0, nr, nc) : s.old->block(s.r0, s.c0, nr, nc);
    add_region_sums(wb * (s.fresh.array() - old.array()), s.r0, s.c0, s.regions, out, acc);
    if (magnitude) add_region_sums(wb.abs() * s.fresh.array().abs(), s.r0, s.c0, s.regions, *magnitude, acc);
  }
  for (std::int64_t e : batch) m.data()[e] = base(e);
  next_slot_ ^= 1;
}

Real Graph::LocalPerturbation::weighted_with(std::int64_t element, Real x, const std::vector<RMatrix>& weights,
                                             Real* magnitude) {
  one_batch_.assign(1, element), one_x_.assign(1, x);
  weighted_with(one_batch_, one_x_, weights, one_out_, magnitude ? &one_magnitude_ : nullptr);
  if (magnitude) *magnitude = one_magnitude_[0];
  return one_out_[0];
}

void Graph::LocalPerturbation::term_sizes(const std::vector<std::int64_t>& batch, const std::vector<Real>& hs,
                                          const std::vector<TermSizes>& sets) {
  RMatrix& m = work_[static_cast<std::size_t>(node_)];
  for (std::size_t i = 0; i < batch.size(); ++i) m.data()[batch[i]] = base(batch[i]) + hs[i];
  for (std::size_t k = 0; k < info_.size(); ++k) evaluate(info_[k], batch, slots_[0][k]);
  for (std::size_t i = 0; i < batch.size(); ++i) m.data()[batch[i]] = base(batch[i]) - hs[i];
  for (std::size_t k = 0; k < info_.size(); ++k) evaluate(info_[k], batch, slots_[1][k]);
  for (std::int64_t e : batch) m.data()[e] = base(e);
  term_sizes_of_last_two(batch, hs, sets);
}

void Graph::LocalPerturbation::term_sizes_of_last_two(const std::vector<std::int64_t>& batch, const std::vector<Real>& hs,
                                                      const std::vector<TermSizes>& sets) {
  for (const TermSizes& s : sets) s.out->assign(batch.size(), 0.0L);
  RArray acc;
  for (std::size_t k = 0; k < info_.size(); ++k) {
    const Evaluated &p = slots_[0][k], &q = slots_[1][k];
    if (info_[k].dep & kSum) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const Real c = std::abs(p.terms[i](0, 0) - q.terms[i](0, 0));
        for (const TermSizes& s : sets) {
          const Real t = std::abs((*s.weights)[k](0, 0)) * c;
          (*s.out)[i] += s.rms ? t * t : t;
        }
      }
      continue;
    }
    const Index nr = p.fresh.rows(), nc = p.fresh.cols();
    const auto change = (p.fresh.array() - q.fresh.array()).abs();
    for (const TermSizes& s : sets) {
      const auto w = (*s.weights)[k].block(p.r0, p.c0, nr, nc).array().abs();
      if (s.rms) add_region_sums((w * change).square(), p.r0, p.c0, p.regions, *s.out, acc);
      else add_region_sums(w * change, p.r0, p.c0, p.regions, *s.out, acc);
    }
  }
  for (const TermSizes& s : sets)
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Real& v = (*s.out)[i];
      v = hs[i] == 0.0L ? 0.0L : (s.rms ? std::sqrt(v) : v) / (2 * hs[i]);
    }
}

RMatrix linear_step(const RMatrix& x, const RMatrix& W, const RMatrix& b) {
  if (x.cols() != 1) return (x * W).rowwise() + b.row(0);
  if (W.rows() != 1 || b.rows() != 1 || b.cols() != W.cols()) throw std::logic_error("linear_step: shapes do not fit");
  RMatrix out(x.rows(), W.cols());
  for (Index i = 0; i < x.rows(); ++i) out.row(i) = x(i, 0) * W.row(0) + b.row(0);
  return out;
}

Graph::NodeId add_upstream_loss(Graph& graph, Graph::NodeId out, Graph::NodeId G) {
  const Graph::NodeId L = graph.step("L", {}, {out, G}, [=](const Graph::Inputs& v) {
    return RMatrix::Constant(1, 1, (v[out].array() * v[G].array()).sum());
  }, {Graph::kSum | Graph::kRows | Graph::kCols | Graph::kLinear, Graph::kSum | Graph::kRows | Graph::kCols});
  graph.set_loss(L);
  return L;
}

Graph::NodeId add_sum_loss(Graph& graph, std::vector<Graph::NodeId> terms) {
  const std::vector<unsigned> deps(terms.size(), Graph::kLinear);
  const Graph::NodeId loss = graph.step("loss", {}, terms, [terms](const Graph::Inputs& v) -> RMatrix {
    Real sum = 0.0L;
    for (Graph::NodeId t : terms) sum += v[t](0, 0);
    return RMatrix::Constant(1, 1, sum);
  }, deps);
  graph.set_loss(loss);
  return loss;
}

}  // namespace bpdojo
