// The project's own files agree with each other.
#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The integer that follows `key` in `text` (skipping spaces, ':', '"', 'VERSION' and '('), or -1.
// (No <regex>: GCC 12 warns inside it under the sanitizers.)
int number_after(const std::string& text, const std::string& key, std::size_t* end = nullptr) {
  std::size_t p = text.find(key);
  if (p == std::string::npos) return -1;
  p += key.size();
  while (p < text.size() && !std::isdigit(static_cast<unsigned char>(text[p])) && text[p] != '.' && text[p] != ',' &&
         text[p] != '}' && text[p] != '\n')
    ++p;
  if (p >= text.size() || !std::isdigit(static_cast<unsigned char>(text[p]))) return -1;
  std::size_t q = p;
  while (q < text.size() && std::isdigit(static_cast<unsigned char>(text[q]))) ++q;
  if (end) *end = q;
  return std::stoi(text.substr(p, q - p));
}

}  // namespace

TEST_SUITE_BEGIN("unit");

TEST_CASE("CMakePresets.json needs no newer CMake than cmake_minimum_required declares") {
  const std::string root = BPDOJO_TEST_SOURCE_DIR;
  const std::string lists = slurp(root + "/CMakeLists.txt");
  const std::string presets = slurp(root + "/CMakePresets.json");
  REQUIRE_FALSE(lists.empty());
  REQUIRE_FALSE(presets.empty());

  // cmake_minimum_required(VERSION 3.22): 322.
  std::size_t at = 0;
  const int major = number_after(lists, "cmake_minimum_required(VERSION", &at);
  const int minor = number_after(lists.substr(at), ".");
  REQUIRE(major > 0);
  REQUIRE(minor >= 0);
  const int declared = major * 100 + minor;

  // The presets schema ("version", the file's first key) needs at least this CMake (cmake-presets(7)).
  const int schema = number_after(presets, "\"version\"");
  const std::map<int, int> needs = {{1, 319}, {2, 320}, {3, 321}, {4, 323}, {5, 324},
                                    {6, 325}, {7, 327}, {8, 328}, {9, 330}, {10, 331}};
  CAPTURE(schema);
  CAPTURE(declared);
  REQUIRE(needs.count(schema) == 1);
  CHECK(needs.at(schema) <= declared);

  // The file's own cmakeMinimumRequired says the version CMakeLists.txt declares.
  const std::size_t req = presets.find("\"cmakeMinimumRequired\"");
  REQUIRE(req != std::string::npos);
  const std::string block = presets.substr(req, presets.find('}', req) - req);
  CHECK(number_after(block, "\"major\"") * 100 + number_after(block, "\"minor\"") == declared);
}

TEST_SUITE_END();
