#include "learner/watch.hpp"

#include "common/files.hpp"
#include "judge/check.hpp"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/inotify.h>
#endif

namespace bpdojo {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Raw keys from a terminal for the life of the object; the settings come back however we leave.
class TerminalKeys {
 public:
  TerminalKeys() {
    if (!::isatty(0) || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~TerminalKeys() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }
  TerminalKeys(const TerminalKeys&) = delete;
  TerminalKeys& operator=(const TerminalKeys&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The exercise file as last seen: its metadata and a hash of its bytes (an edit that keeps the
// size and the time, or sets the time into the past, is a change too).
FileState seen_state(const fs::path& file) { return file_state(file, Content::Hashed); }

// One line saying what a check is doing ("building exercise_06 ... 12 s"), redrawn every second
// on a terminal by a thread of its own; elsewhere printed once per step.
class ProgressLine {
 public:
  explicit ProgressLine(bool tty) : tty_(tty), ticker_([this] { tick(); }) {}
  ~ProgressLine() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    ticker_.join();
    if (tty_ && !what_.empty()) std::fputs("\n", stdout);
    std::fflush(stdout);
  }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void set(const std::string& what) {
    const std::lock_guard<std::mutex> lock(mutex_);
    // A new step ("building", "running", "judging") on a line of its own; the judge's progress
    // within its step redraws that line on a terminal and is not printed elsewhere.
    const bool same_step = !what_.empty() && what.substr(0, what.find(' ')) == what_.substr(0, what_.find(' '));
    if (!tty_ && !same_step) std::printf("%s ...\n", what.c_str());
    else if (tty_ && !what_.empty() && !same_step) std::fputs("\n", stdout);
    what_ = what;
    if (!same_step) since_ = std::chrono::steady_clock::now();
    draw();
  }

 private:
  void tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      if (!stop_) draw();
    }
  }
  void draw() {  // with mutex_ held
    if (what_.empty()) return;
    if (tty_) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - since_);
      std::printf("\r\033[K%s ... %lld s", what_.c_str(), static_cast<long long>(seconds.count()));
    }
    std::fflush(stdout);
  }

  const bool tty_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::string what_;
  std::chrono::steady_clock::time_point since_ = std::chrono::steady_clock::now();
  std::thread ticker_;  // last: it starts once everything above is ready
};

// One check with its progress shown. Any error is returned as the screen's text, never thrown.
struct Shown {
  std::optional<CheckResult> result;  // none when the check itself failed
  std::string report;
  const ExerciseInfo* next = nullptr;  // the exercise to offer when this one is complete
  bool complete = false;
};


Shown check_and_show(const Workspace& ws, const ExerciseInfo& info, bool tty) {
  Shown shown;
  try {
    CheckOptions options = default_options(info);
    ProgressLine line(tty);
    options.progress = [&line](const std::string& what) { line.set(what); };
    shown.result = check_exercise(ws, info, options);
    const CheckResult& r = *shown.result;
    shown.complete = r.complete();
    shown.next = shown.complete ? next_exercise(info) : nullptr;
  } catch (const std::exception& e) {  // a setup error, a file that vanished: say so and watch on
    shown.report = info.id() + ": checker: " + e.what() + "\n";
  }
  return shown;
}

}  // namespace

const ExerciseInfo& first_incomplete(const Workspace& ws, Flavour flavour, bool rebuild) {
  for (const auto& e : all_exercises()) {
    CheckOptions options = default_options(e);
    options.flavour = flavour;
    options.rebuild = rebuild;
    if (e.runs()) options.sizes["S"] = 0;
    try {
      if (!check_exercise(ws, e, options).complete()) return e;
    } catch (const std::exception&) {
      return e;  // shown by the first check of the loop
    }
  }
  return all_exercises().back();
}

int watch_loop(const Workspace& ws, const ExerciseInfo* info, const Style& style) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  TerminalKeys keys;
  const bool tty = ::isatty(1) != 0;

  if (!info) info = &first_incomplete(ws);
  bool stdin_open = true;
  while (!g_stop) {
    const fs::path file = ws.root / "exercises" / info->source;
    const FileState seen = seen_state(file);
    const Shown shown = check_and_show(ws, *info, tty);
    // Saved while it was building or judging: that verdict is for bytes no longer in the file.
    if (seen_state(file) != seen) continue;
    const ExerciseInfo* next = shown.next;
    std::string screen = tty ? "\033[H\033[2J" : "";
    const std::string footer = next ? "\n" + info->id() + " is complete. n: go on to " + next->id() + ", q: quit\n"
                                    : "\nwatching exercises/" + info->source + ": save it to check again; q quits\n";
    // On a terminal the screen fits it, what matters on top; elsewhere everything, in full.
    winsize size{};
    const int rows = tty && ::ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 ? size.ws_row : 0;
    screen += shown.result ? watch_screen(*shown.result, style, rows, footer) : shown.report + footer;
    std::fputs(screen.c_str(), stdout);
    std::fflush(stdout);

    int inotify = -1;
#if defined(__linux__)
    inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify >= 0 && ::inotify_add_watch(inotify, file.parent_path().c_str(),
                                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_ATTRIB) < 0) {
      ::close(inotify);
      inotify = -1;
    }
#endif
    bool changed = false, go_next = false;
    while (!g_stop && !changed && !go_next) {
      pollfd fds[2] = {{inotify, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
      const int n = ::poll(fds, 2, 300);
      if (n < 0 && errno != EINTR) break;
      if (n > 0 && (fds[0].revents & POLLIN)) {
        char buf[4096];
        while (::read(inotify, buf, sizeof buf) > 0) {
        }
      }
      if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
        char c = 0;
        const ssize_t got = ::read(0, &c, 1);
        if (got <= 0) stdin_open = false;  // no more keys (not a terminal): watch until a signal
        else if (c == 'q' || c == 'Q' || c == 4) g_stop = 1;
        else if ((c == 'n' || c == 'N') && next) go_next = true;
      }
      if (seen_state(file) != seen) {
        ::usleep(150 * 1000);  // let the editor finish writing
        changed = true;
      }
    }
    if (inotify >= 0) ::close(inotify);
    if (go_next) info = next;
  }
  std::fputs("\n", stdout);
  return 0;
}

}  // namespace bpdojo
