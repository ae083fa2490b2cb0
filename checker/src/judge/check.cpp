#include "judge/check.hpp"

#include "judge/failure_site.hpp"
#include "judge/finite_diff.hpp"
#include "judge/experiment.hpp"
#include "judge/moons.hpp"
#include "judge/flow.hpp"
#include "judge/paths.hpp"
#include "judge/rnn_training.hpp"
#include "judge/gpt_training.hpp"
#include "problems/exercise_15_gpt.hpp"
#include "judge/training.hpp"

#include "problems/exercise_08_train.hpp"
#include "problems/exercise_13_rnn_train.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <atomic>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace bpdojo {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Correct: return "correct";
    case Verdict::Wrong: return "wrong";
    case Verdict::NotImplemented: return "not implemented";
    case Verdict::WrongShape: return "wrong shape";
    case Verdict::Error: return "error";
    case Verdict::TimedOut: return "timed out";
    case Verdict::Crashed: return "crashed";
    case Verdict::Killed: return "killed";
    case Verdict::CompileError: return "compile error";
    case Verdict::Refused: return "refused";
  }
  return "?";
}

int CheckResult::correct() const {
  return static_cast<int>(std::count_if(gradients.begin(), gradients.end(),
                                        [](const GradientResult& g) { return g.verdict == Verdict::Correct; }));
}

bool CheckResult::ran_normally() const {
  return build.ok && runner.end == ProcessResult::End::Exited && runner.finished && runner.exit_code == 0 &&
         runner.protocol_error.empty();
}

const GradientResult* CheckResult::next() const {
  if (!build.ok) return nullptr;  // nothing was judged
  for (const auto& g : gradients)
    if (g.verdict != Verdict::Correct) return &g;
  return nullptr;
}

std::vector<std::string> CheckResult::wrong_lines() const {
  std::vector<std::string> out;
  for (const auto& g : gradients)
    if (g.line_wrong) out.push_back(g.name);
  return out;
}

std::string reproduce_command(const ExerciseInfo& info, std::uint64_t seed, const Sizes& sizes, Flavour flavour,
                              const std::map<std::string, double>& runner_options) {
  std::string cmd = "checker " + info.id() + " --seed " + std::to_string(seed);
  for (const auto& s : info.sizes) {
    auto it = sizes.find(s.letter);
    if (it != sizes.end()) cmd += " --size " + s.letter + "=" + std::to_string(it->second);
  }
  for (const auto& [name, value] : runner_options) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " --%s %.17g", name.c_str(), value);
    cmd += buf;
  }
  if (flavour == Flavour::Solution) cmd += " --solutions";
  return cmd;
}

