#include "grade/submissions.hpp"

#include "common/text.hpp"
#include "common/workspace.hpp"
#include "grade/archive.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <system_error>

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

enum class Match { None, Exact, Copy };

// `stem` (the name without ".cpp") against exercise_NN_slug / exercise_NN, with or without a copy
// suffix " (k)" or "-k".
Match match_name(const std::string& stem, const ExerciseInfo& info) {
  const std::string full = info.source.substr(0, info.source.size() - 4);  // exercise_03_tanh
  const std::string id = info.id();                                        // exercise_03
  for (const std::string& base : {full, id}) {
    if (stem == base) return Match::Exact;
    if (stem.size() <= base.size() || stem.compare(0, base.size(), base) != 0) continue;
    std::string rest = stem.substr(base.size());
    bool copy = false;
    if (rest.size() >= 4 && rest.compare(0, 2, " (") == 0 && rest.back() == ')') {
      rest = rest.substr(2, rest.size() - 3);
      copy = true;
    } else if (rest.size() >= 2 && rest[0] == '-') {
      rest = rest.substr(1);
      copy = true;
    }
    if (copy && !rest.empty() && std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isdigit(c); }))
      return Match::Copy;
  }
  return Match::None;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// An archive the checker does not unpack: a submission uploaded packed.
bool is_archive(const std::string& name) {
  const std::string n = lower(name);
  for (const char* ext : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".7z", ".rar", ".gz"})
    if (ends_with(n, ext)) return true;
  return false;
}

// A file that is not the exercise's by its name, but nearly: another case (Exercise_03_Tanh.cpp),
// an extension added (exercise_03_tanh.cpp.txt) or another C++ extension (exercise_03_tanh.cc).
bool near_miss(const std::string& name, const ExerciseInfo& info) {
  std::string n = lower(name);
  for (const char* extra : {".txt", ".bak", ".orig", ".old"})
    if (ends_with(n, std::string(".cpp") + extra)) n.resize(n.size() - std::string(extra).size());
  for (const char* ext : {".cpp", ".cc", ".cxx", ".c++", ".cp", ".c", ".hpp", ".h"}) {
    if (!ends_with(n, ext)) continue;
    const std::string stem = n.substr(0, n.size() - std::string(ext).size());
    return match_name(stem, info) != Match::None;
  }
  return false;
}

bool inside(const fs::path& path, const fs::path& folder) {
  const auto rel = path.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != "..";
}

std::string names(const std::vector<fs::path>& files, const fs::path& folder) {
  return join(files, [&](const fs::path& f) { return f.lexically_relative(folder).string(); });
}

// The text with comments removed and continued lines joined (string literals are kept as they are).
std::string strip_comments(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
    } else if (s[i] == '\\' && i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
      i += 2;
    } else if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n') ++i;
      out += '\n';
    } else if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < s.size() && !(s[i] == '*' && s[i + 1] == '/')) ++i;
      ++i;
      out += ' ';
    } else if (s[i] == '"' || s[i] == '\'') {
      // A literal: copied whole, so a "//" inside it is not a comment.
      const char q = s[i];
      out += s[i++];
      while (i < s.size() && s[i] != q && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size()) out += s[i++];
        out += s[i++];
      }
      if (i < s.size()) out += s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

// Is `name` (what is between the <> or "") a header a submission may include?
std::string check_header(const std::string& name) {
  if (name.empty()) return "an empty #include";
  if (name[0] == '/' || name.find("..") != std::string::npos || name.find('\\') != std::string::npos)
    return "#include \"" + name + "\" reaches outside the submission";
  if (name.rfind("bpdojo/", 0) == 0 || name.rfind("Eigen/", 0) == 0 || name.rfind("unsupported/Eigen/", 0) == 0) return "";
  if (name == "bits/stdc++.h") return "";  // GCC's whole standard library, as some learners write
  // The standard library: names without a folder and without an extension (<vector>), or the C
  // headers (<math.h>, <cmath>).
  static const std::set<std::string> c_headers = {
      "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h", "iso646.h", "limits.h",
      "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h", "stdarg.h", "stdbool.h", "stddef.h", "stdint.h",
      "stdio.h", "stdlib.h", "string.h", "tgmath.h", "time.h", "uchar.h", "wchar.h", "wctype.h"};
  const bool plain = std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
  if (plain || c_headers.count(name)) return "";
  return "#include \"" + name + "\": a submission may include only the standard library, Eigen and the workbook's headers (bpdojo/...)";
}

}  // namespace

