#include "grade/weights.hpp"

#include "common/workspace.hpp"
#include "judge/experiment.hpp"
#include "judge/training.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace bpdojo {
namespace {

Weights default_weights() {
  Weights w;
  for (const auto& info : all_exercises()) {
    w.points[info.number] = 10.0;
    double sum = 0.0;
    for (const auto& n : row_names(info)) {
      if (n == kTrainingRow) continue;
      w.gradient[info.number][n] = 1.0;
      sum += 1.0;
    }
    // The run weighs as much as every other row (exercise 13: both runs, one row).
    if (info.trains || info.trains_rnn || info.trains_values || info.trains_gpt) w.gradient[info.number][kTrainingRow] = sum;
  }
  return w;
}

// The number after the '=' of a line; `where` starts the message of a SetupError.
double weight_value(const std::string& v, const std::string& name, const std::string& where) {
  double value = 0.0;
  try {
    std::size_t used = 0;
    value = std::stod(v, &used);
    if (v.find_first_not_of(" \t\r", used) != std::string::npos) throw std::invalid_argument(v);
  } catch (const std::logic_error&) {
    throw SetupError(where + "the weight of " + name + " is not a number");
  }
  if (!(value >= 0.0) || !std::isfinite(value)) throw SetupError(where + "a weight must be a number >= 0");
  return value;
}

const ExerciseInfo& weighed_exercise(const std::string& ex, const std::string& where) {
  const ExerciseInfo* info = nullptr;
  for (const auto& e : all_exercises())
    if (e.id() == ex) info = &e;
  if (!info) throw SetupError(where + "no exercise named '" + ex + "' (exercise_01 ... exercise_" +
                              (all_exercises().back().number < 10 ? "0" : "") + std::to_string(all_exercises().back().number) + ")");
  return *info;
}

// One line of the --weights format (comments and blank lines already skipped from `first` on).
void apply_weight_line(Weights& w, const std::string& line, std::size_t first, const std::string& where) {
  const auto eq = line.find('=');
  if (eq == std::string::npos) throw SetupError(where + "expected `exercise_03 = 10` or `exercise_03.dx = 2`");
  std::string name = line.substr(first, eq - first);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
  const double value = weight_value(line.substr(eq + 1), name, where);
  const auto dot = name.find('.');
  const ExerciseInfo& info = weighed_exercise(name.substr(0, dot), where);
  if (dot == std::string::npos) {
    w.points[info.number] = value;
  } else {
    const std::string g = name.substr(dot + 1);
    auto& grads = w.gradient[info.number];
    if (!grads.count(g)) throw SetupError(where + info.id() + " has no gradient '" + g + "'");
    grads[g] = value;
  }
}

}  // namespace

std::vector<std::string> row_names(const ExerciseInfo& info) {
  std::vector<std::string> names;
  for (const auto& g : info.gradients) names.push_back(g.name);
  if (info.trains) {  // the rows check_exercise adds after the gradients, in its order
    for (const auto& n : update_row_names()) names.push_back(n);
    names.push_back(kTrainingRow);
  }
  if (info.trains_rnn || info.trains_values || info.trains_gpt) names.push_back(kTrainingRow);
  if (info.experiment)
    for (const auto& n : experiment_row_names()) names.push_back(n);
  return names;
}

Weights parse_weights(const std::string& text, const std::string& label) {
  Weights w = default_weights();
  std::istringstream lines(text);
  int lineno = 0;
  for (std::string line; std::getline(lines, line);) {
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    apply_weight_line(w, line, first, label + ":" + std::to_string(lineno) + ": ");
  }
  return w;
}

std::string format_weights(const Weights& w) {
  std::string out = "# The weights of this grading run (the format of --weights).\n";
  char buf[64];
  for (const auto& info : all_exercises()) {
    if (!w.points.count(info.number)) continue;
    std::snprintf(buf, sizeof buf, "%.17g", w.points.at(info.number));
    out += info.id() + " = " + buf + "\n";
    for (const auto& n : row_names(info)) {
      std::snprintf(buf, sizeof buf, "%.17g", w.gradient.at(info.number).at(n));
      out += info.id() + "." + n + " = " + buf + "\n";
    }
  }
  return out;
}

}  // namespace bpdojo
