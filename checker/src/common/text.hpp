// Backprop Dojo checker: small text helpers shared by the reports, the grader and the command line.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bpdojo {

// The items with `separator` between them: "dW, db, dx".
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// The same for any items, each written as `text(item)` gives it:
// join(info.gradients, [](const GradientSpec& s) { return s.name; }).
template <class Items, class Text,
          class = std::enable_if_t<std::is_invocable_v<const Text&, const typename Items::value_type&>>>
std::string join(const Items& items, const Text& text, std::string_view separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    first = false;
    out += text(item);
  }
  return out;
}

// `s` in lower case (ASCII letters only).
std::string lower(std::string s);

// `v` with `digits` digits after the point (printf's %.*f): fixed(2.5, 2) is "2.50".
std::string fixed(double v, int digits);

// `v` in printf's %g: shortest(0.1) is "0.1", shortest(1e-5) is "1e-05".
std::string shortest(double v);

}  // namespace bpdojo
