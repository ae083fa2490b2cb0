#include "bpdojo/protocol.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace bpdojo::protocol {
namespace {

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "nan";
  } else if (std::isinf(v)) {
    out += v > 0 ? "inf" : "-inf";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

// A cursor over one line's space-separated tokens.
class Tokens {
 public:
  explicit Tokens(std::string_view line) : rest_(line) {}
  bool next(std::string_view& token) {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    if (rest_.empty()) return false;
    std::size_t end = rest_.find(' ');
    token = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end);
    return true;
  }
  // Whatever follows the next single space, as one text.
  std::string_view text() {
    if (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    std::string_view t = rest_;
    rest_ = {};
    return t;
  }
  // At most how many space-separated values the rest of the line can hold.
  std::size_t room() const { return (rest_.size() + 1) / 2; }
  bool done() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    return rest_.empty();
  }

 private:
  std::string_view rest_;
};

struct LineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double parse_number(std::string_view t) {
  if (t == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (t == "inf") return std::numeric_limits<double>::infinity();
  if (t == "-inf") return -std::numeric_limits<double>::infinity();
  const auto bad = [&] { return LineError("not a number: '" + std::string(t.substr(0, 40)) + "'"); };
  // The language to_chars writes and from_chars reads: -? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?,
  // checked here so that both conversions below accept exactly the same tokens.
  std::size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - from;
  };
  std::size_t mantissa = digits();
  if (i < t.size() && t[i] == '.') ++i, mantissa += digits();
  if (mantissa == 0) throw bad();
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) throw bad();
  }
  if (i != t.size()) throw bad();
  double v = 0.0;
#if defined(__cpp_lib_to_chars)
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) throw bad();
#else
  // libc++ before LLVM 20 (Apple clang's too) has no floating-point from_chars: strtod, which in
  // the "C" locale (the checker never sets another) reads the same tokens, correctly rounded.
  const std::string copy(t);
  char* end = nullptr;
  errno = 0;
  v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || (errno == ERANGE && std::isinf(v))) throw bad();
#endif
  return v;
}

std::int64_t parse_count(std::string_view t, std::int64_t max) {
  std::int64_t v = -1;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() || v < 0)
    throw LineError("not a count: '" + std::string(t.substr(0, 40)) + "'");
  if (v > max) throw LineError("count " + std::to_string(v) + " is over the limit " + std::to_string(max));
  return v;
}

// One frame of a trace: 1 to 16 hex digits, no prefix.
std::uint64_t parse_offset(std::string_view t) {
  std::uint64_t v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v, 16);
  if (t.empty() || t.size() > 16 || r.ec != std::errc() || r.ptr != t.data() + t.size())
    throw LineError("not an offset: '" + std::string(t.substr(0, 40)) + "'");
  return v;
}

std::string_view need(Tokens& tokens, const char* what) {
  std::string_view t;
  if (!tokens.next(t)) throw LineError(std::string("missing ") + what);
  return t;
}

std::string need_name(Tokens& tokens) {
  std::string_view t = need(tokens, "name");
  if (!valid_name(t)) throw LineError("bad name '" + percent_encode(t.substr(0, 64)) + "'");
  return std::string(t);
}

