#include "bpdojo/runner.hpp"

#include "bpdojo/protocol.hpp"

#include <cerrno>
#include <new>
#include <unistd.h>

namespace bpdojo {

namespace detail {
GradSink*& grad_sink() {
  static GradSink* sink = nullptr;
  return sink;
}
}  // namespace detail

namespace runner {
namespace {

void write_all(int fd, const std::string& bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the checker went away: nothing more to say
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

class Sink : public detail::GradSink {
 public:
  explicit Sink(int fd) : fd_(fd) {}
  void publish(const char* name, const Matrix& value) override {
    write_all(fd_, protocol::encode_tensor(name, shape_of(value), value.data()));
  }

 private:
  int fd_;
};

}  // namespace

Session::Session(std::uint64_t seed, Sizes sizes, int fd, std::map<std::string, double> options)
    : seed_(seed), sizes_(std::move(sizes)), options_(std::move(options)), fd_(fd), sink_(std::make_unique<Sink>(fd)) {
  send(protocol::header_line());
  detail::grad_sink() = sink_.get();
}

Session::~Session() { detail::grad_sink() = nullptr; }

void Session::send(const std::string& line) { write_all(fd_, line); }

double Session::option(const std::string& name, double fallback) const {
  const auto it = options_.find(name);
  return it == options_.end() ? fallback : it->second;
}

void Session::report(const std::string& name, const Matrix& value) {
  send(protocol::encode_tensor(name, shape_of(value), value.data()));
}

void Session::report_series(const std::string& name, const std::vector<double>& values) {
  protocol::Message m;
  m.kind = protocol::Kind::Series;
  m.name = name;
  m.series = values;
  send(protocol::encode(m));
}

void Session::report_stopped(const std::string& name, bool not_implemented, const std::string& text) {
  protocol::Message m;
  m.kind = not_implemented ? protocol::Kind::NotImplemented : protocol::Kind::Error;
  m.name = name;
  m.text = text;
  send(protocol::encode(m));
}

void Session::report_trace(const void* thrown) {
  const std::string line = trace_of_exception(thrown);
  if (!line.empty()) send(line);
}

bool guarded(Session& s, const std::vector<std::string>& names, const std::function<void()>& fn) {
  std::string text;
  bool todo = false;
  try {
    fn();
    return true;
  } catch (const NotImplemented& e) {
    todo = true, text = e.what();
  } catch (const std::bad_alloc& e) {
    text = "out of memory (std::bad_alloc)";
    s.report_trace(dynamic_cast<const void*>(&e));
  } catch (const std::exception& e) {
    text = e.what();
    s.report_trace(dynamic_cast<const void*>(&e));
  } catch (...) {
    text = "an exception that is not a std::exception";
    s.report_trace(nullptr);
  }
  for (const auto& n : names) s.report_stopped(n, todo, text);
  return false;
}

void Session::call(std::initializer_list<const Grad*> grads, const std::function<void()>& fn) {
  protocol::Message m;
  m.kind = protocol::Kind::NotImplemented;
  try {
    fn();
    m.text = protocol::kNotSetText;
  } catch (const NotImplemented& e) {
    m.text = e.what();
  } catch (const std::bad_alloc& e) {
    m.kind = protocol::Kind::Error;
    m.text = "out of memory (std::bad_alloc)";
    report_trace(dynamic_cast<const void*>(&e));
  } catch (const std::exception& e) {
    m.kind = protocol::Kind::Error;
    m.text = e.what();
    report_trace(dynamic_cast<const void*>(&e));
  } catch (...) {
    m.kind = protocol::Kind::Error;
    m.text = "an exception that is not a std::exception";
    report_trace(nullptr);
  }
  for (const Grad* g : grads) {
    if (g->is_set()) continue;  // already sent when it was assigned
    m.name = g->name();
    send(protocol::encode(m));
  }
}

void Session::end() {
  stop_trace();  // nothing may follow `end`, a crash on the way out included
  send(protocol::encode(protocol::Message{}));
}

}  // namespace runner
}  // namespace bpdojo