namespace {

std::string runner_summary(const RunnerStatus& r, const ProcessLimits& limits) {
  char buf[160];
  switch (r.end) {
    case ProcessResult::End::Exited:
      if (r.finished && !r.protocol_error.empty())
        return "finished, then wrote malformed protocol output (" + r.protocol_error + ")";
      if (r.finished && r.exit_code == 0) return "finished normally";
      if (!r.finished && !r.protocol_error.empty())
        return "exited with code " + std::to_string(r.exit_code) + " after malformed protocol output (" + r.protocol_error + ")";
      if (!r.finished) return "exited with code " + std::to_string(r.exit_code) + " before it finished";
      return "finished, then exited with code " + std::to_string(r.exit_code);
    case ProcessResult::End::Signaled: return "crashed: " + signal_name(r.signal);
    case ProcessResult::End::TimedOut:
      std::snprintf(buf, sizeof buf, "timed out after %g s (an endless loop?)", limits.wall_seconds);
      return buf;
    case ProcessResult::End::MemoryLimit:
      std::snprintf(buf, sizeof buf, "killed: memory limit %g MiB", static_cast<double>(limits.memory_bytes) / (1 << 20));
      return buf;
    case ProcessResult::End::OutputLimit:
      std::snprintf(buf, sizeof buf, "killed: printed more than %g MiB", static_cast<double>(limits.output_max) / (1 << 20));
      return buf;
    case ProcessResult::End::FailedToStart: return "could not start";
  }
  return "?";
}

// The gradient a TODO's text names: its first word ("dcounts_sum_inv" in "dcounts_sum_inv: ...").
std::string todo_name(const std::string& text) {
  std::size_t n = 0;
  while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_' || text[n] == '.')) ++n;
  return text.substr(0, n);
}

// The learner's gradient of the consumer node `c` (of graph g) from the same function as `spec`:
// the gradient of that node, or its block of a gradient of a stack. `gradient` is null when the
// function is asked for none; `value` is set when it is usable as a weight (reported, the right
// shape, finite).
struct ConsumerGradient {
  const GradientResult* gradient = nullptr;
  std::optional<Matrix> value;
};
ConsumerGradient consumer_gradient(const CheckResult& result, const GradientSpec& spec, const Graph& g, Graph::NodeId c) {
  const auto& specs = result.info->gradients;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].problem != spec.problem || specs[i].function != spec.function) continue;
    const std::vector<Graph::NodeId> nodes = g.nodes_of(specs[i].node);
    const auto at = std::find(nodes.begin(), nodes.end(), c);
    if (at == nodes.end()) continue;
    ConsumerGradient out;
    out.gradient = &result.gradients[i];
    const GradientResult& gr = result.gradients[i];
    if (!gr.analytic || !gr.comparison || !gr.comparison->shape_ok || gr.comparison->nonfinite > 0) return out;
    const Index rows = storage_rows(g.shape(c)), cols = storage_cols(g.shape(c));
    const Matrix& m = gr.analytic->value;  // (stacked rows, cols) as the learner reported it
    out.value = Matrix(Eigen::Map<const Matrix>(m.data() + (at - nodes.begin()) * rows * cols, rows, cols));
    return out;
  }
  return {};
}

// A wrong gradient whose line and whose consumers' gradients all pass: errors below the bar in the
// lines before it have added up. Names the line before it (a gradient of the same function, of a
// node downstream of its own) with the largest local error.
void upstream_below_bar(CheckResult& result, const std::vector<Graph>& problems, std::size_t index) {
  const auto& specs = result.info->gradients;
  const GradientSpec& spec = specs[index];
  GradientResult& gr = result.gradients[index];
  const Graph& g = problems.at(static_cast<std::size_t>(spec.problem));
  std::set<Graph::NodeId> below;
  for (Graph::NodeId n : g.nodes_of(spec.node))
    for (Graph::NodeId d : g.downstream(n)) below.insert(d);
  gr.below_bar_upstream = true;
  double largest = -1.0;
  for (std::size_t k = 0; k < index; ++k) {
    if (specs[k].problem != spec.problem || specs[k].function != spec.function) continue;
    const std::vector<Graph::NodeId> theirs = g.nodes_of(specs[k].node);
    if (std::none_of(theirs.begin(), theirs.end(), [&](Graph::NodeId n) { return below.count(n) > 0; })) continue;
    const GradientResult& other = result.gradients[k];
    if (other.local && other.local->rel_error > largest) largest = other.local->rel_error, gr.inherits = other.name;
  }
}

// A wrong gradient of the same function as gradient `index`, of a node downstream of its own (nearer
// the loss): the last such before it in the learner's order, else the first after it; "" if none.
std::string wrong_downstream(const CheckResult& result, const std::vector<Graph>& problems, std::size_t index) {
  const auto& specs = result.info->gradients;
  const GradientSpec& spec = specs[index];
  const Graph& g = problems.at(static_cast<std::size_t>(spec.problem));
  std::set<Graph::NodeId> below;
  for (Graph::NodeId n : g.nodes_of(spec.node))
    for (Graph::NodeId d : g.downstream(n)) below.insert(d);
  std::string found;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (k == index || specs[k].problem != spec.problem || specs[k].function != spec.function) continue;
    if (result.gradients[k].verdict != Verdict::Wrong && result.gradients[k].verdict != Verdict::WrongShape) continue;
    const std::vector<Graph::NodeId> theirs = g.nodes_of(specs[k].node);
    if (std::none_of(theirs.begin(), theirs.end(), [&](Graph::NodeId n) { return below.count(n) > 0; })) continue;
    if (k < index || found.empty()) found = result.gradients[k].name;
    if (k > index) break;
  }
  return found;
}

