#include "learner/reset.hpp"

#include "common/files.hpp"

#include <ctime>
#include <fstream>
#include <iostream>

namespace bpdojo {
namespace {

std::string time_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

}  // namespace

ResetOutcome reset_exercise(const Workspace& ws, const ExerciseInfo& info, bool yes, bool interactive, std::istream& in,
                            std::ostream& out) {
  ResetOutcome r;
  const fs::path stub = source_path(ws, info, Flavour::Stub);
  const fs::path mine = source_path(ws, info, Flavour::Learner);
  const fs::path shown = mine.lexically_relative(ws.root);
  std::error_code ec;
  if (!fs::is_regular_file(stub, ec)) throw SetupError("the pristine stub " + stub.string() + " is missing");
  const std::string pristine = read_file(stub);
  const bool exists = fs::exists(mine, ec);
  if (exists && read_file(mine) == pristine) {
    r.message = shown.string() + " is already the pristine stub; nothing to do";
    return r;
  }
  if (exists) {
    if (!yes) {
      if (!interactive)
        throw SetupError("reset would overwrite " + shown.string() + "; run it on a terminal to be asked, or add --yes");
      out << "Replace " << shown.string() << " with the pristine stub? Your file is backed up first. [y/N] " << std::flush;
      std::string answer;
      std::getline(in, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        r.message = "left " + shown.string() + " as it was";
        return r;
      }
    }
    const fs::path dir = ws.root / "backups";
    fs::create_directories(dir, ec);
    r.backup = dir / (info.source + "." + time_stamp());
    for (int k = 2; fs::exists(r.backup, ec); ++k) r.backup = dir / (info.source + "." + time_stamp() + "-" + std::to_string(k));
    fs::copy_file(mine, r.backup, ec);
    if (ec || read_file(r.backup) != read_file(mine))
      throw SetupError("could not back up " + shown.string() + " to " + r.backup.string() + "; nothing was changed");
  }
  // Write next to the file, then rename over it: the file is never half written.
  const fs::path tmp = mine.string() + ".reset-tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << pristine;
    if (!o) throw SetupError("could not write " + tmp.string());
  }
  fs::rename(tmp, mine, ec);
  if (ec) throw SetupError("could not replace " + shown.string() + ": " + ec.message());
  r.changed = true;
  r.message = "restored " + shown.string() + " from the pristine stub" +
              (r.backup.empty() ? std::string() : "; your file is in " + r.backup.lexically_relative(ws.root).string());
  return r;
}

}  // namespace bpdojo
