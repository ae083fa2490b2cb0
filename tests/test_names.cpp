#include "bpdojo/names.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <numeric>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

namespace {

std::filesystem::path write_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("bpdojo_names_" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string message_of(const std::filesystem::path& file) {
  try {
    load_names(file, 42);
  } catch (const DatasetError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a name gives one example per character and one for the end, with '.' before the start") {
  Split s;
  s.names = {"emma"};
  const Vocabulary v({".", "a", "e", "m"});
  build_examples(v, 3, s);
  // By hand: ... -> e, ..e -> m, .em -> m, emm -> a, mma -> .
  IntMatrix X(5, 3);
  X << 0, 0, 0,  0, 0, 2,  0, 2, 3,  2, 3, 3,  3, 3, 1;
  CHECK(s.X == X);
  CHECK(s.Y == std::vector<int>{2, 3, 3, 1, 0});
}

TEST_CASE("data/names.txt: 27 characters, an 80/10/10 split by names, every character an example") {
  const auto file = std::filesystem::path(BPDOJO_TEST_SOURCE_DIR) / "data" / "names.txt";
  const NamesDataset d = load_names(file, 42);
  CHECK(d.vocab.size() == 27);
  CHECK(d.vocab.itos(0) == ".");
  CHECK(d.vocab.itos(1) == "a");
  CHECK(d.vocab.itos(26) == "z");
  // Counted from the file itself: names and letters.
  std::ifstream in(file);
  std::size_t names = 0, letters = 0;
  for (std::string line; std::getline(in, line);) ++names, letters += line.size();
  CHECK(d.train.names.size() == names * 8 / 10);
  CHECK(d.dev.names.size() == names * 9 / 10 - names * 8 / 10);
  CHECK(d.train.names.size() + d.dev.names.size() + d.test.names.size() == names);
  CHECK(static_cast<std::size_t>(d.train.X.rows() + d.dev.X.rows() + d.test.X.rows()) == letters + names);
  CHECK(d.train.X.cols() == 3);
  // The same seed gives the same split; another seed another one.
  CHECK(load_names(file, 42).dev.names == d.dev.names);
  CHECK(load_names(file, 43).dev.names != d.dev.names);
}

TEST_CASE("a bad names file is a clear error naming the file and the line") {
  CHECK(message_of("/nonexistent/names.txt").find("/nonexistent/names.txt: cannot be read") != std::string::npos);
  CHECK(message_of(write_file("empty", "")).find(": no names in it") != std::string::npos);
  const struct {
    const char* what;
    const char* content;
    const char* expect;
  } cases[] = {
      {"dot", "emma\nj.r\n", ":2: the name holds a '.'"},
      {"space", "emma\nanne marie\n", ":2: the name holds white space"},
      {"tab", "emma\tx\n", ":1: the name holds white space"},
      {"crlf", "emma\r\nava\r\n", ":1: the name holds a carriage return"},
      {"control", "em\x01ma\n", ":1: the name holds a control character"},
      {"empty line", "emma\n\nava\n", ":2: an empty line"},
      {"bad utf8", "zo\xC3\n", ":1: the name holds invalid UTF-8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto file = write_file(c.what, c.content);
    const std::string m = message_of(file);
    CHECK(m.find(file.string()) == 0);
    CHECK(m.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("names in UTF-8 are read character by character") {
  const NamesDataset d = load_names(write_file("utf8", "zoë\nchloé\nemma\nanna\nbob\n"), 1);
  CHECK(d.vocab.stoi("ë") > 0);
  CHECK(d.vocab.stoi("é") > 0);
  CHECK(d.vocab.size() == 1 + 12);  // . then a b c e h l m n o z ë é
}

TEST_SUITE_END();