// The local check of every reported gradient, and which lines are wrong.
void judge_lines(CheckResult& result, const std::vector<Graph>& problems) {
  const auto& specs = result.info->gradients;
  std::map<std::string, std::string> first_error;  // function -> the gradient where its exception struck
  // Only a function with a wrong gradient has a line to blame: the others skip the local checks
  // (they cost as much again as the numeric reference).
  std::set<std::pair<int, std::string>> blamable;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (result.gradients[i].verdict == Verdict::Wrong) blamable.insert({specs[i].problem, specs[i].function});
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const GradientSpec& spec = specs[i];
    GradientResult& gr = result.gradients[i];
    const bool need_local = blamable.count({spec.problem, spec.function}) > 0;
    const Graph& g = problems.at(static_cast<std::size_t>(spec.problem));
    // Each node of the gradient (a stack's every member) against its consumers, weighted by the
    // learner's gradients of them.
    const std::vector<Graph::NodeId> nodes = g.nodes_of(spec.node);
    std::vector<std::vector<Matrix>> weights(nodes.size());
    const GradientResult* first_bad_consumer = nullptr;
    std::vector<std::string> bad_consumers;
    bool missing_asked = false;
    for (std::size_t m = 0; m < nodes.size() && gr.local_missing.empty(); ++m)
      for (Graph::NodeId c : g.consumers(nodes[m])) {
        if (c == g.loss_id()) {
          weights[m].push_back(Matrix::Ones(1, 1));
          continue;
        }
        ConsumerGradient w = consumer_gradient(result, spec, g, c);
        if (!w.value) {
          // A consumer the function is not asked about (a layer exercise's output, the other half
          // of a fused step): there is no line before this one to blame.
          gr.local_missing = w.gradient ? w.gradient->name : "d" + g.name(c);
          missing_asked = w.gradient != nullptr;
          break;
        }
        if (w.gradient->verdict != Verdict::Correct) {
          if (!first_bad_consumer) first_bad_consumer = w.gradient;
          if (std::find(bad_consumers.begin(), bad_consumers.end(), w.gradient->name) == bad_consumers.end())
            bad_consumers.push_back(w.gradient->name);
        }
        weights[m].push_back(std::move(*w.value));
      }
    if (need_local && gr.local_missing.empty() && gr.analytic && gr.comparison && gr.comparison->shape_ok) {
      const RMatrix local = stack_rows(nodes.size(), [&](std::size_t m) {
        std::vector<RMatrix> exact;
        for (const Matrix& w : weights[m]) exact.push_back(w.cast<Real>());
        return fd::local_gradient(g, nodes[m], exact).value;
      });
      Tensor reference(g.shape_of(spec.node), local.cast<double>());
      gr.local = compare_blocks(gr.analytic->value, reference, gr.floors, gr.threshold);
      if (first_bad_consumer) {
        gr.local_reference = std::move(reference);
        gr.given_wrong = bad_consumers;
      }
    }
    switch (gr.verdict) {
      case Verdict::Wrong:
        if (gr.local) {
          if (!gr.local->correct) gr.line_wrong = true;
          else if (first_bad_consumer) gr.inherits = first_bad_consumer->name;
          else upstream_below_bar(result, problems, i);
        } else if (missing_asked) {
          gr.inherits = gr.local_missing;
        } else if (const std::string below = wrong_downstream(result, problems, i); !below.empty()) {
          // No local check (a value between this line and the lines before it is not reported),
          // and a line before it is wrong: that one explains this error as well as this line
          // could, so it is fixed first; this line is never blamed for it.
          gr.inherits = below;
          gr.line_unchecked = true;
        } else {
          // No line before this one (its consumers' gradients are given): the global check is
          // this line's own.
          gr.line_wrong = true;
        }
        break;
      case Verdict::WrongShape: gr.line_wrong = true; break;
      case Verdict::Error: {
        // An exception leaves every gradient after it unset: the line is the first of them, and
        // the others were never reached (only an assigned gradient can be right or wrong).
        const auto [it, first] = first_error.emplace(spec.function, gr.name);
        if (first) {
          gr.line_wrong = true;
        } else {
          gr.verdict = Verdict::NotImplemented;
          gr.message = "not reached: " + spec.function + " stopped with an error at " + it->second;
        }
        break;
      }
      default: break;
    }
  }
  // Lines blamed for want of a line before them to check, two or more through the same value the
  // function computes on the way (dW1 and db1 through dz1): that value is the likely mistake.
  std::map<std::pair<int, std::string>, std::vector<std::size_t>> through;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const GradientResult& gr = result.gradients[i];
    // (A line is blamed without a local check only when the missing consumer's gradient is not
    // asked.) Not a value the loss reads directly: that is a layer's output, whose gradient is
    // handed in (dy), not one the learner works out.
    if (gr.verdict != Verdict::Wrong || !gr.line_wrong || gr.local || gr.local_missing.empty()) continue;
    const Graph& g = problems.at(static_cast<std::size_t>(specs[i].problem));
    const std::string value = gr.local_missing.substr(1);
    if (!g.has(value)) continue;
    const std::vector<Graph::NodeId> readers = g.consumers(g.id(value));
    if (std::find(readers.begin(), readers.end(), g.loss_id()) != readers.end()) continue;
    through[{specs[i].problem, gr.local_missing}].push_back(i);
  }
  for (const auto& [key, members] : through) {
    if (members.size() < 2) continue;
    for (std::size_t i : members) {
      GradientResult& gr = result.gradients[i];
      gr.shared_source = key.second;
      for (std::size_t j : members)
        if (j != i) gr.shared_with.push_back(result.gradients[j].name);
    }
  }
  // Name where an inherited error starts: follow `inherits` up to a wrong line.
  std::map<std::string, const GradientResult*> by_name;
  for (const auto& g : result.gradients) by_name[g.name] = &g;
  for (auto& g : result.gradients) {
    if (g.below_bar_upstream) continue;
    std::string root = g.inherits;
    for (std::size_t hops = 0; !root.empty() && hops < result.gradients.size(); ++hops) {
      const auto it = by_name.find(root);
      if (it == by_name.end() || it->second->line_wrong || it->second->inherits.empty()) break;
      // An error that grew from below the bar upstream: the same for this gradient.
      if (it->second->below_bar_upstream) g.below_bar_upstream = true;
      root = it->second->inherits;
      if (g.below_bar_upstream) break;
    }
    g.inherits = root;
  }
}

