#include "learner/dump.hpp"

#include "bpdojo/names.hpp"

#include "common/json.hpp"
#include "common/npy.hpp"

#include <fstream>

namespace bpdojo {

void prepare_dump_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const char* sub : {"inputs", "numeric", "yours"}) {
    std::filesystem::create_directories(dir / sub, ec);
    if (ec) throw SetupError("--dump: cannot create " + (dir / sub).string() + ": " + ec.message());
  }
}

namespace {

// With several problems (exercise 01), names carry the problem's letter: "a.w".
std::string problem_prefix(const std::vector<Graph>& problems, int problem) {
  return problems.size() > 1 ? std::string(1, static_cast<char>('a' + problem)) + "." : std::string();
}

// Every leaf of the instance (parameters and data) as inputs/<name>.npy. Returns the files written.
int dump_inputs(const std::filesystem::path& dir, const std::vector<Graph>& problems, JsonWriter& j) {
  int files = 0;
  j.key("inputs").begin_array();
  for (std::size_t p = 0; p < problems.size(); ++p) {
    const Graph& g = problems[p];
    for (std::size_t id = 0; id < g.size(); ++id) {
      const auto node = static_cast<Graph::NodeId>(id);
      if (!g.is_leaf(node)) continue;
      const std::string name = problem_prefix(problems, static_cast<int>(p)) + g.name(node);
      const std::string file = "inputs/" + name + ".npy";
      write_npy(dir / file, g.tensor(node));
      ++files;
      j.begin_object().key("name").value(name).key("problem").value(static_cast<int>(p));
      j.key("shape").value(g.shape(node)).key("file").value(file).end_object();
    }
  }
  j.end_array();
  return files;
}

// Both gradients of every tensor gradient, numeric/<name>.npy and yours/<name>.npy. Returns the
// files written.
int dump_gradients(const std::filesystem::path& dir, const CheckResult& r, const std::vector<Graph>& problems, JsonWriter& j) {
  int files = 0;
  j.key("gradients").begin_array();
  for (const auto& g : r.gradients) {
    const GradientSpec* spec = nullptr;
    for (const auto& s : r.info->gradients)
      if (s.name == g.name) spec = &s;
    if (!spec) continue;  // "training" (exercise 08) is not a tensor
    j.begin_object();
    j.key("name").value(g.name);
    j.key("node").value(problem_prefix(problems, spec ? spec->problem : 0) + g.node);
    j.key("verdict").value(to_string(g.verdict));
    j.key("shape").value(g.expected_shape);
    if (g.numeric.size() == numel(g.expected_shape) && r.build.ok) {
      const std::string file = "numeric/" + g.name + ".npy";
      write_npy(dir / file, g.numeric);
      ++files;
      j.key("numeric").value(file);
    } else {
      j.key("numeric").null();
    }
    if (g.analytic) {
      const std::string file = "yours/" + g.name + ".npy";
      write_npy(dir / file, *g.analytic);
      ++files;
      j.key("yours").value(file);
      j.key("yours_shape").value(g.analytic->shape);
    } else {
      j.key("yours").null();
      j.key("yours_shape").null();
    }
    j.end_object();
  }
  j.end_array();
  return files;
}

// The names of each split, one a line, so another implementation can train on the same data.
void dump_splits(const std::filesystem::path& dir, JsonWriter& j) {
  const NamesDataset& data = builtin_names();
  j.key("split").begin_object();
  for (const auto& [name, split] : {std::pair<const char*, const Split*>{"train", &data.train},
                                    std::pair<const char*, const Split*>{"dev", &data.dev},
                                    std::pair<const char*, const Split*>{"test", &data.test}}) {
    const std::string file = std::string("split/") + name + ".txt";
    fs::create_directories(dir / "split");
    std::ofstream names(dir / file, std::ios::binary);
    for (const auto& n : split->names) names << n << "\n";
    if (!names) throw SetupError("--dump: cannot write " + (dir / file).string());
    j.key(name).value(file);
  }
  j.end_object();
}

}  // namespace

int write_dump(const std::filesystem::path& dir, const CheckResult& r) {
  const ExerciseInfo& info = *r.info;
  prepare_dump_dir(dir);
  JsonWriter j;
  j.begin_object();
  j.key("schema").value("bpdojo.dump/1");
  j.key("exercise").value(info.id());
  j.key("seed").value(r.seed);
  j.key("sizes").begin_object();
  for (const auto& [k, v] : r.sizes) j.key(k).value(v);
  j.end_object();
  j.key("order").value("C (row-major), float64");
  const std::vector<Graph> problems = info.problems(r.seed, r.sizes);
  int files = dump_inputs(dir, problems, j);
  files += dump_gradients(dir, r, problems, j);
  if (info.trains) dump_splits(dir, j);
  j.end_object();
  std::ofstream out(dir / "index.json");
  out << j.str() << "\n";
  if (!out) throw SetupError("--dump: cannot write " + (dir / "index.json").string());
  return files;
}

}  // namespace bpdojo
