#include "bpdojo/protocol.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace bpdojo;
using namespace bpdojo::protocol;

TEST_SUITE_BEGIN("unit");

namespace {

Message tensor_message(const std::string& name, Shape shape, std::vector<double> values) {
  Message m;
  m.kind = Kind::Tensor;
  m.name = name;
  Matrix v(storage_rows(shape), storage_cols(shape));
  for (std::size_t i = 0; i < values.size(); ++i) v.data()[i] = values[i];
  m.tensor = Tensor(std::move(shape), std::move(v));
  return m;
}

}  // namespace

TEST_CASE("every message kind round-trips exactly") {
  const double tiny = std::numeric_limits<double>::denorm_min();
  std::vector<Message> in;
  in.push_back(tensor_message("dW1", {2, 3}, {0.1, -2.5e-300, tiny, 1.0 / 3.0, -0.0, 6.02214076e23}));
  in.push_back(tensor_message("demb", {2, 3, 1}, {1, 2, 3, 4, 5, 6}));
  in.push_back(tensor_message("a.dw", {}, {-24}));
  in.push_back(tensor_message("empty", {0, 4}, {}));
  Message s;
  s.kind = Kind::Scalar;
  s.name = "loss";
  s.scalar = 2.1134;
  in.push_back(s);
  Message series;
  series.kind = Kind::Series;
  series.name = "train_loss";
  series.series = {3.3, 2.9, 2.5};
  in.push_back(series);
  Message str;
  str.kind = Kind::String;
  str.name = "sample.0";
  str.text = "emma\n100% \"odd\" \t text";
  in.push_back(str);
  Message ni;
  ni.kind = Kind::NotImplemented;
  ni.name = "db";
  ni.text = "db: sum over the batch";
  in.push_back(ni);
  Message err;
  err.kind = Kind::Error;
  err.name = "dx";
  err.text = "";
  in.push_back(err);
  in.push_back(Message{});  // end

  std::string bytes = header_line();
  for (const auto& m : in) bytes += encode(m);
  const ParseResult out = parse(bytes);
  CHECK(out.error == "");
  CHECK(out.header_ok);
  CHECK(out.ended);
  REQUIRE(out.messages.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    CAPTURE(i);
    const Message& a = in[i];
    const Message& b = out.messages[i];
    CHECK(a.kind == b.kind);
    CHECK(a.name == b.name);
    CHECK(a.text == b.text);
    CHECK(a.series == b.series);
    CHECK(a.scalar == b.scalar);
    CHECK(a.tensor.shape == b.tensor.shape);
    REQUIRE(a.tensor.size() == b.tensor.size());
    for (std::int64_t k = 0; k < a.tensor.size(); ++k) {
      CAPTURE(k);
      CHECK(std::signbit(a.tensor.data()[k]) == std::signbit(b.tensor.data()[k]));
      CHECK(a.tensor.data()[k] == b.tensor.data()[k]);
    }
  }
}

TEST_CASE("NaN and infinities cross the protocol") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const ParseResult out = parse(header_line() + encode(tensor_message("d", {1, 3}, {nan, inf, -inf})));
  REQUIRE(out.messages.size() == 1);
  CHECK(std::isnan(out.messages[0].tensor.data()[0]));
  CHECK(out.messages[0].tensor.data()[1] == inf);
  CHECK(out.messages[0].tensor.data()[2] == -inf);
  CHECK_FALSE(out.ended);
}