// How often each row of a parameter is read through indices: the parameter is a leaf, and a step
// that reads it also reads data (emb = C[Xb]) holding row numbers. Empty when there is none.
std::vector<int> row_uses(const Graph& g, Graph::NodeId node) {
  if (!g.is_leaf(node) || g.is_data(node)) return {};
  const Index rows = g.value(node).rows();
  std::vector<int> uses(static_cast<std::size_t>(rows), 0);
  bool found = false;
  // Every consumer's (an RNN's Wxh is read at every time step, each with its own indices).
  for (Graph::NodeId c : g.consumers(node)) {
    if (g.dep(c, node) & Graph::kInner) continue;  // an operand of a product, not a table looked up
    for (Graph::NodeId in : g.inputs(c)) {
      if (!g.is_data(in)) continue;
      const Matrix& ix = g.value(in);
      bool indices = true;
      for (Index k = 0; k < ix.size() && indices; ++k) {
        const double v = ix.data()[k];
        indices = v >= 0 && v < static_cast<double>(rows) && v == std::floor(v);
      }
      if (!indices) continue;
      for (Index k = 0; k < ix.size(); ++k) ++uses[static_cast<std::size_t>(ix.data()[k])];
      found = true;
      break;
    }
  }
  if (!found) return {};
  return uses;
}

