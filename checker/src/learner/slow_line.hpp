// Backprop Dojo checker: what a slow check is doing, on a terminal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace bpdojo {

// Once a check has taken more than a second, one line on stderr saying what it is doing
// ("judging exercise_06: dW1, 20 of 26 steps back ... 3 s"), redrawn by a thread of its own and
// erased when the check ends, so the report that follows is what it would be without it. Only on
// a terminal (`tty`); elsewhere it shows nothing. `set` is safe from any thread.
class SlowLine {
 public:
  explicit SlowLine(bool tty, std::chrono::milliseconds after = std::chrono::seconds(1));
  ~SlowLine();
  SlowLine(const SlowLine&) = delete;
  SlowLine& operator=(const SlowLine&) = delete;
  void set(const std::string& what);

 private:
  void tick();
  void draw();  // with mutex_ held

  const bool tty_;
  const std::chrono::milliseconds after_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, shown_ = false;
  std::string what_;
  std::thread ticker_;  // last: it starts once everything above is ready
};

}  // namespace bpdojo
