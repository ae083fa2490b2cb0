#include "common/workspace.hpp"

#include "common/files.hpp"
#include "common/process.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <csignal>
#include <sys/file.h>
#include <unistd.h>

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
  return fs::is_regular_file(dir / "workbook" / "include" / "bpdojo" / "learner.hpp", ec) && fs::is_directory(dir / "exercises", ec);
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
  // A number alone that is no exercise's: an error that lists them, never a guess.
  if (n > 0 && n == digits.size()) {
    std::vector<std::string> known;
    for (const auto& e : all_exercises()) known.push_back(e.id().substr(9) + " " + e.slug);
    throw SetupError("no exercise '" + given + "': the exercises are " + join(known, ", "));
  }
  // A word of exactly one exercise's slug or title ("chain", "softmax", "cross", "batch", "fused").
  const ExerciseInfo* by_word = nullptr;
  int word_matches = 0;
  for (const auto& e : all_exercises()) {
    const std::string text = lower(e.slug + " " + e.title);
    for (std::size_t i = 0; i < text.size();) {
      std::size_t j = i;
      while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j]))) ++j;
      if (j > i && text.compare(i, j - i, name) == 0 && j - i == name.size()) {
        if (by_word != &e) ++word_matches;
        by_word = &e;
      }
      i = j + 1;
    }
  }
  if (word_matches == 1) return *by_word;
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

namespace {

// "file:L:C" of `abs` in a line ("" when the line names no position in it).
std::string site_in(const std::string& line, const std::string& abs) {
  const std::size_t at = line.find(abs + ":");
  if (at == std::string::npos) return "";
  std::size_t end = at + abs.size() + 1;
  int colons = 0;
  while (end < line.size() && (std::isdigit(static_cast<unsigned char>(line[end])) || (line[end] == ':' && colons == 0))) {
    if (line[end] == ':') ++colons;
    ++end;
  }
  const std::string site = line.substr(at + abs.size() + 1, end - at - abs.size() - 1);
  if (site.empty() || !std::isdigit(static_cast<unsigned char>(site[0]))) return "";
  return site.back() == ':' ? site.substr(0, site.size() - 1) : site;
}

// Line `number` (1-based) of `file` and a caret under `column`, as a compiler shows them.
std::vector<std::string> excerpt(const fs::path& file, const std::string& site) {
  const std::size_t colon = site.find(':');
  const long number = std::atol(site.c_str());
  const long column = colon == std::string::npos ? 0 : std::atol(site.c_str() + colon + 1);
  std::ifstream in(file, std::ios::binary);
  std::string line;
  for (long n = 1; n <= number && std::getline(in, line); ++n)
    if (n == number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      char gutter[32];
      std::snprintf(gutter, sizeof gutter, "%5ld | ", number);
      std::vector<std::string> out{gutter + line};
      if (column >= 1 && static_cast<std::size_t>(column) <= line.size() + 1)
        out.push_back("      | " + std::string(static_cast<std::size_t>(column - 1), ' ') + "^");
      return out;
    }
  return {};
}

}  // namespace

bool holds_an_error(const std::vector<std::string>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find(": error") != std::string::npos || l.find(": fatal error") != std::string::npos;
  });
}