// The size letters a ratio may be made of: the exercise's shape letters (not a training run's
// length), and the MLP's vocabulary V, which the data fixes (27) and its headers name.
std::map<std::string, std::int64_t> size_letters(const CheckResult& result, const Graph& g) {
  std::map<std::string, std::int64_t> out;
  for (const auto& s : result.info->sizes) {
    const auto it = result.sizes.find(s.letter);
    if (s.varies_when_graded && it != result.sizes.end()) out[s.letter] = it->second;
  }
  if (!out.count("V") && g.has("C")) out["V"] = g.value(g.id("C")).rows();  // C: a row per character
  return out;
}

// A diagnosis for every gradient that is wrong or has the wrong shape.
void diagnose_all(CheckResult& result, const std::vector<Graph>& problems) {
  const auto& specs = result.info->gradients;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    GradientResult& gr = result.gradients[i];
    if ((gr.verdict != Verdict::Wrong && gr.verdict != Verdict::WrongShape) || !gr.analytic) continue;
    // Only a blamed line gets a diagnosis: one that inherits its error says where it starts.
    if (!gr.line_wrong) continue;
    const Graph& g = problems.at(static_cast<std::size_t>(specs[i].problem));
    DiagnosisInput in;
    in.name = gr.name;
    in.analytic = gr.analytic->value;
    // The line, not the cascade: against what the learner's own wrong upstream gradients give.
    in.numeric = gr.local_reference ? *gr.local_reference : gr.numeric;
    in.given = gr.given_wrong;
    in.sizes = size_letters(result, g);
    if (!g.is_stack(specs[i].node)) in.row_uses = row_uses(g, g.id(specs[i].node));
    in.threshold = gr.threshold;
    if (result.info->recognise && gr.verdict == Verdict::Wrong)
      if (const std::optional<KnownSlip> slip = result.info->recognise(result.seed, result.sizes, gr.name, gr.analytic->value)) {
        gr.diagnosis = Diagnosis{slip->kind, slip->text};
        continue;
      }
    gr.diagnosis = diagnose(in);
  }
}

// The numeric gradient of every gradient of the exercise, in its order, with its floor: every node
// of each problem at once, backwards from the loss (fd::backward). Two gradients of the same node
// (dlogits and dlogits_fused) share one.
struct Reference {
  std::vector<Tensor> numeric;
  std::vector<std::vector<double>> floors;  // one per node (a stack: per member)
};
Reference numeric_reference(const ExerciseInfo& info, const std::vector<Graph>& problems, const BuildProgress& progress) {
  std::vector<std::vector<fd::NodeGradient>> all;
  fd::NodeProgress on_node;
  if (progress) {
    on_node = [&](const Graph& g, Graph::NodeId node, std::size_t done, std::size_t total) {
      std::string what = "judging " + info.id() + ": d" + g.name(node) + ", " + std::to_string(done + 1) + " of " +
                         std::to_string(total) + " steps back";
      if (problems.size() > 1) what += " (problem " + std::to_string(all.size() + 1) + " of " + std::to_string(problems.size()) + ")";
      progress(what);
    };
  }
  for (const Graph& g : problems) all.push_back(fd::backward(g, {}, on_node));
  Reference ref;
  for (const auto& spec : info.gradients) {
    const Graph& g = problems.at(static_cast<std::size_t>(spec.problem));
    const std::vector<Graph::NodeId> nodes = g.nodes_of(spec.node);
    const auto gradient = [&](std::size_t k) -> const fd::NodeGradient& {
      return all[static_cast<std::size_t>(spec.problem)][static_cast<std::size_t>(nodes[k])];
    };
    std::vector<double> floors;
    for (std::size_t k = 0; k < nodes.size(); ++k)
      floors.push_back(gradient_floor(static_cast<double>(gradient(k).terms), static_cast<double>(gradient(k).uncertainty)));
    ref.numeric.emplace_back(g.shape_of(spec.node),
                             stack_rows(nodes.size(), [&](std::size_t k) { return gradient(k).value; }).cast<double>());
    ref.floors.push_back(std::move(floors));
  }
  return ref;
}

