// Backprop Dojo: the runner protocol, how a runner tells the checker what the learner's code
// produced. Documented in docs/protocol.md. Text, one message a line, on a channel of its own
// (a file descriptor the checker passes with --fd; never stdout, which belongs to the learner).
//
//   bpdojo-protocol 1                          first line, always
//   tensor <name> <rank> <dims...> <values...> a gradient (or any tensor); values row-major
//   scalar <name> <value>
//   series <name> <count> <values...>          e.g. a loss curve
//   string <name> <text>                       e.g. a sampled name
//   notimpl <name> <text>                      <name> was not implemented (TODO's message)
//   error <name> <text>                        computing <name> threw; the exception's text
//   trace <what> <count> <hex offsets...>      where the learner's code failed (what: error, signal)
//   end                                        the runner finished normally
//
// Names are 1-64 characters of [A-Za-z0-9_.]. Numbers are the shortest decimal that reads back
// to the same double, or nan, inf, -inf. Texts are percent-encoded (%25 for %, %0A for a
// newline, every byte outside 0x21-0x7E). The parser treats all of it as untrusted input.
#pragma once

#include "bpdojo/tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo::protocol {

// The text of the not-implemented message a runner sends for a gradient its function returned
// without setting (as opposed to the text of the TODO it stopped at).
inline constexpr std::string_view kNotSetText = "not set";

inline constexpr std::string_view kMagic = "bpdojo-protocol";
inline constexpr int kVersion = 1;

enum class Kind { Tensor, Scalar, Series, String, NotImplemented, Error, Trace, End };
const char* to_string(Kind kind);

struct Message {
  Kind kind = Kind::End;
  std::string name;
  Tensor tensor;               // Kind::Tensor
  double scalar = 0.0;         // Kind::Scalar
  std::vector<double> series;  // Kind::Series
  std::string text;            // Kind::String, NotImplemented, Error
  // Kind::Trace: return addresses as offsets into the runner's executable, innermost first. `name`
  // says what failed: "error" (the exception of the error messages that follow) or "signal".
  std::vector<std::uint64_t> frames;
};

// One message as a line, with its newline. The header line is header_line().
std::string header_line();
std::string encode(const Message& message);
std::string encode_tensor(std::string_view name, const Shape& shape, const double* values);

std::string percent_encode(std::string_view text);
std::string percent_decode(std::string_view text);  // malformed escapes are kept as they are
bool valid_name(std::string_view name);

struct Limits {
  std::size_t max_bytes = std::size_t{1} << 30;     // whole stream
  std::size_t max_elements = std::size_t{1} << 26;  // one tensor or series
  int max_rank = 8;
  std::size_t max_messages = 1'000'000;
  std::size_t max_frames = 64;  // one trace
};

struct ParseResult {
  std::vector<Message> messages;  // every well-formed message before the first error
  bool header_ok = false;
  bool ended = false;        // an `end` message was read
  std::string error;         // the first problem, "line 3: ..."; empty when none
  // The names of well-formed messages after `end` (which make the stream malformed: whatever they
  // name is not to be judged).
  std::vector<std::string> after_end;
};

// Parses a whole stream. Never throws on bad input: it stops at the first malformed line and says
// why. A last line without its newline (a runner killed mid-write) is dropped as incomplete.
ParseResult parse(std::string_view bytes, const Limits& limits = {});

}  // namespace bpdojo::protocol