Message parse_line(std::string_view line, const Limits& limits) {
  Tokens tokens(line);
  std::string_view kind = need(tokens, "message kind");
  Message m;
  const auto max_elements = static_cast<std::int64_t>(limits.max_elements);
  if (kind == "tensor") {
    m.kind = Kind::Tensor;
    m.name = need_name(tokens);
    const std::int64_t rank = parse_count(need(tokens, "rank"), limits.max_rank);
    Shape shape;
    std::int64_t n = 1;
    for (std::int64_t i = 0; i < rank; ++i) {
      const std::int64_t d = parse_count(need(tokens, "dimension"), max_elements);
      shape.push_back(d);
      n = (d == 0) ? 0 : (n > max_elements / d ? max_elements + 1 : n * d);
      if (n > max_elements) throw LineError("tensor too large");
    }
    // Allocate only what the line can hold: a short line must not reserve gigabytes.
    if (static_cast<std::size_t>(n) > tokens.room()) throw LineError("fewer values than the shape says");
    Matrix value(storage_rows(shape), storage_cols(shape));
    for (std::int64_t i = 0; i < n; ++i) value.data()[i] = parse_number(need(tokens, "value"));
    m.tensor = Tensor(std::move(shape), std::move(value));
  } else if (kind == "scalar") {
    m.kind = Kind::Scalar;
    m.name = need_name(tokens);
    m.scalar = parse_number(need(tokens, "value"));
  } else if (kind == "series") {
    m.kind = Kind::Series;
    m.name = need_name(tokens);
    const std::int64_t n = parse_count(need(tokens, "count"), max_elements);
    if (static_cast<std::size_t>(n) > tokens.room()) throw LineError("fewer values than the count says");
    m.series.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) m.series.push_back(parse_number(need(tokens, "value")));
  } else if (kind == "string" || kind == "notimpl" || kind == "error") {
    m.kind = kind == "string" ? Kind::String : kind == "notimpl" ? Kind::NotImplemented : Kind::Error;
    m.name = need_name(tokens);
    m.text = percent_decode(tokens.text());
    return m;
  } else if (kind == "trace") {
    m.kind = Kind::Trace;
    m.name = need_name(tokens);
    const std::int64_t n = parse_count(need(tokens, "count"), static_cast<std::int64_t>(limits.max_frames));
    for (std::int64_t i = 0; i < n; ++i) m.frames.push_back(parse_offset(need(tokens, "offset")));
  } else if (kind == "end") {
    m.kind = Kind::End;
  } else {
    throw LineError("unknown message kind '" + percent_encode(kind.substr(0, 32)) + "'");
  }
  if (!tokens.done()) throw LineError("unexpected text after the message");
  return m;
}

}  // namespace

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::Tensor: return "tensor";
    case Kind::Scalar: return "scalar";
    case Kind::Series: return "series";
    case Kind::String: return "string";
    case Kind::NotImplemented: return "notimpl";
    case Kind::Error: return "error";
    case Kind::Trace: return "trace";
    case Kind::End: return "end";
  }
  return "?";
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return true;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x21 && c <= 0x7E && c != '%') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexval(text[i + 1]) >= 0 && hexval(text[i + 2]) >= 0) {
      out += static_cast<char>(hexval(text[i + 1]) * 16 + hexval(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string header_line() { return std::string(kMagic) + " " + std::to_string(kVersion) + "\n"; }

std::string encode_tensor(std::string_view name, const Shape& shape, const double* values) {
  std::string out = "tensor ";
  out += name;
  out += ' ';
  out += std::to_string(shape.size());
  for (std::int64_t d : shape) {
    out += ' ';
    out += std::to_string(d);
  }
  const std::int64_t n = numel(shape);
  out.reserve(out.size() + static_cast<std::size_t>(n) * 24);
  for (std::int64_t i = 0; i < n; ++i) {
    out += ' ';
    append_number(out, values[i]);
  }
  out += '\n';
  return out;
}

std::string encode(const Message& m) {
  std::string out;
  switch (m.kind) {
    case Kind::Tensor: return encode_tensor(m.name, m.tensor.shape, m.tensor.data());
    case Kind::Scalar:
      out = "scalar " + m.name + " ";
      append_number(out, m.scalar);
      break;
    case Kind::Series:
      out = "series " + m.name + " " + std::to_string(m.series.size());
      for (double v : m.series) {
        out += ' ';
        append_number(out, v);
      }
      break;
    case Kind::String:
    case Kind::NotImplemented:
    case Kind::Error:
      out = std::string(to_string(m.kind)) + " " + m.name + " " + percent_encode(m.text);
      break;
    case Kind::Trace:
      out = "trace " + m.name + " " + std::to_string(m.frames.size());
      for (std::uint64_t f : m.frames) {
        char buf[17];
        auto r = std::to_chars(buf, buf + sizeof buf, f, 16);
        out += ' ';
        out.append(buf, r.ptr);
      }
      break;
    case Kind::End: out = "end"; break;
  }
  out += '\n';
  return out;
}

ParseResult parse(std::string_view bytes, const Limits& limits) {
  ParseResult result;
  if (bytes.size() > limits.max_bytes) {
    bytes = bytes.substr(0, limits.max_bytes);
    result.error = "the stream is longer than " + std::to_string(limits.max_bytes) + " bytes; the rest is ignored";
  }
  std::size_t line_no = 0;
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      if (result.error.empty()) result.error = "line " + std::to_string(line_no + 1) + ": incomplete (no newline), ignored";
      break;
    }
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != header_line().substr(0, header_line().size() - 1)) {
        result.error = "line 1: not a bpdojo-protocol 1 header";
        return result;
      }
      result.header_ok = true;
      continue;
    }
    if (result.ended) {
      if (result.error.empty()) result.error = "line " + std::to_string(line_no) + ": message after end";
      if (result.after_end.size() >= limits.max_messages) return result;
      try {
        Message m = parse_line(line, limits);
        if (!m.name.empty()) result.after_end.push_back(std::move(m.name));
      } catch (const std::exception&) {
        // malformed as well: the error above already says the stream is
      }
      continue;
    }
    if (result.messages.size() >= limits.max_messages) {
      result.error = "more than " + std::to_string(limits.max_messages) + " messages";
      return result;
    }
    try {
      Message m = parse_line(line, limits);
      if (m.kind == Kind::End) result.ended = true;
      result.messages.push_back(std::move(m));
    } catch (const std::exception& e) {
      result.error = "line " + std::to_string(line_no) + ": " + e.what();
      return result;
    }
  }
  return result;
}

}  // namespace bpdojo::protocol