// An instance's problems and numeric reference depend only on the exercise, the seed and the sizes.
// Judging many runners on one instance (a class graded on the same hidden instances, the mistake
// catalogue) computes them once: the last few instances judged are kept, shared by every thread.
struct Instance {
  std::vector<Graph> problems;
  Reference ref;
};
std::shared_ptr<const Instance> instance_of(const ExerciseInfo& info, std::uint64_t seed, const Sizes& sizes,
                                            const BuildProgress& progress) {
  constexpr std::size_t kKept = 4;
  static std::mutex mutex;
  static std::list<std::pair<std::string, std::shared_ptr<const Instance>>> kept;  // the latest first
  std::string key = info.id() + " " + std::to_string(seed);
  for (const auto& [letter, value] : sizes) key += " " + letter + "=" + std::to_string(value);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    for (auto it = kept.begin(); it != kept.end(); ++it)
      if (it->first == key) {
        kept.splice(kept.begin(), kept, it);
        return kept.front().second;
      }
  }
  // Computed outside the lock: two threads asking for a new instance at once each compute it.
  auto made = std::make_shared<Instance>();
  made->problems = info.problems(seed, sizes);
  made->ref = numeric_reference(info, made->problems, progress);
  const std::lock_guard<std::mutex> lock(mutex);
  kept.emplace_front(std::move(key), made);
  if (kept.size() > kKept) kept.pop_back();
  return made;
}

// Which blocks of a stacked gradient are wrong, as runs of its members' names: "wrong in h@9..h@12
// (4 of 12 blocks; the others are right)". Blocks count from 1, as the members' names do.
std::string wrong_blocks_text(const GradientSpec& spec, const std::vector<std::size_t>& wrong, std::size_t blocks) {
  auto name = [&](std::size_t b) { return stack_member(spec.node, b + 1); };
  std::string runs;
  for (std::size_t i = 0; i < wrong.size();) {
    std::size_t j = i;
    while (j + 1 < wrong.size() && wrong[j + 1] == wrong[j] + 1) ++j;
    runs += (runs.empty() ? "" : ", ") + name(wrong[i]) + (j > i ? ".." + name(wrong[j]) : "");
    i = j + 1;
  }
  return "wrong in " + runs + " (" + std::to_string(wrong.size()) + " of " + std::to_string(blocks) + " blocks" +
         (wrong.size() < blocks ? "; the others are right)" : ")");
}

// The verdict on what the runner said last about a gradient (`m`).
void judge_message(const GradientSpec& spec, const Tensor& numeric, const protocol::Message& m,
                   GradientResult& gr) {
  if (m.kind == protocol::Kind::NotImplemented) {
    gr.verdict = Verdict::NotImplemented;
    if (m.text == protocol::kNotSetText) gr.message = spec.function + " returned without setting " + spec.name;
    else if (todo_name(m.text) == spec.name) gr.message = "TODO(\"" + m.text + "\")";
    else gr.message = "not reached: " + spec.function + " stopped at TODO(\"" + m.text + "\")";
  } else if (m.kind == protocol::Kind::Error) {
    gr.verdict = Verdict::Error;
    gr.message = m.text.substr(0, 300);
  } else if (m.kind == protocol::Kind::Tensor) {
    gr.got_shape = m.tensor.shape;
    gr.analytic = m.tensor;
    std::vector<std::size_t> wrong_blocks;
    const Comparison c = compare_blocks(m.tensor.value, numeric, gr.floors, gr.threshold, &wrong_blocks);
    gr.comparison = c;
    if (!c.shape_ok) {
      gr.verdict = Verdict::WrongShape;
      gr.message = "expected " + to_string(Shape{numeric.value.rows(), numeric.value.cols()}) + ", got " + to_string(m.tensor.shape);
    } else {
      gr.verdict = c.correct ? Verdict::Correct : Verdict::Wrong;  // NaN and Inf: see the diagnosis
      if (!c.correct && gr.floors.size() > 1) gr.message = wrong_blocks_text(spec, wrong_blocks, gr.floors.size());
    }
  } else {
    gr.verdict = Verdict::Error;
    gr.message = std::string("the runner sent a ") + protocol::to_string(m.kind) + " where a tensor was expected";
  }
}

