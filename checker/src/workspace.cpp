#include "workspace.hpp"

#include "process.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#ifndef BPDOJO_SOURCE_DIR
#define BPDOJO_SOURCE_DIR ""
#endif
#ifndef BPDOJO_BUILD_DIR
#define BPDOJO_BUILD_DIR ""
#endif
#ifndef BPDOJO_CMAKE_COMMAND
#define BPDOJO_CMAKE_COMMAND "cmake"
#endif

namespace bpdojo {
namespace {

bool is_root(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "workbook" / "bpdojo" / "learner.hpp", ec) && fs::is_directory(dir / "exercises", ec);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Workspace locate_workspace(const fs::path& start, const std::string& build_dir) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  Workspace ws;
  for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
    if (is_root(d)) {
      ws.root = d;
      break;
    }
    if (d == d.parent_path()) break;
  }
  if (ws.root.empty()) {
    const fs::path compiled = BPDOJO_SOURCE_DIR;
    if (!compiled.empty() && is_root(compiled)) ws.root = compiled;
    else throw SetupError("not inside a Backprop Dojo workbook (no workbook/ and exercises/ here or above " + dir.string() + ")");
  }
  if (!build_dir.empty()) {
    ws.build = fs::absolute(build_dir);
  } else if (const char* env = std::getenv("BPDOJO_BUILD_DIR"); env && *env) {
    ws.build = fs::absolute(env);
  } else if (fs::path(BPDOJO_SOURCE_DIR).lexically_normal() == ws.root.lexically_normal() && *BPDOJO_BUILD_DIR) {
    ws.build = BPDOJO_BUILD_DIR;
  } else {
    ws.build = ws.root / "build";
  }
  if (!fs::is_regular_file(ws.build / "CMakeCache.txt", ec))
    throw SetupError("no build in " + ws.build.string() + ": run `cmake --preset default && cmake --build --preset default` in " +
                     ws.root.string());
  return ws;
}

const ExerciseInfo& resolve_exercise(const std::string& given) {
  const std::string name = lower(given);
  std::string digits = name;
  if (digits.rfind("exercise_", 0) == 0) digits = digits.substr(9);
  if (digits.rfind("ex", 0) == 0) digits = digits.substr(2);
  std::size_t n = 0;
  while (n < digits.size() && std::isdigit(static_cast<unsigned char>(digits[n]))) ++n;
  for (const auto& e : all_exercises()) {
    if (n > 0 && n <= 3) {
      const std::string rest = digits.substr(n);
      if (std::stoi(digits.substr(0, n)) == e.number && (rest.empty() || rest == "_" + e.slug || rest == ".cpp" ||
                                                          rest == "_" + e.slug + ".cpp"))
        return e;
    }
    if (name == e.slug) return e;
  }
  const ExerciseInfo* best = nullptr;
  std::size_t best_d = ~std::size_t{0};
  // A number in the name that is an exercise's number wins ("exercise_3x" -> exercise_03).
  for (std::size_t i = 0; i < name.size() && !best; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) continue;
    std::size_t j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    if (j - i <= 3) best = find_exercise(std::stoi(name.substr(i, j - i)));
    i = j;
  }
  const bool by_number = best != nullptr;
  for (const auto& e : all_exercises()) {
    if (by_number) break;
    for (const std::string& cand : {e.id(), e.id() + "_" + e.slug, e.slug}) {
      const std::size_t d = edit_distance(name, cand);
      if (d < best_d) best_d = d, best = &e;
    }
  }
  throw SetupError("no exercise '" + given + "'" +
                   (best ? "; the closest is " + best->id() + " (" + best->title + ")" : std::string()) +
                   ". `checker list` shows them all");
}

std::string target_name(const ExerciseInfo& info, Flavour flavour) {
  const std::string nn = info.id().substr(9);
  switch (flavour) {
    case Flavour::Learner: return "learner_" + nn;
    case Flavour::Solution: return "solution_" + nn;
    case Flavour::Stub: return "stub_" + nn;
  }
  return "";
}

fs::path runner_path(const Workspace& ws, const ExerciseInfo& info, Flavour flavour) {
  const char* dir = flavour == Flavour::Learner ? "exercises" : flavour == Flavour::Solution ? "solutions" : "stubs";
  return ws.build / dir / info.id();
}

