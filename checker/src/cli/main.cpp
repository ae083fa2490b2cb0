// checker: the command line. It parses and dispatches; the work lives in the checker library.
// Each verb has an add_<verb> (its options, on the CLI::App) and a run_<verb> (what it does).
#include "common/text.hpp"
#include "common/workspace.hpp"
#include "grade/grade.hpp"
#include "grade/summary.hpp"
#include "judge/check.hpp"
#include "learner/dump.hpp"
#include "learner/hints.hpp"
#include "learner/list.hpp"
#include "learner/pack.hpp"
#include "learner/report.hpp"
#include "learner/reset.hpp"
#include "learner/slow_line.hpp"
#include "learner/sweep.hpp"
#include "learner/watch.hpp"
#include "problems/exercise_13_rnn_train.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

using namespace bpdojo;

const std::set<std::string> kVerbs = {"check", "list", "reset", "hint", "watch", "pack", "grade"};

// `checker exercise_03 ...` means `checker check exercise_03 ...`.
std::vector<std::string> with_default_verb(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--build-dir") {  // the one top-level option with a value
      ++i;
      continue;
    }
    if (!args[i].empty() && args[i][0] == '-') continue;
    if (!kVerbs.count(args[i])) args.insert(args.begin(), "check");
    break;
  }
  return args;
}

Sizes parse_sizes(const std::vector<std::string>& given) {
  Sizes sizes;
  for (const std::string& item : given) {
    std::stringstream list(item);
    for (std::string kv; std::getline(list, kv, ',');) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw SetupError("--size takes LETTER=VALUE, e.g. --size N=32 (got '" + kv + "')");
      try {
        std::size_t used = 0;
        const long long v = std::stoll(kv.substr(eq + 1), &used);
        if (used != kv.size() - eq - 1) throw std::invalid_argument(kv);
        sizes[kv.substr(0, eq)] = v;
      } catch (const std::logic_error&) {
        throw SetupError("--size " + kv + ": not a whole number");
      }
    }
  }
  return sizes;
}

// ---------------------------------------------------------------------------------------------
// check

struct CheckArgs {
  CLI::App* cmd = nullptr;
  std::string exercise;
  std::uint64_t seed = kDefaultSeed;
  std::vector<std::string> sizes;
  bool solutions = false, json = false;
  double timeout = 10.0;
  double memory_mib = 2048;
  std::string dump_dir, sweep_gradient;
  std::int64_t steps = -1, hidden = -1;
  double lr = 0.0;
  std::string plot;
  CLI::Option *timeout_opt = nullptr, *steps_opt = nullptr, *hidden_opt = nullptr, *lr_opt = nullptr;
};

void add_check(CLI::App& app, CheckArgs& a) {
  auto* check = a.cmd = app.add_subcommand("check", "Check one exercise (the default: `checker exercise_03`)");
  check->add_option("exercise", a.exercise, "exercise_03, 03, 3, exercise_03_tanh or tanh")->required();
  check->add_option("--seed", a.seed, "The instance's seed (default 0)");
  check->add_option("--size", a.sizes, "A shape size, LETTER=VALUE (N=32); repeat it or use commas")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  check->add_flag("--solutions", a.solutions, "Judge the reference solution instead of your file");
  check->add_flag("--json", a.json, "Print the result as one JSON document (docs/result-schema.md)");
  a.timeout_opt = check->add_option("--timeout", a.timeout, "Wall-clock limit for your code, in seconds (default 10; exercises 08, 11 and 13: 60)")
                      ->check(CLI::PositiveNumber);
  check->add_option("--dump", a.dump_dir, "Write the instance and both gradients as .npy files, with index.json, to DIR");
  check->add_option("--memory", a.memory_mib, "Memory limit for your code, in MiB (default 2048)")->check(CLI::PositiveNumber);
  a.steps_opt = check->add_option("--steps", a.steps, "Exercise 08: training steps; 11: the experiment's; 13: each training run's; 15: the GPT block's training; 16: the two moons' (the same as --size S=...)")->check(CLI::NonNegativeNumber);
  a.hidden_opt = check->add_option("--hidden", a.hidden, "Exercise 08: hidden units (the same as --size H=...)")->check(CLI::PositiveNumber);
  a.lr_opt = check->add_option("--lr", a.lr, "Exercise 08: learning rate (default 0.1; a tenth of it for the second half); 13 and 15: the same (default 1)")->check(CLI::NonNegativeNumber);
  check->add_option("--plot", a.plot, "Exercise 08: where to write the SVG of the loss curves (default <build>/exercise_08_loss.svg); 11: the experiment's two, FILE_gradients.svg and FILE_updates.svg (default <build>/exercise_11_...); 13: the loss curves of both training runs (default <build>/exercise_13_loss.svg) and, as FILE_flow.svg, the gradient's flow back in time (default <build>/exercise_13_flow.svg); 15: the GPT block's loss curve (default <build>/exercise_15_loss.svg); 17: the optimizers' paths over the Rosenbrock function (default <build>/exercise_17_paths.svg)");

  check->add_option("--sweep", a.sweep_gradient,
                    "Instead of judging: the error of one gradient against the finite-difference step, 1e-1 to 1e-12 "
                    "(a terminal chart, and an SVG in the build folder)");
}