FoundFile find_exercise_file(const fs::path& folder, const ExerciseInfo& info) {
  FoundFile found;
  std::vector<fs::path> exact, copies, near, archives, refused_named, refused_folders;
  std::string refused;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(folder, ec);
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (name == "__MACOSX" || name.rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec)) {
      const fs::path target = fs::weakly_canonical(p, ec);
      if (ec || !inside(target, root)) {
        // Never followed. Named like the exercise's file, or a folder (which might hold it): the
        // exercise is refused unless the file is found elsewhere.
        // (Of several, the one named like the exercise's file; else the first folder by name.)
        const bool folder_link = fs::is_directory(target, ec);
        const bool named = p.extension() == ".cpp" && match_name(p.stem().string(), info) != Match::None;
        if (named) refused_named.push_back(p);
        else if (folder_link) refused_folders.push_back(p);
        continue;
      }
    }
    if (!it->is_regular_file(ec)) continue;
    const Match match = p.extension() == ".cpp" ? match_name(p.stem().string(), info) : Match::None;
    switch (match) {
      case Match::Exact: exact.push_back(p); break;
      case Match::Copy: copies.push_back(p); break;
      case Match::None:
        if (is_archive(name) && !(can_unpack_archives() && is_unpackable_archive(name))) archives.push_back(p);
        else if (near_miss(name, info)) near.push_back(p);
        break;
    }
  }
  std::sort(exact.begin(), exact.end());
  std::sort(copies.begin(), copies.end());
  std::sort(refused_named.begin(), refused_named.end());
  std::sort(refused_folders.begin(), refused_folders.end());
  if (!refused_named.empty())
    refused = refused_named.front().lexically_relative(folder).string() + " is a link to a file outside the submission (not followed)";
  else if (!refused_folders.empty())
    refused = refused_folders.front().lexically_relative(folder).string() + " is a link to a folder outside the submission (not followed)";
  const std::string wanted = info.source + " or " + info.id() + ".cpp";
  if (!refused.empty() && exact.empty() && copies.empty()) {
    found.status = FoundFile::Status::Refused;
    found.reason = refused;
  } else if (exact.size() == 1) {
    found.status = FoundFile::Status::Found;
    found.file = exact[0];
    if (!copies.empty()) found.reason = "ignored the copies " + names(copies, folder) + " beside it";
  } else if (exact.size() > 1) {
    found.status = FoundFile::Status::Ambiguous;
    found.reason = std::to_string(exact.size()) + " files named " + wanted + " (" + names(exact, folder) + ")";
  } else if (copies.size() == 1) {
    found.status = FoundFile::Status::Found;
    found.file = copies[0];
    found.reason = "graded " + names(copies, folder) + " (no file named " + wanted + ")";
  } else if (copies.size() > 1) {
    found.status = FoundFile::Status::Ambiguous;
    found.reason = "no file named " + wanted + ", and " + std::to_string(copies.size()) +
                   " copies (" + names(copies, folder) + ")";
  } else {
    found.status = FoundFile::Status::Missing;
    found.reason = "no file named " + wanted;
    std::sort(near.begin(), near.end());
    std::sort(archives.begin(), archives.end());
    if (!near.empty())
      found.reason += "; found " + names(near, folder) + ", not graded under that name: rename it " + info.source;
    if (!archives.empty())
      found.reason += "; found the archive " + names(archives, folder) +
                      ", which the checker does not unpack: unpack it into the student's folder";
  }
  return found;
}

