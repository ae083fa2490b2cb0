#include "bpdojo/exercise.hpp"

#include <cstdio>
#include <stdexcept>

namespace bpdojo {

std::string ExerciseInfo::id() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "exercise_%02d", number);
  return buf;
}

const ExerciseInfo* find_exercise(int number) {
  for (const auto& e : all_exercises())
    if (e.number == number) return &e;
  return nullptr;
}

const ExerciseInfo* next_exercise(const ExerciseInfo& info) {
  const auto& all = all_exercises();
  for (std::size_t i = 0; i + 1 < all.size(); ++i)
    if (all[i].number == info.number) return &all[i + 1];
  return nullptr;
}

Sizes complete_sizes(const ExerciseInfo& info, const Sizes& given) {
  Sizes out;
  for (const auto& [letter, value] : given) {
    const SizeSpec* spec = nullptr;
    for (const auto& s : info.sizes)
      if (s.letter == letter) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : info.sizes) known += (known.empty() ? "" : ", ") + s.letter;
      throw std::invalid_argument(info.id() + " has no size " + letter +
                                  (known.empty() ? std::string(" (it has no sizes)") : " (its sizes: " + known + ")"));
    }
    if (value < spec->min || value > spec->max)
      throw std::invalid_argument("size " + letter + "=" + std::to_string(value) + " is out of range " +
                                  std::to_string(spec->min) + ".." + std::to_string(spec->max));
    out[letter] = value;
  }
  for (const auto& s : info.sizes)
    if (!out.count(s.letter)) out[s.letter] = s.default_value;
  return out;
}

}  // namespace bpdojo
