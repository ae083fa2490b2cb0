// The shared main of every runner: `exercise_03 [--seed S] [--size N=8 ...] [--option lr=0.1 ...] [--fd K]`.
// Without --fd the protocol goes to stdout, for looking at by hand.
#include "bpdojo/runner.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <string>

namespace {

[[noreturn]] void usage(const char* argv0, const std::string& why) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--seed S] [--size LETTER=VALUE ...] [--option NAME=VALUE ...] [--fd K]\n", argv0, why.c_str(), argv0);
  std::exit(2);
}

std::int64_t to_int(const char* argv0, const std::string& s) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    usage(argv0, "not a whole number: '" + s + "'");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::uint64_t seed = bpdojo::kDefaultSeed;
  bpdojo::Sizes sizes;
  std::map<std::string, double> options;
  int fd = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage(argv[0], "missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--seed") {
      seed = static_cast<std::uint64_t>(to_int(argv[0], value));
    } else if (arg == "--fd") {
      fd = static_cast<int>(to_int(argv[0], value));
    } else if (arg == "--size") {
      const auto eq = value.find('=');
      if (eq == std::string::npos) usage(argv[0], "--size takes LETTER=VALUE");
      sizes[value.substr(0, eq)] = to_int(argv[0], value.substr(eq + 1));
    } else if (arg == "--option") {
      const auto eq = value.find('=');
      if (eq == std::string::npos) usage(argv[0], "--option takes NAME=VALUE");
      char* end = nullptr;
      const double v = std::strtod(value.c_str() + eq + 1, &end);
      if (end == value.c_str() + eq + 1 || *end != '\0') usage(argv[0], "not a number: '" + value.substr(eq + 1) + "'");
      options[value.substr(0, eq)] = v;
    } else {
      usage(argv[0], "unknown option " + arg);
    }
  }
  const bpdojo::ExerciseInfo* info = bpdojo::find_exercise(bpdojo::runner::exercise_number());
  try {
    sizes = bpdojo::complete_sizes(*info, sizes);
  } catch (const std::exception& e) {
    usage(argv[0], e.what());
  }
  bpdojo::runner::install_trace(fd);
  bpdojo::runner::Session session(seed, sizes, fd, options);
  bpdojo::runner::run(session);
  session.end();
  return 0;
}
