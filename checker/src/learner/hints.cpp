#include "learner/hints.hpp"

#include <fstream>
#include <sstream>

namespace bpdojo {

std::map<std::string, HintLevels> parse_hints(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw SetupError("no hints file " + file.string());
  std::map<std::string, HintLevels> out;
  std::string section, line;
  int level = 0, line_no = 0;
  auto fail = [&](const std::string& why) {
    throw SetupError(file.string() + ":" + std::to_string(line_no) + ": " + why);
  };
  auto close = [&] {
    if (!section.empty() && level != 3) fail("[" + section + "] has " + std::to_string(level) + " levels, not 3");
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      close();
      if (line.back() != ']' || line.size() < 3) fail("a section header is [gradient]");
      section = line.substr(1, line.size() - 2);
      if (out.count(section)) fail("[" + section + "] appears twice");
      out[section];
      level = 0;
    } else if (line.size() >= 3 && line[0] >= '1' && line[0] <= '3' && line[1] == ':' && line[2] == ' ') {
      if (section.empty()) fail("a hint before any [gradient]");
      if (line[0] - '0' != level + 1) fail("hint " + std::string(1, line[0]) + " out of order");
      level = line[0] - '0';
      out[section][static_cast<std::size_t>(level - 1)] = line.substr(3);
    } else if (line.rfind("  ", 0) == 0 && level > 0) {
      out[section][static_cast<std::size_t>(level - 1)] += "\n" + line.substr(2);
    } else {
      fail("expected [gradient], '1: ', '2: ', '3: ' or a continuation indented by two spaces");
    }
  }
  close();
  return out;
}

std::map<std::string, HintLevels> exercise_hints(const Workspace& ws, const ExerciseInfo& info) {
  return parse_hints(ws.root / "workbook" / "hints" / (info.id() + ".txt"));
}

std::string hint_section(const std::string& gradient) {
  if (gradient.rfind("scaled.", 0) == 0) return "init." + gradient.substr(7);
  if (gradient.rfind("p2.", 0) == 0) return gradient.substr(3);  // exercise 15's second parameter set
  if (gradient.rfind("sgd2.", 0) == 0) return "sgd." + gradient.substr(5);  // and its second update
  return gradient;
}

HintShown next_hint(const Workspace& ws, const ExerciseInfo& info, const std::string& gradient, int level) {
  const auto hints = exercise_hints(ws, info);
  const auto it = hints.find(hint_section(gradient));
  if (it == hints.end()) throw SetupError(info.id() + " has no hints for " + gradient);
  // The state: one line per gradient shown, "exercise_05 dbnvar 2".
  const fs::path state = ws.build / "hints-shown.txt";
  std::map<std::string, int> shown;
  {
    std::ifstream in(state);
    std::string ex, g;
    int l = 0;
    while (in >> ex >> g >> l) shown[ex + " " + g] = l;
  }
  const std::string key = info.id() + " " + gradient;
  HintShown h;
  h.level = level >= 1 && level <= 3 ? level : std::min(3, shown[key] + 1);
  h.text = it->second[static_cast<std::size_t>(h.level - 1)];
  h.last = h.level == 3;
  shown[key] = std::max(shown[key], h.level);
  std::ofstream out(state, std::ios::trunc);
  for (const auto& [k, l] : shown) out << k << " " << l << "\n";
  return h;
}

}  // namespace bpdojo
