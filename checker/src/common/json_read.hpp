// Backprop Dojo checker: a small JSON reader, for what the checker wrote itself (a grading run's
// results.jsonl, read back for the class summary). Strict RFC 8259; depth and size bounded.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpdojo {

struct JsonValue {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in the document's order

  // The member `key` of an object (the first of that name), or nullptr.
  const JsonValue* find(std::string_view key) const;
  // Member `key` as a string, a number or a bool; `fallback` when absent or of another type.
  std::string text(std::string_view key, std::string fallback = "") const;
  double num(std::string_view key, double fallback = 0.0) const;
  bool flag(std::string_view key, bool fallback = false) const;
};

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One JSON text (surrounding white space allowed); throws JsonError naming the byte offset where it
// stops being JSON. Nesting deeper than 64 is refused.
JsonValue parse_json(std::string_view text);

}  // namespace bpdojo