std::vector<std::string> compiler_errors(const std::string& output, const fs::path& source, const fs::path& root,
                                         std::size_t max_lines, std::size_t* omitted) {
  const std::string abs = source.string();
  const std::string rel = source.lexically_relative(root).string();
  // Blocks: a line about the learner's file ("file:line:col: error: ...") with the code excerpt
  // lines the compiler prints under it. An error or warning the compiler places in a header (an
  // Eigen static assertion, a warning about code inlined from the learner's) belongs to the
  // learner's line its instantiation or inlining chain names: GCC prints the chain before it
  // ("file:7:24:   required from here", "inlined from '...' at file:7:62:"), clang after it
  // ("file:7:24: note: in instantiation of ... requested here"). It is shown at that line, with
  // that line's code; a diagnostic no chain ties to the learner's file is left out.
  struct Block {
    std::vector<std::string> lines;
    bool error = false;
    std::string site;        // a header's diagnostic: the learner's line it belongs to ("" if none yet)
    std::string diagnostic;  // a header's diagnostic: "error: ..." / "warning: ..."
  };
  std::vector<Block> blocks;
  bool in_block = false;
  std::string chain_site;          // the first learner's line of the chain printed since the last diagnostic
  std::ptrdiff_t waiting = -1;     // a header's diagnostic that no chain has placed yet (clang's notes follow it)
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool about_source = line.find(abs) != std::string::npos;
    const std::size_t error_at = std::min(line.find(": error"), line.find(": fatal error"));
    const bool is_error = error_at != std::string::npos;
    const std::size_t warning_at = line.find(": warning");
    const bool is_note = line.find(": note") != std::string::npos;
    const bool is_diag = is_error || warning_at != std::string::npos || is_note || line.find("In function") != std::string::npos;
    const bool excerpt_line = line.rfind("   ", 0) == 0 && line.find(" | ") != std::string::npos;
    const bool chain = line.find("required from") != std::string::npos || line.find("inlined from") != std::string::npos ||
                       line.find("requested here") != std::string::npos || line.find("in instantiation of") != std::string::npos;
    const std::string site = about_source && chain ? site_in(line, abs) : "";
    if (!site.empty() && is_note && waiting >= 0) {  // clang: the chain after the diagnostic
      blocks[static_cast<std::size_t>(waiting)].site = site;
      waiting = -1;
      in_block = false;
      continue;
    }
    if (!site.empty() && !is_diag) {  // GCC: the chain before the diagnostic
      if (chain_site.empty()) chain_site = site;
      in_block = false;
      continue;
    }
    // clang shows the code bare under its diagnostic: the line, then the caret's
    const bool bare_code = in_block && !is_diag && !chain && blocks.back().lines.size() == 1 &&
                           blocks.back().lines.front().find("In function") == std::string::npos && line.rfind("In file included", 0) != 0 &&
                           line.rfind("ninja: ", 0) != 0 && line.rfind("FAILED: ", 0) != 0 && line.rfind('[', 0) != 0 &&
                           line.find(" warning generated") == std::string::npos && line.find(" warnings generated") == std::string::npos &&
                           line.find(" error generated") == std::string::npos && line.find(" errors generated") == std::string::npos;
    const bool bare_caret = in_block && blocks.back().lines.size() == 2 && line.find('^') != std::string::npos &&
                            line.find_first_not_of(" ~^") == std::string::npos;
    if (about_source && is_diag) {
      for (std::size_t p; (p = line.find(abs)) != std::string::npos;) line.replace(p, abs.size(), rel);
      blocks.push_back({{line}, is_error, "", ""});
      in_block = true;
    } else if ((excerpt_line || bare_code || bare_caret) && in_block) {
      blocks.back().lines.push_back(line);
    } else if (!about_source && (is_error || warning_at != std::string::npos) && !is_note) {
      Block b;
      b.error = is_error;
      b.diagnostic = line.substr((is_error ? error_at : warning_at) + 2);
      b.site = chain_site;
      blocks.push_back(b);
      waiting = chain_site.empty() ? static_cast<std::ptrdiff_t>(blocks.size() - 1) : -1;
      in_block = false;
    } else {
      in_block = false;
    }
    if (is_diag) chain_site.clear();
  }
  // The header's diagnostics at the learner's line (once each), the rest left out.
  std::vector<Block> kept;
  std::set<std::string> seen;
  for (Block& b : blocks) {
    if (!b.diagnostic.empty()) {
      if (b.site.empty()) continue;
      b.lines = {rel + ":" + b.site + ": " + b.diagnostic};
      for (auto& l : excerpt(source, b.site)) b.lines.push_back(l);
    }
    if (!seen.insert(b.lines.front()).second) continue;
    kept.push_back(std::move(b));
  }
  blocks = std::move(kept);
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

