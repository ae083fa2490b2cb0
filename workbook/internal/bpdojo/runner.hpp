// Backprop Dojo: the runner side of the protocol. A runner is one exercise file (the learner's,
// a reference solution, or a pristine stub) linked with the workbook and a shared main. It builds
// the instance from its arguments, calls the learner's functions through a Session and exits.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/learner.hpp"
#include "bpdojo/sanitizers.hpp"

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

// Runners send `trace` messages (workbook/src/trace.cpp) with glibc, and not under AddressSanitizer,
// which owns the fatal signals and the throw.
#if defined(__GLIBC__) && !defined(BPDOJO_ASAN)
#define BPDOJO_RUNNER_TRACES 1
#else
#define BPDOJO_RUNNER_TRACES 0
#endif

namespace bpdojo::runner {

class Session {
 public:
  Session(std::uint64_t seed, Sizes sizes, int fd, std::map<std::string, double> options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::uint64_t seed() const { return seed_; }
  const Sizes& sizes() const { return sizes_; }
  std::int64_t size(const char* letter) const { return sizes_.at(letter); }
  // A run option (`--option lr=0.05`), or `fallback` when not given.
  double option(const std::string& name, double fallback) const;

  // Reports a tensor, or that computing `name` stopped (not implemented, or an error with `text`).
  void report(const std::string& name, const Matrix& value);
  void report_stopped(const std::string& name, bool not_implemented, const std::string& text);
  // Sends where the exception `thrown` (its most-derived object; null: the latest) was thrown, if
  // known: call it in the handler, before the report_stopped of that exception.
  void report_trace(const void* thrown);
  // Reports a sequence of numbers (a loss per step).
  void report_series(const std::string& name, const std::vector<double>& values);

  // Calls `fn` (the learner's code). Every gradient it assigns is sent as it is assigned. When it
  // throws, each of `grads` still unset is reported as not implemented (TODO) or as an error with
  // the exception's text; when it returns, each still unset is reported as not set.
  void call(std::initializer_list<const Grad*> grads, const std::function<void()>& fn);

  void end();  // the final `end` message

 private:
  void send(const std::string& line);
  std::uint64_t seed_;
  Sizes sizes_;
  std::map<std::string, double> options_;
  int fd_;
  std::unique_ptr<detail::GradSink> sink_;  // sends each gradient as it is assigned
};

// Runs `fn` (learner code) whose results are reported after it returns (exercise 08's parameters,
// 11's lists of gradients): on an exception, reports every name in `names` as stopped (not
// implemented for a TODO, else an error with the exception's text and where it was thrown) and
// returns false.
bool guarded(Session& session, const std::vector<std::string>& names, const std::function<void()>& fn);

// Where the learner's code failed (workbook/src/trace.cpp). install_trace: from now on a fatal
// signal first sends `trace signal ...` on `fd` (until stop_trace). trace_of_exception: the
// `trace error ...` line of the exception `thrown` (its most-derived object; null: the latest
// throw), taken at its throw; empty when unknown.
void install_trace(int fd);
void stop_trace();
std::string trace_of_exception(const void* thrown);

// Defined once per exercise in workbook/runners/exercise_NN.cpp.
int exercise_number();
void run(Session& session);

}  // namespace bpdojo::runner