CheckOptions check_options(const Workspace& ws, const ExerciseInfo& info, const CheckArgs& a) {
  CheckOptions options = default_options(info);
  options.seed = a.seed;
  options.sizes = parse_sizes(a.sizes);
  options.flavour = a.solutions ? Flavour::Solution : Flavour::Learner;
  if (a.timeout_opt->count()) options.limits.wall_seconds = a.timeout;
  if (info.trains) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count()) options.sizes["H"] = a.hidden;
    if (a.lr_opt->count()) options.runner_options["lr"] = a.lr;
    options.plot = a.plot.empty() ? (ws.build / "exercise_08_loss.svg").string() : a.plot;
  } else if (info.trains_rnn) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count()) throw SetupError("--hidden is an option of exercise_08: exercise_13 trains with H = " + std::to_string(kRnnTrainHidden));
    if (a.lr_opt->count()) options.runner_options["lr"] = a.lr;
    options.plot = a.plot.empty() ? (ws.build / "exercise_13_loss.svg").string() : a.plot;
    if (info.gradient_flow) {
      const std::filesystem::path p(options.plot);
      options.flow_plot = a.plot.empty() ? (ws.build / (info.id() + "_flow.svg")).string()
                                         : (p.parent_path() / (p.stem().string() + "_flow.svg")).string();
    }
  } else if (info.trains_gpt) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count()) throw SetupError("--hidden is an option of exercise_08: exercise_15 trains with C = 32");
    if (a.lr_opt->count()) options.runner_options["lr"] = a.lr;
    options.plot = a.plot.empty() ? (ws.build / "exercise_15_loss.svg").string() : a.plot;
  } else if (info.experiment) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count() || a.lr_opt->count()) throw SetupError("--hidden and --lr are options of exercise_08 (training)");
    options.plot = a.plot.empty() ? (ws.build / (info.id() + ".svg")).string() : a.plot;
  } else if (info.trains_values) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count() || a.lr_opt->count() || !a.plot.empty())
      throw SetupError("--hidden, --lr and --plot are options of exercise_08 and exercise_13: exercise_16 trains micrograd's MLP as its demo does");
  } else if (info.optimizer_paths) {
    if (a.steps_opt->count()) options.sizes["S"] = a.steps;
    if (a.hidden_opt->count() || a.lr_opt->count()) throw SetupError("--hidden and --lr are options of exercise_08 and exercise_13 (training)");
    options.plot = a.plot.empty() ? (ws.build / (info.id() + "_paths.svg")).string() : a.plot;
  } else if (a.steps_opt->count() || a.hidden_opt->count() || a.lr_opt->count() || !a.plot.empty()) {
    throw SetupError("--steps, --hidden, --lr and --plot are options of exercise_08, exercise_13 and exercise_15 (training), exercise_11 (its experiment), exercise_16 (--steps: its training) and exercise_17 (--steps, --plot: its paths)");
  }
  options.limits.memory_bytes = static_cast<std::size_t>(a.memory_mib * 1024 * 1024);
  return options;
}

// A check with a line on stderr saying what it does once it takes more than a second (SlowLine).
CheckResult check_with_line(const Workspace& ws, const ExerciseInfo& info, CheckOptions options) {
  SlowLine line(::isatty(2) != 0);
  options.progress = [&line](const std::string& what) { line.set(what); };
  return check_exercise(ws, info, options);
}