TEST_CASE("malformed input is refused with the line, and what came before is kept") {
  const std::string h = header_line();
  const std::string good = "tensor dx 1 2 1 2\n";
  struct Case {
    const char* what;
    std::string bytes;
    std::size_t kept;
    const char* error_has;
  };
  const Case cases[] = {
      {"no header", good, 0, "line 1"},
      {"wrong version", "bpdojo-protocol 2\n" + good, 0, "line 1"},
      {"unknown kind", h + good + "launch missiles\n", 1, "line 3: unknown message kind"},
      {"too few values", h + "tensor dx 1 3 1 2\n", 0, "fewer values than the shape says"},
      {"too few values, padded", h + "tensor dx 1 3 1 2    \n", 0, "missing value"},
      // 64 Mi elements declared in a short line: refused before anything is allocated.
      {"a short line declaring a big tensor", h + "tensor a 1 67108864\n", 0, "fewer values"},
      {"a short line declaring a long series", h + "series a 67108864 1\n", 0, "fewer values than the count says"},
      {"too many values", h + "tensor dx 1 2 1 2 3\n", 0, "unexpected text"},
      {"not a number", h + "tensor dx 1 2 1 zwei\n", 0, "not a number"},
      {"hex floats are not ours", h + "tensor dx 1 1 0x1p3\n", 0, "not a number"},
      // What strtod would read and from_chars would not (libc++ has no floating from_chars: the
      // token is checked before either converts it, so both builds refuse the same tokens).
      {"a plus sign", h + "tensor dx 1 1 +1\n", 0, "not a number"},
      {"infinity spelled out", h + "tensor dx 1 1 infinity\n", 0, "not a number"},
      {"a NaN payload", h + "tensor dx 1 1 nan(1)\n", 0, "not a number"},
      {"a bare point", h + "tensor dx 1 1 .\n", 0, "not a number"},
      {"an exponent without digits", h + "tensor dx 1 1 1e+\n", 0, "not a number"},
      {"a double exponent", h + "tensor dx 1 1 1e5e5\n", 0, "not a number"},
      {"past the largest double", h + "tensor dx 1 1 1e400\n", 0, "not a number"},
      {"negative dimension", h + "tensor dx 1 -2 1 2\n", 0, "not a count"},
      {"rank over the limit", h + "tensor dx 9 1 1 1 1 1 1 1 1 1 1\n", 0, "over the limit"},
      {"huge tensor", h + "tensor dx 2 100000 100000\n", 0, "too large"},
      {"overflowing dims", h + "tensor dx 3 4294967296 4294967296 4294967296\n", 0, "over the limit"},
      {"bad name", h + "tensor d/x 1 1 1\n", 0, "bad name"},
      {"empty name", h + "notimpl\n", 0, "missing name"},
      {"message after end", h + "end\n" + good, 1, "after end"},
      {"cut mid-line", h + good + "tensor dx 1 2 1", 1, "incomplete"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const ParseResult r = parse(c.bytes);
    CHECK(r.messages.size() == c.kept);
    CHECK(r.error.find(c.error_has) != std::string::npos);
  }
}

TEST_CASE("numbers in every form to_chars writes are read back exactly") {
  const std::string h = header_line();
  const struct {
    const char* token;
    double value;
  } cases[] = {{"0", 0.0}, {"-0", -0.0}, {"1.", 1.0}, {".5", 0.5}, {"-2.5e-3", -2.5e-3}, {"1E+2", 100.0},
               {"1e-320", 1e-320}, {"1.7976931348623157e308", 1.7976931348623157e308},
               {"0.1000000000000000055511151231257827", 0.1}};
  for (const auto& c : cases) {
    CAPTURE(c.token);
    const ParseResult r = parse(h + "tensor dx 1 1 " + c.token + "\n");
    REQUIRE(r.error.empty());
    REQUIRE(r.messages.size() == 1);
    const double got = r.messages[0].tensor.data()[0];
    CHECK(got == c.value);
    CHECK(std::signbit(got) == std::signbit(c.value));
  }
}

TEST_CASE("limits hold on the whole stream") {
  Limits limits;
  limits.max_bytes = 64;
  std::string bytes = header_line();
  for (int i = 0; i < 10; ++i) bytes += "scalar s 1\n";
  const ParseResult r = parse(bytes, limits);
  CHECK(r.messages.size() < 10);
  CHECK(r.error.find("longer than 64 bytes") != std::string::npos);
}

TEST_CASE("percent encoding keeps every byte and leaves no space or newline") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string enc = percent_encode(all);
  CHECK(enc.find(' ') == std::string::npos);
  CHECK(enc.find('\n') == std::string::npos);
  CHECK(percent_decode(enc) == all);
  CHECK(percent_decode("100%") == "100%");  // a stray % is kept
}

TEST_SUITE_END();