std::vector<std::string> list_students(const fs::path& submissions) {
  std::vector<std::string> folders;
  std::map<std::string, std::vector<std::string>> archives;  // id without extension -> archive names
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(submissions, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "__MACOSX" || e.is_symlink(ec)) continue;  // (every other folder is a student's, whatever its name)
    if (e.is_directory(ec)) folders.push_back(name);
    else if (e.is_regular_file(ec) && is_unpackable_archive(name)) archives[without_archive_extension(name)].push_back(name);
  }
  if (ec) throw SetupError("cannot read " + submissions.string() + ": " + ec.message());
  std::vector<std::string> out = folders;
  const std::set<std::string> folder_set(folders.begin(), folders.end());
  for (const auto& [id, names] : archives) {
    if (names.size() == 1 && !folder_set.count(id)) out.push_back(id);
    else out.insert(out.end(), names.begin(), names.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

constexpr std::size_t kArchivesPerStudent = 8;

// The archives under a student's folder that the grader unpacks (not through links, dot names or
// __MACOSX), sorted.
std::vector<fs::path> archives_in(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "__MACOSX" || name.rfind('.', 0) == 0 || it->is_symlink(ec)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && is_unpackable_archive(name)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Submission open_submission(const fs::path& submissions, const std::string& id, const fs::path& unpack_into) {
  Submission s;
  std::error_code ec;
  std::vector<std::pair<std::string, fs::path>> packed;  // name shown, file
  const fs::path own = submissions / id;
  if (fs::is_directory(own, ec) && !fs::is_symlink(own, ec)) {
    s.folder = own;
    for (const fs::path& a : archives_in(own)) packed.emplace_back(a.lexically_relative(own).string(), a);
  } else if (fs::is_regular_file(own, ec) && is_unpackable_archive(id)) {
    packed.emplace_back(id, own);
  } else {
    for (const auto& e : fs::directory_iterator(submissions, ec)) {
      const std::string name = e.path().filename().string();
      if (!e.is_symlink(ec) && e.is_regular_file(ec) && is_unpackable_archive(name) && without_archive_extension(name) == id)
        packed.emplace_back(name, e.path());
    }
  }
  if (!can_unpack_archives()) {  // (a folder's archives are named by find_exercise_file's reason)
    if (s.folder.empty())
      for (const auto& [name, file] : packed) s.archives.push_back({name, {}, unpack_archive(file, unpack_into / "0").reason});
    return s;
  }
  for (std::size_t k = 0; k < packed.size(); ++k) {
    UnpackedArchive a;
    a.name = packed[k].first;
    if (k >= kArchivesPerStudent) {
      a.refused = "more than " + std::to_string(kArchivesPerStudent) + " archives in one submission";
    } else {
      const fs::path dest = unpack_into / std::to_string(k);
      const Unpacked u = unpack_archive(packed[k].second, dest);
      if (u.ok) a.root = dest;
      else a.refused = u.reason;
    }
    s.archives.push_back(a);
  }
  return s;
}

FoundFile find_submitted_file(const Submission& submission, const ExerciseInfo& info, std::string& shown) {
  FoundFile found;
  found.reason = "no file named " + info.source + " or " + info.id() + ".cpp";
  if (!submission.folder.empty()) {
    found = find_exercise_file(submission.folder, info);
    if (found.status == FoundFile::Status::Found) shown = found.file.lexically_relative(submission.folder).string();
    if (found.status != FoundFile::Status::Missing || submission.archives.empty()) return found;
  }
  std::string refused, looked, nested;
  for (const UnpackedArchive& a : submission.archives) {
    if (!a.refused.empty()) {
      if (refused.empty()) refused = "the archive " + a.name + " was not unpacked: " + a.refused;
      continue;
    }
    FoundFile in = find_exercise_file(a.root, info);
    if (in.status == FoundFile::Status::Missing) {
      looked += (looked.empty() ? "" : ", ") + a.name;
      for (const fs::path& inner : archives_in(a.root))  // (archives in archives are not unpacked)
        nested += (nested.empty() ? "" : ", ") + a.name + "/" + inner.lexically_relative(a.root).string();
      continue;
    }
    if (in.status == FoundFile::Status::Found) shown = a.name + "/" + in.file.lexically_relative(a.root).string();
    if (!in.reason.empty()) in.reason = "in the archive " + a.name + ": " + in.reason;
    return in;
  }
  if (!refused.empty()) {
    found.status = FoundFile::Status::Refused;
    found.reason = refused;
  } else if (!looked.empty()) {
    found.reason += " (nor in the archive " + looked + ")";
    if (!nested.empty()) found.reason += "; found the archive " + nested + " inside it, which the checker does not unpack: pack the files themselves";
  }
  return found;
}

std::string refused_includes(const std::string& source) {
  const std::string text = strip_comments(source);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] != '#') continue;
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos) continue;
    std::string directive;
    while (i < line.size() && (std::isalpha(static_cast<unsigned char>(line[i])) || line[i] == '_')) directive += line[i++];
    if (directive == "embed") return "#embed is not allowed in a submission";
    if (directive != "include" && directive != "include_next" && directive != "import") continue;
    if (directive != "include") return "#" + directive + " is not allowed in a submission";
    i = line.find_first_not_of(" \t", i);
    if (i == std::string::npos) return "an #include without a header";
    const char open = line[i];
    const char close = open == '<' ? '>' : open == '"' ? '"' : '\0';
    if (!close) return "#include of a macro (" + line.substr(i) + "): name the header itself";
    const std::size_t j = line.find(close, i + 1);
    if (j == std::string::npos) return "an unterminated #include";
    std::string why = check_header(line.substr(i + 1, j - i - 1));
    if (open == '<')
      for (std::size_t q = why.find("#include \""); q != std::string::npos; q = std::string::npos) {
        why.replace(q + 9, 1, "<");
        why.replace(why.find('"', q + 10), 1, ">");
      }
    if (!why.empty()) return why;
  }
  // Assembler-level file reads, which no #include shows.
  if (text.find(".incbin") != std::string::npos) return ".incbin is not allowed in a submission";
  return "";
}