// A gradient's result: sent again after `end` (malformed), never reported, or judged on its message.
GradientResult judge_gradient(const CheckResult& result, const GradientSpec& spec, const Tensor& numeric,
                              const std::vector<double>& floors, const protocol::Message* last, bool after_end) {
  GradientResult gr;
  gr.name = spec.name;
  gr.node = spec.node;
  gr.function = spec.function;
  gr.expected_shape = numeric.shape;
  gr.numeric = numeric;
  gr.threshold = spec.threshold > 0.0 ? spec.threshold : result.threshold;
  gr.floors = floors;
  gr.floor = floors.empty() ? 0.0 : *std::max_element(floors.begin(), floors.end());
  if (after_end) {
    gr.verdict = Verdict::Crashed;
    gr.message = "malformed protocol: " + spec.name + " was sent again after end";
  } else if (!last) {
    if (result.runner.finished) {
      gr.verdict = Verdict::NotImplemented;
      gr.message = "not reported";
    } else {
      gr.verdict = verdict_for_unreported(result.runner);
      gr.message = result.runner.summary;
    }
  } else {
    judge_message(spec, numeric, *last, gr);
  }
  return gr;
}

}  // namespace

void judge(CheckResult& result, const protocol::ParseResult& parsed, const BuildProgress& progress) {
  const ExerciseInfo& info = *result.info;

  // The last word on each name wins (a gradient may be assigned more than once).
  std::map<std::string, const protocol::Message*> last;
  for (const auto& m : parsed.messages)
    if (m.kind != protocol::Kind::End && m.kind != protocol::Kind::Trace) last[m.name] = &m;
  // A message after `end` is malformed output: what it names is not judged.
  const std::set<std::string> after_end(parsed.after_end.begin(), parsed.after_end.end());

  const std::shared_ptr<const Instance> instance = instance_of(info, result.seed, result.sizes, progress);
  const std::vector<Graph>& problems = instance->problems;
  const Reference& ref = instance->ref;

  result.gradients.clear();
  for (std::size_t i = 0; i < info.gradients.size(); ++i) {
    const GradientSpec& spec = info.gradients[i];
    const auto it = last.find(spec.name);
    result.gradients.push_back(
        judge_gradient(result, spec, ref.numeric[i], ref.floors[i], it == last.end() ? nullptr : it->second,
                       after_end.count(spec.name) > 0));
  }
  if (progress && std::any_of(result.gradients.begin(), result.gradients.end(),
                              [](const GradientResult& g) { return g.verdict == Verdict::Wrong; }))
    progress("judging " + info.id() + ": which lines are wrong");
  judge_lines(result, problems);
  diagnose_all(result, problems);
}

Verdict verdict_for_unreported(const RunnerStatus& r) {
  switch (r.end) {
    case ProcessResult::End::TimedOut: return Verdict::TimedOut;
    case ProcessResult::End::MemoryLimit:
    case ProcessResult::End::OutputLimit: return Verdict::Killed;
    default: return Verdict::Crashed;
  }
}

RunnerStatus runner_status(const ProcessResult& process, const protocol::ParseResult& parsed, const ProcessLimits& limits) {
  RunnerStatus r;
  r.end = process.end;
  r.exit_code = process.exit_code;
  r.signal = process.signal;
  r.wall_seconds = process.wall_seconds;
  r.output = process.output;
  r.output_bytes = process.output_bytes;
  r.finished = parsed.ended;
  r.protocol_error = parsed.error;
  r.summary = runner_summary(r, limits);
  return r;
}

CheckOptions default_options(const ExerciseInfo& info) {
  CheckOptions options;
  options.limits.wall_seconds = info.timeout_seconds * kSanitizerTimeScale;
  return options;
}