fs::path source_path(const Workspace& ws, const ExerciseInfo& info, Flavour flavour) {
  switch (flavour) {
    case Flavour::Learner: return ws.root / "exercises" / info.source;
    case Flavour::Solution: return ws.root / "solutions" / info.source;
    case Flavour::Stub: return ws.root / "workbook" / "stubs" / info.source;
  }
  return {};
}

std::vector<std::string> compiler_errors(const std::string& output, const fs::path& source, const fs::path& root,
                                         std::size_t max_lines, std::size_t* omitted) {
  const std::string abs = source.string();
  const std::string rel = source.lexically_relative(root).string();
  // Blocks: a line about the learner's file ("file:line:col: error: ...") with the code excerpt
  // lines the compiler prints under it.
  struct Block {
    std::vector<std::string> lines;
    bool error = false;
  };
  std::vector<Block> blocks;
  bool in_block = false;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool about_source = line.find(abs) != std::string::npos;
    const bool is_error = line.find(": error") != std::string::npos || line.find(": fatal error") != std::string::npos;
    const bool is_diag = is_error || line.find(": warning") != std::string::npos || line.find(": note") != std::string::npos ||
                         line.find("In function") != std::string::npos;
    const bool excerpt = line.rfind("   ", 0) == 0 && line.find(" | ") != std::string::npos;
    if (about_source && is_diag) {
      for (std::size_t p; (p = line.find(abs)) != std::string::npos;) line.replace(p, abs.size(), rel);
      blocks.push_back({{line}, is_error});
      in_block = true;
    } else if (excerpt && in_block) {
      blocks.back().lines.push_back(line);
    } else {
      in_block = false;
    }
  }
  // Errors first (warnings never stop the build), each block whole while there is room.
  std::stable_partition(blocks.begin(), blocks.end(), [](const Block& b) { return b.error; });
  std::vector<std::string> picked;
  std::size_t total = 0;
  for (const Block& b : blocks) {
    total += b.lines.size();
    for (const auto& l : b.lines)
      if (picked.size() < max_lines) picked.push_back(l);
  }
  if (omitted) *omitted = total - picked.size();
  return picked;
}

BuildOutcome ensure_built(const Workspace& ws, const ExerciseInfo& info, Flavour flavour) {
  BuildOutcome out;
  const fs::path runner = runner_path(ws, info, flavour);
  const fs::path source = source_path(ws, info, flavour);
  std::error_code ec;
  if (!fs::exists(source, ec)) throw SetupError("missing " + source.string() + " (`checker reset` restores a stub)");
  const bool stale = !fs::exists(runner, ec) || fs::last_write_time(source, ec) > fs::last_write_time(runner, ec);
  const std::string target = target_name(info, flavour);
  out.command = std::string("cmake --build ") + ws.build.lexically_proximate(fs::current_path()).string() + " --target " + target;
  if (!stale) return out;
  out.rebuilt = true;
  ProcessLimits limits;
  limits.wall_seconds = 900;
  limits.memory_bytes = 0;
  limits.output_keep = 4 << 20;
  const std::string cmake = BPDOJO_CMAKE_COMMAND;
  std::string cmake_path = cmake;
  if (cmake.find('/') == std::string::npos) {
    // Look it up on PATH.
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');)
      if (fs::exists(fs::path(d) / cmake, ec)) {
        cmake_path = (fs::path(d) / cmake).string();
        break;
      }
  }
  const ProcessResult r = run_process({cmake_path, "--build", ws.build.string(), "--target", target}, limits);
  if (r.end == ProcessResult::End::FailedToStart) throw SetupError("cannot rebuild " + target + ": " + r.detail);
  if (r.end == ProcessResult::End::Exited && r.exit_code == 0) {
    out.warnings = compiler_errors(r.output, source, ws.root, 20, &out.warnings_omitted);
    return out;
  }
  out.ok = false;
  out.errors = compiler_errors(r.output, source, ws.root, 20, &out.errors_omitted);
  if (out.errors.empty()) {
    // Not the learner's file (a link error, say): show the end of the output.
    std::istringstream in(r.output);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    const std::size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
    out.errors.assign(lines.begin() + static_cast<std::ptrdiff_t>(from), lines.end());
    out.errors_omitted = from;
  }
  return out;
}

}  // namespace bpdojo
