#include "judge/failure_site.hpp"

#include "common/process.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

// Printable ASCII only, at most `max` characters: addr2line prints what the runner's debug
// information says, and the runner is learner code.
std::string clean(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    out += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  return out;
}

// "bpdojo::(anonymous namespace)::local_gradient(Eigen::Matrix<...> const&)" -> "local_gradient".
std::string short_function(std::string f) {
  for (const std::string anon = "(anonymous namespace)::"; f.find(anon) != std::string::npos;)
    f.erase(f.find(anon), anon.size());
  f = f.substr(0, f.find('('));
  int depth = 0;  // the last "::" outside template arguments
  std::size_t start = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '<') ++depth;
    else if (f[i] == '>') --depth;
    else if (depth == 0 && f.compare(i, 2, "::") == 0) start = i + 2;
  }
  return f.substr(start);
}

bool learner_file(const std::string& file, int exercise) {
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "exercise_%02d_", exercise);
  const std::string base = fs::path(file).filename().string();
  const fs::path parent = fs::path(file).parent_path();
  // workbook/problems/ holds the workbook's own exercise_NN_<slug>.cpp: the problem, not the learner's.
  const bool workbook_own = parent.filename() == "problems" && parent.parent_path().filename() == "workbook";
  return base.rfind(prefix, 0) == 0 && base.size() > 4 && base.compare(base.size() - 4, 4, ".cpp") == 0 && !workbook_own;
}

// An executable addr2line on PATH, or empty. The runners are built by the compiler that built the
// checker: clang's line tables (DWARF 5, -gline-tables-only) keep their inlined scopes from GNU
// addr2line 2.40, which names only the innermost header line, so there LLVM's own comes first.
std::string find_addr2line() {
#if defined(__clang__)
  const char* const names[] = {"llvm-addr2line", "addr2line"};  // (Debian: the llvm package)
#else
  const char* const names[] = {"addr2line"};
#endif
  const char* path = std::getenv("PATH");
  for (const char* name : names) {
    std::stringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (dir.empty()) continue;
      const std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

std::string failure_site(const std::string& runner, const protocol::Message& trace, int exercise, const fs::path& root,
                         const std::vector<std::string>& sandbox, const ProcessLimits& run_limits) {
  if (trace.frames.empty()) return "";
  const std::string tool = find_addr2line();
  if (tool.empty()) return "";
  std::vector<std::string> argv = {tool, "-e", runner, "-a", "-f", "-C", "-i"};
  for (std::uint64_t f : trace.frames) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(f));
    argv.push_back(buf);
  }
  // In the run's sandbox and as its user: the executable is the submission's, and its debug
  // sections are whatever its source made them (inline assembly can write any), so the tool that
  // parses them is held as the runner was.
  argv.insert(argv.begin(), sandbox.begin(), sandbox.end());
  ProcessLimits limits = run_limits;
  limits.wall_seconds = 10.0;
  limits.cpu_seconds = 10.0;
  limits.memory_bytes = std::size_t{1} << 30;
  limits.output_keep = std::size_t{1} << 20;  // 64 frames of Eigen's inlined templates fit
  limits.output_max = std::size_t{16} << 20;
  const ProcessResult r = run_process(argv, limits);
  if (r.end != ProcessResult::End::Exited || r.exit_code != 0) return "";
  return pick_failure_site(r.output, exercise, root);
}

}  // namespace

std::string pick_failure_site(const std::string& output, int exercise, const fs::path& root) {
  std::istringstream in(output);
  std::string line, function, innermost;
  bool expect_function = true;
  while (std::getline(in, line)) {
    if (line.rfind("0x", 0) == 0) {  // the next frame
      expect_function = true;
      continue;
    }
    if (expect_function) {
      function = line;
      expect_function = false;
      continue;
    }
    expect_function = true;
    // "file:line" or "file:line (discriminator 2)"; "??:0" or "??:?" when unknown.
    std::string place = line.substr(0, line.find(" (discriminator"));
    const std::size_t colon = place.rfind(':');
    if (colon == std::string::npos) continue;
    const std::string file = place.substr(0, colon);
    const std::string number = place.substr(colon + 1);
    if (file.empty() || file == "??" || number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
        number == "0")
      continue;
    const bool learners = learner_file(file, exercise);
    std::string shown = file;
    const fs::path rel = root.empty() ? fs::path() : fs::path(file).lexically_relative(root);
    if (fs::path(file).is_absolute() && !rel.empty() && rel.begin()->string() != "..") shown = rel.generic_string();
    // Compiled elsewhere (grading's scratch folder): the learner knows the file by its name.
    else if (learners) shown = fs::path(file).filename().string();
    std::string site = clean(shown, 200) + ":" + clean(number, 9);
    const std::string name = clean(short_function(function), 100);
    if (!name.empty() && name != "??") site += " in " + name;
    if (learners) return site;
    if (innermost.empty()) innermost = site;
  }
  return innermost;
}

void attach_failure_sites(CheckResult& result, const protocol::ParseResult& parsed, const std::string& runner,
                          const fs::path& root, const std::vector<std::string>& sandbox, const ProcessLimits& limits) {
  const protocol::Message* error = nullptr;
  const protocol::Message* signal = nullptr;
  for (const auto& m : parsed.messages) {
    if (m.kind != protocol::Kind::Trace) continue;
    if (m.name == "error") error = &m;
    else if (m.name == "signal") signal = &m;
  }
  const int exercise = result.info->number;
  if (error) {
    for (auto& g : result.gradients) {
      if (g.verdict != Verdict::Error) continue;
      g.at = failure_site(runner, *error, exercise, root, sandbox, limits);
      break;
    }
  }
  if (signal && result.runner.end == ProcessResult::End::Signaled) {
    result.runner.crashed_at = failure_site(runner, *signal, exercise, root, sandbox, limits);
    for (auto& g : result.gradients) {
      if (g.verdict != Verdict::Crashed || g.message != result.runner.summary) continue;
      g.at = result.runner.crashed_at;
      break;
    }
  }
}

}  // namespace bpdojo