CheckResult check_exercise(const Workspace& ws, const ExerciseInfo& info, const CheckOptions& options) {
  CheckResult result;
  result.info = &info;
  result.seed = options.seed;
  try {
    result.sizes = complete_sizes(info, options.sizes);
  } catch (const std::invalid_argument& e) {
    throw SetupError(e.what());
  }
  result.flavour = options.flavour;
  result.reproduce = reproduce_command(info, result.seed, result.sizes, result.flavour, options.runner_options);
  if (options.rebuild && options.runner.empty()) result.build = ensure_built(ws, info, options.flavour, options.progress);
  if (!result.build.ok) {
    for (const auto& spec : info.gradients) {
      GradientResult gr;
      gr.name = spec.name;
      gr.node = spec.node;
      gr.function = spec.function;
      gr.verdict = Verdict::CompileError;
      result.gradients.push_back(std::move(gr));
    }
    result.runner.summary = "not run: the exercise does not compile";
    return result;
  }
  // The private copy ensure_built took under the build lock: a build by another checker never
  // writes the file this one runs.
  struct RemoveCopy {
    fs::path file;
    ~RemoveCopy() {
      std::error_code ec;
      if (!file.empty()) fs::remove(file, ec);
    }
  } copy{result.build.private_runner};
  const std::string runner = !options.runner.empty()            ? options.runner
                             : !copy.file.empty()               ? copy.file.string()
                                                                : runner_path(ws, info, options.flavour).string();
  std::vector<std::string> argv = {runner, "--seed", std::to_string(result.seed),
                                   "--fd", "3"};
  for (const auto& [letter, value] : result.sizes) {
    argv.push_back("--size");
    argv.push_back(letter + "=" + std::to_string(value));
  }
  for (const auto& [name, value] : options.runner_options) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    argv.push_back("--option");
    argv.push_back(name + "=" + buf);
  }
  argv.insert(argv.begin(), options.command_prefix.begin(), options.command_prefix.end());
  if (options.progress) options.progress("running " + info.id());
  // Exercise 11: the reference's run of the experiment, on a thread of its own while the runner
  // runs; cut short when the runner reported none, or when this function leaves early.
  std::atomic<bool> cancel_reference{false};
  std::future<std::vector<DeepFigures>> reference;
  struct Cancel {
    std::atomic<bool>& flag;
    ~Cancel() { flag = true; }
  } cancel_on_exit{cancel_reference};
  if (info.experiment)
    reference = std::async(std::launch::async, [&cancel_reference, seed = result.seed, steps = result.sizes.at("S")] {
      return reference_experiment(seed, steps, &cancel_reference);
    });
  const ProcessResult pr = run_process(argv, options.limits, options.workdir);
  if (pr.end == ProcessResult::End::FailedToStart) throw SetupError(pr.detail);
  const protocol::ParseResult parsed = protocol::parse(pr.protocol);
  result.runner = runner_status(pr, parsed, options.limits);
  judge(result, parsed, options.progress);
  if (info.trains) {
    judge_update(result, parsed);
    const auto lr = options.runner_options.find("lr");
    judge_training(result, parsed, lr == options.runner_options.end() ? kDefaultLearningRate : lr->second, options.plot);
  }
  if (info.gradient_flow) judge_flow(result, options.flow_plot);
  if (info.optimizer_paths) judge_paths(result, parsed, options.plot);
  if (info.trains_rnn) {
    const auto lr = options.runner_options.find("lr");
    judge_rnn_training(result, parsed, lr == options.runner_options.end() ? kRnnLearningRate : lr->second, options.plot);
  }
  if (info.trains_values) judge_moons(result, parsed);
  if (info.trains_gpt) {
    const auto lr = options.runner_options.find("lr");
    judge_gpt_training(result, parsed, lr == options.runner_options.end() ? kGptLearningRate : lr->second, options.plot);
  }
  if (info.experiment) {
    if (!experiment_reported(parsed)) cancel_reference = true;
    judge_experiment(result, parsed, reference.get(), options.plot);
  }
  // While the runner (perhaps the private copy) is still there to read its line tables.
  attach_failure_sites(result, parsed, runner, ws.root, options.command_prefix, options.limits);
  return result;
}

}  // namespace bpdojo
