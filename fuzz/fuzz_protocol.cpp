// Backprop Dojo: libFuzzer target for the runner protocol parser (docs/protocol.md).
//
// The checker parses whatever a runner wrote, and a runner is learner code: protocol::parse must
// never throw, crash or read out of bounds, whatever the bytes. An exception escaping parse() ends
// in std::terminate, which libFuzzer reports as a crash; ASan and UBSan catch the rest. On top of
// that, the checks below trap (__builtin_trap) when a result breaks a promise the checker relies
// on. Each one was confirmed against workbook/src/protocol.cpp; see fuzz/README.md.
//
//   bash fuzz/run.sh [SECONDS]
#include "bpdojo/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace bpdojo;
using namespace bpdojo::protocol;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// The elements a shape holds, multiplied in the order the parser checks them: a zero dimension
// makes the rest irrelevant, so dimensions after it may be large without the product overflowing.
// An overflow here would mean the parser let through a shape that numel() cannot count.
std::int64_t checked_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    require(d >= 0);
    require(!__builtin_mul_overflow(n, d, &n));
  }
  return n;
}

void check_message(const Message& m, const Limits& limits) {
  // `end` carries no name (Message::name stays empty); every other kind needs a valid one.
  if (m.kind != Kind::End) require(valid_name(m.name));
  if (m.kind == Kind::Tensor) {
    require(m.tensor.shape.size() <= static_cast<std::size_t>(limits.max_rank));
    const std::int64_t n = checked_numel(m.tensor.shape);
    require(static_cast<std::uint64_t>(n) <= limits.max_elements);
    // The checker indexes data() up to numel(shape): the storage must hold exactly that many.
    require(m.tensor.value.size() == n);
    require(m.tensor.value.rows() == storage_rows(m.tensor.shape));
    require(m.tensor.value.cols() == storage_cols(m.tensor.shape));
  }
  if (m.kind == Kind::Series) require(m.series.size() <= limits.max_elements);
  if (m.kind == Kind::Trace) require(m.frames.size() <= limits.max_frames);
}

// Parses `bytes`, checks the result, and returns it re-encoded as a stream of its own.
std::string check_parse(std::string_view bytes, const Limits& limits) {
  const ParseResult r = parse(bytes, limits);

  require(r.messages.size() <= limits.max_messages);
  // Nothing before a good header counts, and a non-empty stream without one must say why.
  if (!r.header_ok) require(r.messages.empty());
  if (!r.header_ok && !bytes.empty()) require(!r.error.empty());
  // `ended` is true exactly when the last message kept is `end`, and nothing after it is kept.
  // (Not "ended implies no error": a line after `end`, a cut last line or the max_bytes cut still
  // set `error` while `ended` stays true, by design; tests/test_protocol.cpp checks the first.)
  require(r.ended == (!r.messages.empty() && r.messages.back().kind == Kind::End));
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    check_message(r.messages[i], limits);
    if (i + 1 < r.messages.size()) require(r.messages[i].kind != Kind::End);
  }

  std::string encoded = header_line();
  for (const Message& m : r.messages) encoded += encode(m);

  // Round trip: whatever the parser kept, encode() writes back as a stream the parser accepts in
  // full, message for message. The byte limit is lifted for this pass only: encoding may lengthen
  // a stream ("1e22" becomes "1e+22", a raw byte in a text becomes %XX).
  Limits unbounded = limits;
  unbounded.max_bytes = Limits{}.max_bytes;
  const ParseResult again = parse(encoded, unbounded);
  require(again.error.empty());
  require(again.header_ok);
  require(again.ended == r.ended);
  require(again.messages.size() == r.messages.size());
  std::string reencoded = header_line();
  for (std::size_t i = 0; i < again.messages.size(); ++i) {
    require(again.messages[i].kind == r.messages[i].kind);
    require(again.messages[i].name == r.messages[i].name);
    reencoded += encode(again.messages[i]);
  }
  // encode() is a fixed point after one pass: numbers are the shortest decimal that reads back to
  // the same double (NaN payloads and signs collapse to "nan" on the first pass) and
  // percent_decode undoes percent_encode, so the second encoding matches the first byte for byte.
  require(reencoded == encoded);
  return encoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Point straight at libFuzzer's buffer (no copy) so ASan flags any read past its end.
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // The defaults are what the checker uses.
  check_parse(bytes, Limits{});

  // Tiny limits make every limit reachable with inputs of a few hundred bytes.
  Limits tiny;
  tiny.max_bytes = 4096;
  tiny.max_elements = 16;
  tiny.max_rank = 3;
  tiny.max_messages = 8;
  tiny.max_frames = 4;
  check_parse(bytes, tiny);

  // Texts cross the protocol percent-encoded: any bytes must come back whole, and the encoding
  // must never hold a space, a newline or anything else outside 0x21-0x7E that would split a line.
  const std::string enc = percent_encode(bytes);
  for (unsigned char c : enc) require(c >= 0x21 && c <= 0x7E);
  require(percent_decode(enc) == bytes);
  return 0;
}