namespace {

// FNV-1a, 64 bits: a fingerprint of bytes (not a defence against a forger: the learner owns both).
std::uint64_t fnv1a(std::uint64_t h, const std::string& bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  return h;
}
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;

std::string hex(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Every file a runner is built from besides the exercise file: the workbook's headers, sources,
// runners and its CMakeLists.txt, by path and content.
std::uint64_t workbook_hash(const fs::path& root) {
  std::vector<fs::path> files = {root / "workbook" / "CMakeLists.txt"};
  std::error_code ec;
  for (const char* dir : {"include", "internal", "problems", "src", "runners"})
    for (fs::recursive_directory_iterator it(root / "workbook" / dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::uint64_t h = kFnvOffset;
  for (const fs::path& f : files) {
    h = fnv1a(h, f.lexically_relative(root).string() + '\0');
    h = fnv1a(h, read_bytes(f).value_or("(unreadable)") + '\0');
  }
  return h;
}

// An exclusive lock on the build folder (flock: the kernel releases it when the process dies).
class BuildLock {
 public:
  explicit BuildLock(const fs::path& build) {
    const fs::path file = build / ".bpdojo-build.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw SetupError("cannot open " + file.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) throw SetupError("cannot lock " + file.string() + ": " + std::strerror(errno));
  }
  ~BuildLock() { ::close(fd_); }
  BuildLock(const BuildLock&) = delete;
  BuildLock& operator=(const BuildLock&) = delete;

 private:
  int fd_ = -1;
};

std::string find_cmake() {
  const std::string cmake = BPDOJO_CMAKE_COMMAND;
  if (cmake.find('/') != std::string::npos) return cmake;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::error_code ec;
  for (std::string d; std::getline(dirs, d, ':');)
    if (fs::exists(fs::path(d) / cmake, ec)) return (fs::path(d) / cmake).string();
  return cmake;
}

// The last lines of a build's output (a link error, say, that names no line of the learner's file).
std::vector<std::string> tail_lines(const std::string& output, std::size_t keep, std::size_t* omitted) {
  std::istringstream in(output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const std::size_t from = lines.size() > keep ? lines.size() - keep : 0;
  *omitted = from;
  return {lines.begin() + static_cast<std::ptrdiff_t>(from), lines.end()};
}

// Copies left by checkers that died before removing them (<name>.<pid>.<n>, the pid gone).
void remove_orphan_copies(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t last = name.rfind('.');
    const std::size_t before = last == std::string::npos || last == 0 ? std::string::npos : name.rfind('.', last - 1);
    if (before == std::string::npos) continue;
    const long pid = std::strtol(name.c_str() + before + 1, nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(it->path(), ec);
  }
}

// A copy of the runner no build will write: ws.build/runs/<exercise>-<target>.<pid>.<n>.
fs::path private_copy(const Workspace& ws, const fs::path& runner, const std::string& target) {
  static int copies = 0;
  const fs::path dir = ws.build / "runs";
  std::error_code ec;
  fs::create_directories(dir, ec);
  remove_orphan_copies(dir);
  const fs::path copy = dir / (runner.filename().string() + "-" + target + "." + std::to_string(::getpid()) + "." +
                               std::to_string(++copies));
  fs::remove(copy, ec);
  if (!fs::copy_file(runner, copy, ec))
    throw SetupError("cannot copy " + runner.string() + " to " + copy.string() + ": " + ec.message());
  return copy;
}

}  // namespace

// Splits a command line as a POSIX shell would (quotes and backslashes; nothing else).
std::vector<std::string> split_command(const std::string& cmd) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    const char c = cmd[i];
    if (c == '\'') {
      in_word = true;
      for (++i; i < cmd.size() && cmd[i] != '\''; ++i) cur += cmd[i];
    } else if (c == '"') {
      in_word = true;
      for (++i; i < cmd.size() && cmd[i] != '"'; ++i) {
        if (cmd[i] == '\\' && i + 1 < cmd.size() && (cmd[i + 1] == '"' || cmd[i + 1] == '\\')) ++i;
        cur += cmd[i];
      }
    } else if (c == '\\' && i + 1 < cmd.size()) {
      in_word = true;
      cur += cmd[++i];
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      in_word = true;
      cur += c;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::string json_string_field(const std::string& object, const std::string& key) {
  const std::string pattern = "\"" + key + "\"";
  std::size_t at = object.find(pattern);
  if (at == std::string::npos) return "";
  at = object.find('"', object.find(':', at + pattern.size()));
  if (at == std::string::npos) return "";
  std::string out;
  for (std::size_t i = at + 1; i < object.size() && object[i] != '"'; ++i) {
    if (object[i] == '\\' && i + 1 < object.size()) {
      const char e = object[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      out += object[i];
    }
  }
  return out;
}

std::string build_fingerprint(const Workspace& ws, const fs::path& source) {
  const std::optional<std::string> bytes = read_bytes(source);
  if (!bytes) return "";
  return "source " + hex(fnv1a(kFnvOffset, *bytes)) + "\nworkbook " + hex(workbook_hash(ws.root)) + "\n";
}

fs::path fingerprint_path(const fs::path& runner) { return fs::path(runner.string() + ".built-from"); }

std::vector<fs::path> object_files(const fs::path& build, const fs::path& source) {
  const std::string text = read_bytes(build / "compile_commands.json").value_or("");
  const std::string wanted = source.lexically_normal().string();
  std::vector<fs::path> objects;
  for (std::size_t start = text.find('{'); start != std::string::npos; start = text.find('{', start + 1)) {
    const std::size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    const std::string entry = text.substr(start, end - start);
    if (fs::path(json_string_field(entry, "file")).lexically_normal().string() != wanted) continue;
    // "output" where CMake writes it (3.20 and later, not every generator), else the -o of the command;
    // relative to the entry's "directory".
    fs::path output = json_string_field(entry, "output");
    const std::vector<std::string> command = split_command(json_string_field(entry, "command"));
    for (std::size_t i = 0; output.empty() && i + 1 < command.size(); ++i)
      if (command[i] == "-o") output = command[i + 1];
    if (output.empty()) continue;
    objects.push_back((fs::path(json_string_field(entry, "directory")) / output).lexically_normal());
  }
  return objects;
}

BuildOutcome ensure_built(const Workspace& ws, const ExerciseInfo& info, Flavour flavour, const BuildProgress& progress) {
  BuildOutcome out;
  const fs::path runner = runner_path(ws, info, flavour);
  const fs::path source = source_path(ws, info, flavour);
  const fs::path record = fingerprint_path(runner);
  const std::string target = target_name(info, flavour);
  out.command = std::string("cmake --build ") + ws.build.lexically_proximate(fs::current_path()).string() + " --target " + target;
  std::error_code ec;
  if (!fs::exists(source, ec)) throw SetupError("missing " + source.string() + " (`checker reset` restores a stub)");

  const BuildLock lock(ws.build);
  ProcessLimits limits;
  limits.wall_seconds = 900;
  limits.memory_bytes = 0;
  limits.output_keep = 4 << 20;
  // A save during the build is not in the runner: build again (a few times at most).
  constexpr int kMaxBuilds = 5;
  for (;;) {
    const std::string before = build_fingerprint(ws, source);
    if (before.empty()) throw SetupError("cannot read " + source.string());
    if (fs::exists(runner, ec) && read_bytes(record).value_or("") == before) break;
    if (out.builds == kMaxBuilds) {
      out.ok = false;
      out.errors = {info.source + " changed during each of " + std::to_string(kMaxBuilds) +
                    " builds in a row: save it once and check again"};
      return out;
    }
    // Ninja decides by timestamps, and an object compiled after a save can be newer than the
    // bytes it did not see: remove the object, so the build compiles the file and links the
    // runner again. (The runner stays until the linker replaces it: a test or a checker that runs
    // it by its path meanwhile runs the old one rather than find nothing.)
    const std::vector<fs::path> objects = object_files(ws.build, source);
    if (objects.empty())
      throw SetupError("no compile command for " + source.string() + " in " + (ws.build / "compile_commands.json").string() +
                       ": configure the build again (cmake --preset default)");
    fs::remove(record, ec);
    for (const fs::path& object : objects) fs::remove(object, ec);
    const FileState old_runner = file_state(runner);  // a runner the linker replaced differs
    if (progress) progress("building " + info.id());
    out.rebuilt = true;
    ++out.builds;
    const ProcessResult r = run_process({find_cmake(), "--build", ws.build.string(), "--target", target}, limits);
    if (r.end == ProcessResult::End::FailedToStart) throw SetupError("cannot rebuild " + target + ": " + r.detail);
    if (r.end != ProcessResult::End::Exited || r.exit_code != 0) {
      out.ok = false;
      out.warnings.clear();
      out.errors = compiler_errors(r.output, source, ws.root, kCompilerOutputLines, &out.errors_omitted);
      if (!holds_an_error(out.errors)) out.errors = tail_lines(r.output, kCompilerOutputLines, &out.errors_omitted);  // not the learner's file
      return out;
    }
    out.warnings = compiler_errors(r.output, source, ws.root, kCompilerOutputLines, &out.warnings_omitted);
    if (old_runner.exists && file_state(runner) == old_runner)
      throw SetupError("the build left " + runner.string() + " as it was: remove it and check again");
    if (build_fingerprint(ws, source) != before) continue;
    std::ofstream(record, std::ios::binary | std::ios::trunc) << before;
  }
  out.private_runner = private_copy(ws, runner, target);
  return out;
}

}  // namespace bpdojo
