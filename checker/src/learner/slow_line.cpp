#include "learner/slow_line.hpp"

#include <cstdio>

namespace bpdojo {

SlowLine::SlowLine(bool tty, std::chrono::milliseconds after) : tty_(tty), after_(after) {
  if (tty_) ticker_ = std::thread([this] { tick(); });
}

SlowLine::~SlowLine() {
  if (!tty_) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  ticker_.join();
  if (shown_) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

void SlowLine::set(const std::string& what) {
  if (!tty_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  what_ = what;
}

void SlowLine::tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    if (!stop_ && std::chrono::steady_clock::now() - start_ >= after_) draw();
  }
}

void SlowLine::draw() {
  if (what_.empty()) return;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
  std::fprintf(stderr, "\r\033[K%s ... %lld s", what_.c_str(), static_cast<long long>(seconds.count()));
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace bpdojo
