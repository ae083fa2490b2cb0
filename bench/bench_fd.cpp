// The checker's finite-difference work on one instance, timed by the program itself:
// every node's numeric gradient, as the checker computes it (fd::backward). Prints one line of JSON.
//   bench_fd [--exercise 6] [--seed 0] [--repeat 5] [--size L=V ...] [--per-node 1]
// With --per-node 1, each node's share of the first repeat goes to stderr, slowest first.
#include "judge/finite_diff.hpp"

#include "bpdojo/exercise.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using namespace bpdojo;

int main(int argc, char** argv) {
  int exercise = 6, repeat = 5;
  bool per_node = false;
  std::uint64_t seed = 0;
  Sizes given;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--exercise") exercise = std::atoi(v.c_str());
    else if (a == "--seed") seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--per-node") per_node = std::atoi(v.c_str()) != 0;
    else if (a == "--repeat") repeat = std::max(1, std::atoi(v.c_str()));
    else if (a == "--size" && v.find('=') != std::string::npos)
      given[v.substr(0, v.find('='))] = std::atoll(v.substr(v.find('=') + 1).c_str());
    else {
      std::fprintf(stderr, "bench_fd: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const ExerciseInfo* info = find_exercise(exercise);
  if (!info) {
    std::fprintf(stderr, "bench_fd: no exercise %d\n", exercise);
    return 2;
  }
  const Sizes sizes = complete_sizes(*info, given);
  std::vector<double> seconds;
  double checksum = 0.0, terms_checksum = 0.0, uncertainty_checksum = 0.0;
  std::int64_t parameters = 0;
  for (int r = 0; r < repeat; ++r) {
    const std::vector<Graph> problems = info->problems(seed, sizes);
    const auto t0 = std::chrono::steady_clock::now();
    // The time from one node's start to the next's (the last node's runs to the end of backward).
    std::vector<std::pair<double, std::string>> nodes;
    auto mark = std::chrono::steady_clock::now();
    std::string current;
    const auto close = [&] {
      const auto now = std::chrono::steady_clock::now();
      if (!current.empty()) nodes.emplace_back(std::chrono::duration<double>(now - mark).count(), current);
      mark = now;
    };
    const fd::NodeProgress on_node = [&](const Graph& g, Graph::NodeId k, std::size_t, std::size_t) {
      close();
      current = g.name(k) + " " + to_string(g.shape(k));
    };
    for (const Graph& g : problems) {
      for (const fd::NodeGradient& t : fd::backward(g, {}, per_node && r == 0 ? on_node : fd::NodeProgress{}))
      {
        checksum += static_cast<double>(t.value.sum());
        terms_checksum += static_cast<double>(t.element_terms.sum());
        uncertainty_checksum += static_cast<double>(t.element_uncertainty.sum());
      }
      close();
      current.clear();
    }
    if (per_node && r == 0) {
      std::sort(nodes.rbegin(), nodes.rend());
      for (const auto& [s, name] : nodes) std::fprintf(stderr, "%9.3f s  %s\n", s, name.c_str());
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (r == 0)
      for (const Graph& g : problems)
        for (std::size_t k = 0; k < g.size(); ++k) {
          const auto id = static_cast<Graph::NodeId>(k);
          if (g.is_leaf(id) && !g.is_data(id)) parameters += numel(g.shape(id));
        }
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("{\"exercise\": %d, \"seed\": %llu, \"repeat\": %d, \"fd_seconds_median\": %.6f, \"fd_seconds_min\": %.6f, "
              "\"parameter_elements\": %lld, \"checksum\": %.17g, \"terms_checksum\": %.17g, "
              "\"uncertainty_checksum\": %.17g}\n",
              exercise, static_cast<unsigned long long>(seed), repeat, seconds[seconds.size() / 2], seconds.front(),
              static_cast<long long>(parameters), checksum, terms_checksum, uncertainty_checksum);
  return 0;
}