int run_check(const Workspace& ws, const Style& style, const CheckArgs& a) {
  const ExerciseInfo& info = resolve_exercise(a.exercise);
  const CheckOptions options = check_options(ws, info, a);
  if (!a.sweep_gradient.empty()) {
    const CheckResult result = check_with_line(ws, info, options);
    const Sweep sw = sweep(result, a.sweep_gradient, ws.build / ("sweep_" + info.id() + "_" + a.sweep_gradient + ".svg"));
    std::fputs(sweep_text(sw).c_str(), stdout);
    return 0;
  }
  if (!a.dump_dir.empty()) prepare_dump_dir(a.dump_dir);
  const CheckResult result = check_with_line(ws, info, options);
  std::fputs((a.json ? json_report(result) : text_report(result, style)).c_str(), stdout);
  // A learner who has just finished an exercise is told where the path goes on.
  if (!a.json && !a.solutions && result.complete()) {
    if (const ExerciseInfo* next = next_exercise(info))
      std::printf("\n%s is complete. Next: checker %s (%s)\n", info.id().c_str(), next->id().c_str(), next->title.c_str());
    else
      std::printf("\n%s is complete: that was the last exercise.\n", info.id().c_str());
  }
  if (!a.dump_dir.empty()) {
    const int files = write_dump(a.dump_dir, result);
    std::fprintf(stderr, "checker: wrote %d .npy files and index.json to %s\n", files, a.dump_dir.c_str());
  }
  return result.complete() ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// list

struct ListArgs {
  CLI::App* cmd = nullptr;
  bool json = false;
};

void add_list(CLI::App& app, ListArgs& a) {
  a.cmd = app.add_subcommand("list", "Every exercise with its progress, gradient by gradient (runs each check once)");
  a.cmd->add_flag("--json", a.json, "Print the progress as one JSON document");
}

int run_list(const Workspace& ws, const Style& style, const ListArgs& a) {
  const std::vector<CheckResult> results = check_every_exercise(ws);
  std::fputs((a.json ? progress_json(results) : progress_text(results, style)).c_str(), stdout);
  return all_complete(results) ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// hint

struct HintArgs {
  CLI::App* cmd = nullptr;
  std::string exercise, gradient;
  int level = 0;
};

void add_hint(CLI::App& app, HintArgs& a) {
  a.cmd = app.add_subcommand("hint", "The next hint for a gradient: where to look, the local derivative, the shapes");
  a.cmd->add_option("exercise", a.exercise, "The exercise (default: the first that is not complete yet)");
  a.cmd->add_option("gradient", a.gradient, "The gradient (default: the first one that is not correct yet)");
  a.cmd->add_option("--level", a.level, "Show this level (1-3) instead of the next")->check(CLI::Range(1, 3));
}

// The first gradient of `info` that is not correct yet; nothing, and a line saying why, when there
// is none to hint (`code` the exit code then).
std::optional<std::string> gradient_to_hint(const ExerciseInfo& info, const CheckResult& r, int& code) {
  const GradientResult* next = r.next();
  if (!r.build.ok) {
    std::printf("%s does not compile: `checker %s` shows where.\n", info.source.c_str(), info.id().c_str());
    code = 1;
    return std::nullopt;
  }
  if (!next) {
    std::printf("%s is complete: no hint needed.\n", info.id().c_str());
    code = 0;
    return std::nullopt;
  }
  return next->name;
}

void print_hint(const ExerciseInfo& info, const std::string& gradient, const HintShown& h) {
  static const char* titles[] = {"where to look", "the local derivative", "the shapes"};
  std::printf("%s %s, hint %d of 3 (%s):\n", info.id().c_str(), gradient.c_str(), h.level, titles[h.level - 1]);
  std::string text = h.text;
  for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; at += 3) text.replace(at, 1, "\n  ");
  std::printf("  %s\n", text.c_str());
  if (h.last) std::printf("That was the last hint; the derivation is in docs/%s.md.\n", info.id().c_str());
  else std::printf("Run it again for the next one.\n");
}

int run_hint(const Workspace& ws, const HintArgs& a) {
  const ExerciseInfo* chosen = a.exercise.empty() ? nullptr : &resolve_exercise(a.exercise);
  std::string gradient = a.gradient;
  if (!chosen) {
    // No exercise named: the first gradient not yet correct of the first exercise not yet complete.
    for (const ExerciseInfo& info : all_exercises()) {
      const CheckResult r = check_with_line(ws, info, default_options(info));
      if (r.complete() || (r.build.ok && !r.next())) continue;
      chosen = &info;
      int code = 0;
      const std::optional<std::string> next = gradient_to_hint(info, r, code);
      if (!next) return code;
      gradient = *next;
      break;
    }
    if (!chosen) {
      std::printf("Every exercise is complete: no hint needed.\n");
      return 0;
    }
  } else if (gradient.empty()) {
    int code = 0;
    const std::optional<std::string> next = gradient_to_hint(*chosen, check_exercise(ws, *chosen, default_options(*chosen)), code);
    if (!next) return code;
    gradient = *next;
  }
  const ExerciseInfo& info = *chosen;
  const auto hints = exercise_hints(ws, info);
  if (!hints.count(hint_section(gradient)))
    throw SetupError(info.id() + " has no gradient '" + gradient + "' (its gradients: " +
                     join(info.gradients, [](const GradientSpec& s) { return s.name; }) + ")");
  print_hint(info, gradient, next_hint(ws, info, gradient, a.level));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// pack

struct PackArgs {
  CLI::App* cmd = nullptr;
  std::string output = "bpdojo-submission.tar.gz";
  CLI::Option* output_opt = nullptr;
};

void add_pack(CLI::App& app, PackArgs& a) {
  a.cmd = app.add_subcommand("pack", "Check every exercise once more and pack your files for an instructor's `checker grade`");
  a.output_opt = a.cmd->add_option("-o,--output", a.output, "The archive to write (default bpdojo-submission.tar.gz in the workbook)");
}

int run_pack(const Workspace& ws, const Style& style, const PackArgs& a) {
  const std::vector<CheckResult> results = check_every_exercise(ws);
  std::fputs(progress_text(results, style).c_str(), stdout);
  const fs::path archive = fs::path(a.output).is_absolute() || a.output_opt->count() ? fs::path(a.output) : ws.root / a.output;
  const PackOutcome out = pack_workbook(ws, results, archive);
  std::printf("\nwrote %s: %zu exercise files and manifest.json\n", out.archive.c_str(), results.size());
  if (!out.unfinished.empty()) {
    std::printf("unfinished: %s (exit code 1: the archive is written, but not every exercise is complete)\n",
                join(out.unfinished).c_str());
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// watch

struct WatchArgs {
  CLI::App* cmd = nullptr;
  std::string exercise;
};

void add_watch(CLI::App& app, WatchArgs& a) {
  a.cmd = app.add_subcommand("watch", "Check again on every save of the exercise file (q or Ctrl-C quits)");
  a.cmd->add_option("exercise", a.exercise, "The exercise (default: the first one not complete)");
}

int run_watch(const Workspace& ws, const Style& style, const WatchArgs& a) {
  return watch_loop(ws, a.exercise.empty() ? nullptr : &resolve_exercise(a.exercise), style);
}

// ---------------------------------------------------------------------------------------------
// reset

struct ResetArgs {
  CLI::App* cmd = nullptr;
  std::string exercise;
  bool yes = false;
};

void add_reset(CLI::App& app, ResetArgs& a) {
  a.cmd = app.add_subcommand("reset", "Restore an exercise's pristine stub (your file is backed up first)");
  a.cmd->add_option("exercise", a.exercise, "The exercise to restore")->required();
  a.cmd->add_flag("-y,--yes", a.yes, "Do not ask before overwriting");
}

int run_reset(const Workspace& ws, const ResetArgs& a) {
  const ResetOutcome r = reset_exercise(ws, resolve_exercise(a.exercise), a.yes, ::isatty(0) != 0, std::cin, std::cout);
  std::printf("%s\n", r.message.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// grade

struct GradeArgs {
  CLI::App* cmd = nullptr;
  GradeOptions options;
  std::string folder, out = "grades", exercises, summary_only;
  bool no_sandbox = false, quiet = false;
};

void add_grade(CLI::App& app, GradeArgs& a) {
  auto* grade = a.cmd = app.add_subcommand("grade", "Instructors: grade a folder of submissions (one folder per student) in a sandbox, "
                                                    "on hidden instances, into a gradebook (docs/instructors.md)");
  grade->add_option("submissions", a.folder, "The folder of submissions: one folder per student, named by the student id");
  grade->add_option("-o,--out", a.out, "Where the gradebook, results and feedback go (default ./grades)");
  grade->add_option("--seeds", a.options.seeds, "Hidden random instances besides the default one (default 2)")->check(CLI::Range(0, 100));
  grade->add_option("-j,--jobs", a.options.jobs, "Submissions graded at once (default 2)")->check(CLI::Range(1, 256));
  grade->add_option("--exercises", a.exercises, "Only these exercises, e.g. 03,05 (default all)");
  grade->add_option("--weights", a.options.weights_file, "Points per exercise and weights per gradient: lines `exercise_03 = 10`, `exercise_03.dx = 2`");
  grade->add_flag("--resume", a.options.resume, "Continue the run in --out with its recorded seeds (graded submissions are kept)");
  grade->add_option("--regrade", a.options.regrade, "Grade this one submission again with the recorded seeds");
  grade->add_flag("--gradescope", a.options.gradescope, "Also write Gradescope results.json (per submission in gradescope/)");
  grade->add_flag("--no-sandbox", a.no_sandbox, "Grade without bubblewrap: resource limits only, no isolation (without this flag, grading stops where bubblewrap cannot run)");
  grade->add_flag("-q,--quiet", a.quiet, "No progress lines");
  grade->add_option("--summary-only", a.summary_only,
                    "Only write the class summary (summary.md, summary.html) of the grading run in this folder, from its results.jsonl");
}

int run_grade(const Workspace& ws, const GradeArgs& a) {
  GradeOptions grading = a.options;
  grading.submissions = a.folder;
  grading.out = a.out;
  grading.bubblewrap = !a.no_sandbox;
  grading.progress = !a.quiet && ::isatty(2);
  std::stringstream chosen(a.exercises);
  for (std::string item; std::getline(chosen, item, ',');) {
    if (item.empty()) continue;
    const int n = resolve_exercise(item).number;
    if (std::find(grading.exercises.begin(), grading.exercises.end(), n) == grading.exercises.end())
      grading.exercises.push_back(n);
  }
  return grade(ws, grading);
}

// ---------------------------------------------------------------------------------------------
// The command line as a whole.

struct Verbs {
  CheckArgs check;
  ListArgs list;
  HintArgs hint;
  PackArgs pack;
  WatchArgs watch;
  ResetArgs reset;
  GradeArgs grade;
};

void add_verbs(CLI::App& app, Verbs& v) {
  add_check(app, v.check);
  add_list(app, v.list);
  add_hint(app, v.hint);
  add_pack(app, v.pack);
  add_watch(app, v.watch);
  add_reset(app, v.reset);
  add_grade(app, v.grade);
}

// The exit code of a parse that ends the program (help, or a usage error); nothing otherwise.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> args = with_default_verb(argc, argv);
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "checker: %s (see checker --help)\n", e.what());
    return 2;
  }
  return std::nullopt;
}

int run_verb(CLI::App& app, const Verbs& v, const std::string& build_dir) {
  if (*v.grade.cmd && !v.grade.summary_only.empty()) {  // needs no workbook: results.jsonl is all it reads
    if (!v.grade.folder.empty()) throw SetupError("grade --summary-only takes no folder of submissions (see checker grade --help)");
    write_class_summary(v.grade.summary_only);
    std::printf("class summary: %s\n%s\n", (std::filesystem::path(v.grade.summary_only) / "summary.html").c_str(),
                (std::filesystem::path(v.grade.summary_only) / "summary.md").c_str());
    return 0;
  }
  if (*v.grade.cmd && v.grade.folder.empty()) throw SetupError("grade needs the folder of submissions (see checker grade --help)");
  const Workspace ws = locate_workspace(fs::current_path(), build_dir);
  const Style style = Style::for_stdout();
  if (*v.check.cmd) return run_check(ws, style, v.check);
  if (*v.list.cmd) return run_list(ws, style, v.list);
  if (*v.hint.cmd) return run_hint(ws, v.hint);
  if (*v.pack.cmd) return run_pack(ws, style, v.pack);
  if (*v.grade.cmd) return run_grade(ws, v.grade);
  if (*v.watch.cmd) return run_watch(ws, style, v.watch);
  if (*v.reset.cmd) return run_reset(ws, v.reset);
  std::fputs(app.help().c_str(), stdout);
  return 2;
}

// An error's text on one line: a message with newlines (a path holding one, say) would break
// the promise of one line on stderr.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text.empty() ? std::string("an unknown error") : text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Backprop Dojo checker: judges your backward passes against finite differences.", "checker"};
  app.require_subcommand(0, 1);
  app.fallthrough();  // --build-dir may come after the verb
  app.footer(
      "Exit codes: 0 all correct, 1 something wrong or unfinished, 2 usage or setup error.\n"
      "Colour only on a terminal, and never when NO_COLOR is set.");
  std::string build_dir;
  app.add_option("--build-dir", build_dir, "The CMake build folder (default: $BPDOJO_BUILD_DIR, else <workbook>/build)");
  Verbs verbs;
  add_verbs(app, verbs);
  if (const std::optional<int> code = parse(app, argc, argv)) return *code;
  try {
    return run_verb(app, verbs, build_dir);
  } catch (const SetupError& e) {
    std::fprintf(stderr, "checker: %s\n", one_line(e.what()).c_str());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fputs("checker: out of memory\n", stderr);
    return 2;
  } catch (const std::exception& e) {
    // Anything else the checker itself could not do (a file it cannot write, say): one line and
    // exit 2, after whatever it had already printed, never std::terminate.
    std::fprintf(stderr, "checker: %s\n", one_line(e.what()).c_str());
    return 2;
  }
}
