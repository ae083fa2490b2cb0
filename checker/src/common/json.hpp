// Backprop Dojo checker: a small streaming JSON writer (no JSON library is a dependency).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(double v);  // NaN and Inf become null
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  JsonWriter& value(const std::vector<std::int64_t>& v);
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

std::string json_escape(std::string_view s);

// `s` as valid UTF-8 that still names it exactly: each byte that is not part of well-formed UTF-8
// becomes `\xNN` (two hex digits) and a backslash `\\`; everything else is kept as it is.
std::string escape_non_utf8(std::string_view s);

}  // namespace bpdojo
