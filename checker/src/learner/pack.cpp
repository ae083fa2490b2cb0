#include "learner/pack.hpp"

#include "common/json.hpp"
#include "common/process.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace bpdojo {

std::string pack_manifest(const std::vector<CheckResult>& results) {
  JsonWriter j;
  j.begin_object();
  j.key("schema").value("bpdojo.pack/1");
  j.key("exercises").begin_array();
  for (const auto& r : results) {
    j.begin_object();
    j.key("exercise").value(r.info->id());
    j.key("file").value(r.info->source);
    j.key("seed").value(r.seed);
    j.key("compiles").value(r.build.ok);
    j.key("correct").value(r.correct());
    j.key("total").value(static_cast<int>(r.gradients.size()));
    j.key("complete").value(r.complete());
    j.key("gradients").begin_array();
    for (const auto& g : r.gradients)
      j.begin_object().key("name").value(g.name).key("verdict").value(to_string(g.verdict)).end_object();
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

namespace {

fs::path find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw SetupError("pack needs `" + program + "` on the PATH");
}

}  // namespace

PackOutcome pack_workbook(const Workspace& ws, const std::vector<CheckResult>& results, const std::filesystem::path& archive) {
  PackOutcome out;
  out.archive = fs::absolute(archive);
  char tmpl[] = "/tmp/bpdojo_pack.XXXXXX";
  if (!::mkdtemp(tmpl)) throw SetupError("pack: cannot make a temporary folder");
  const fs::path stage = tmpl;
  std::vector<std::string> argv = {find_on_path("tar").string(), "-czf", out.archive.string(), "-C", stage.string(), "manifest.json"};
  try {
    for (const auto& r : results) {
      const fs::path src = ws.root / "exercises" / r.info->source;
      if (!fs::exists(src)) throw SetupError("pack: " + src.string() + " is missing (checker reset " + r.info->id() + " restores it)");
      fs::copy_file(src, stage / r.info->source);
      argv.push_back(r.info->source);
      if (!r.complete()) out.unfinished.push_back(r.info->id());
    }
    std::ofstream(stage / "manifest.json") << pack_manifest(results);
    ProcessLimits limits;
    limits.wall_seconds = 60;
    const ProcessResult p = run_process(argv, limits);
    if (p.end != ProcessResult::End::Exited || p.exit_code != 0)
      throw SetupError("pack: tar failed: " + (p.output.empty() ? p.detail : p.output.substr(0, 300)));
  } catch (...) {
    fs::remove_all(stage);
    throw;
  }
  fs::remove_all(stage);
  return out;
}

}  // namespace bpdojo