std::string refused_dependencies(const std::string& depfile, const fs::path& source, const std::vector<fs::path>& allowed) {
  // "target.o: dep dep \\\n dep ..." with spaces in names escaped as "\ ".
  std::vector<std::string> deps;
  std::string cur;
  bool after_colon = false;
  for (std::size_t i = 0; i < depfile.size(); ++i) {
    const char c = depfile[i];
    if (!after_colon) {
      if (c == ':' && (i + 1 == depfile.size() || depfile[i + 1] == ' ' || depfile[i + 1] == '\n')) after_colon = true;
      continue;
    }
    if (c == '\\' && i + 1 < depfile.size() && depfile[i + 1] == '\n') {
      ++i;
    } else if (c == '\\' && i + 1 < depfile.size() && depfile[i + 1] == ' ') {
      cur += ' ';
      ++i;
    } else if (c == ' ' || c == '\n' || c == '\t') {
      if (!cur.empty()) deps.push_back(cur);
      cur.clear();
      if (c == '\n') after_colon = false;  // the next rule (-MP phony targets) is not a list of ours
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) deps.push_back(cur);
  std::error_code ec;
  const fs::path src = fs::weakly_canonical(source, ec);
  for (const std::string& d : deps) {
    const fs::path p = fs::weakly_canonical(d, ec);
    if (p == src) continue;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || inside(p, fs::weakly_canonical(a, ec));
    if (!ok) return "it includes " + d + ": a submission may include only the standard library, Eigen and the workbook's headers";
  }
  return "";
}

}  // namespace bpdojo
