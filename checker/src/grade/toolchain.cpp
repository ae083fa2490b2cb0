#include "grade/toolchain.hpp"

#include "common/files.hpp"

#include "bpdojo/exercise.hpp"

#include <algorithm>
#include <sstream>

namespace bpdojo {

std::vector<fs::path> forced_include_dirs(const std::vector<std::string>& command) {
  std::vector<fs::path> dirs;
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (command[i] != "-include" && command[i] != "-include-pch") continue;
    // GCC: -include FILE. Clang's precompiled header: -Xclang -include -Xclang FILE.
    std::size_t at = i + 1;
    if (at < command.size() && command[at] == "-Xclang") ++at;
    if (at >= command.size()) break;
    const fs::path dir = fs::path(command[at]).parent_path();
    if (!dir.empty() && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  return dirs;
}

namespace {

// The compile command of the learner runner of exercise 01: the flags every exercise file is
// compiled with, where the source and the object go, and the folders of its forced includes.
void read_compile_command(const Workspace& ws, Toolchain& tc) {
  const fs::path db = ws.build / "compile_commands.json";
  const std::string text = read_file(db);
  if (text.empty()) throw SetupError("cannot read " + db.string() + ": configure the build first (bash setup.sh)");
  const ExerciseInfo& first = all_exercises().front();
  const std::string wanted = (ws.root / "exercises" / first.source).lexically_normal().string();
  for (std::size_t start = text.find('{'); start != std::string::npos; start = text.find('{', start + 1)) {
    const std::size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    const std::string object = text.substr(start, end - start);
    if (fs::path(json_string_field(object, "file")).lexically_normal().string() != wanted) continue;
    tc.compile = split_command(json_string_field(object, "command"));
    break;
  }
  bool have_source = false, have_object = false;
  for (std::size_t i = 0; i + 1 < tc.compile.size(); ++i) {
    if (tc.compile[i] == "-c") tc.source_at = i + 1, have_source = true;
    if (tc.compile[i] == "-o") tc.object_at = i + 1, have_object = true;
  }
  tc.headers = forced_include_dirs(tc.compile);
  if (!have_source || !have_object)
    throw SetupError(db.string() + " has no compile command for " + wanted + ": rebuild (bash setup.sh)");
  tc.compile.insert(tc.compile.begin() + 1, {"-fdiagnostics-color=never", "-MMD"});
  tc.source_at += 2;
  tc.object_at += 2;
  tc.headers.push_back(ws.root / "workbook" / "include" / "bpdojo");
}

// grade-toolchain.txt: "link_flags FLAG ..." and "libraries NN ARCHIVE ...", one line each.
void read_link_file(const Workspace& ws, Toolchain& tc) {
  const fs::path linkfile = ws.build / "grade-toolchain.txt";
  std::istringstream lines(read_file(linkfile));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "link_flags") {
      for (std::string w; words >> w;) tc.link_flags.push_back(w);
    } else if (kind == "libraries") {
      int nn = 0;
      words >> nn;
      for (std::string w; words >> w;) tc.libraries[nn].push_back(w);
    }
  }
  if (tc.libraries.empty()) throw SetupError("cannot read " + linkfile.string() + ": configure the build first (bash setup.sh)");
}

}  // namespace

Toolchain load_toolchain(const Workspace& ws) {
  Toolchain tc;
  read_compile_command(ws, tc);
  read_link_file(ws, tc);
  return tc;
}

}  // namespace bpdojo
