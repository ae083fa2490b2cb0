// checker: the command line. It parses and dispatches; the work lives in the checker library.
#include "judge/check.hpp"
#include "learner/dump.hpp"
#include "grade/grade.hpp"
#include "learner/hints.hpp"
#include "learner/pack.hpp"
#include "learner/sweep.hpp"
#include "learner/watch.hpp"
#include "learner/report.hpp"
#include "learner/reset.hpp"
#include "common/text.hpp"
#include "common/workspace.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>
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

  // check
  auto* check = app.add_subcommand("check", "Check one exercise (the default: `checker exercise_03`)");
  std::string exercise;
  std::uint64_t seed = kDefaultSeed;
  std::vector<std::string> size_args;
  bool solutions = false, json = false;
  double timeout = 10.0;
  double memory_mib = 2048;
  check->add_option("exercise", exercise, "exercise_03, 03, 3, exercise_03_tanh or tanh")->required();
  check->add_option("--seed", seed, "The instance's seed (default 0)");
  check->add_option("--size", size_args, "A shape size, LETTER=VALUE (N=32); repeat it or use commas")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  check->add_flag("--solutions", solutions, "Judge the reference solution instead of your file");
  check->add_flag("--json", json, "Print the result as one JSON document (docs/result-schema.md)");
  check->add_option("--timeout", timeout, "Wall-clock limit for your code, in seconds (default 10; exercise 08: 60)")->check(CLI::PositiveNumber);
  std::string dump_dir, sweep_gradient;
  check->add_option("--dump", dump_dir, "Write the instance and both gradients as .npy files, with index.json, to DIR");
  check->add_option("--memory", memory_mib, "Memory limit for your code, in MiB (default 2048)")->check(CLI::PositiveNumber);
  std::int64_t steps = -1, hidden = -1;
  double lr = 0.0;
  std::string plot;
  auto* steps_opt = check->add_option("--steps", steps, "Exercise 08: training steps (the same as --size S=...)")->check(CLI::NonNegativeNumber);
  auto* hidden_opt = check->add_option("--hidden", hidden, "Exercise 08: hidden units (the same as --size H=...)")->check(CLI::PositiveNumber);
  auto* lr_opt = check->add_option("--lr", lr, "Exercise 08: learning rate (default 0.1; a tenth of it for the second half)")->check(CLI::NonNegativeNumber);
  check->add_option("--plot", plot, "Exercise 08: where to write the SVG of the loss curves (default <build>/exercise_08_loss.svg)");

  check->add_option("--sweep", sweep_gradient,
                    "Instead of judging: the error of one gradient against the finite-difference step, 1e-1 to 1e-12 "
                    "(a terminal chart, and an SVG in the build folder)");

  // list
  auto* list = app.add_subcommand("list", "Every exercise with its progress, gradient by gradient (runs each check once)");
  bool list_json = false;
  list->add_flag("--json", list_json, "Print the progress as one JSON document");

  // hint
  auto* hint = app.add_subcommand("hint", "The next hint for a gradient: where to look, the local derivative, the shapes");
  std::string hint_exercise, hint_gradient;
  int hint_level = 0;
  hint->add_option("exercise", hint_exercise, "The exercise")->required();
  hint->add_option("gradient", hint_gradient, "The gradient (default: the first one that is not correct yet)");
  hint->add_option("--level", hint_level, "Show this level (1-3) instead of the next")->check(CLI::Range(1, 3));

  // pack
  auto* pack = app.add_subcommand("pack", "Check every exercise once more and pack your files for an instructor's `checker grade`");
  std::string pack_output = "bpdojo-submission.tar.gz";
  pack->add_option("-o,--output", pack_output, "The archive to write (default bpdojo-submission.tar.gz in the workbook)");

  // watch
  auto* watch = app.add_subcommand("watch", "Check again on every save of the exercise file (q or Ctrl-C quits)");
  std::string watch_exercise;
  watch->add_option("exercise", watch_exercise, "The exercise (default: the first one not complete)");

  // reset
  auto* reset = app.add_subcommand("reset", "Restore an exercise's pristine stub (your file is backed up first)");
  std::string reset_name;
  bool yes = false;
  reset->add_option("exercise", reset_name, "The exercise to restore")->required();
  reset->add_flag("-y,--yes", yes, "Do not ask before overwriting");

  // grade
  auto* grade_cmd = app.add_subcommand("grade", "Instructors: grade a folder of submissions (one folder per student) in a sandbox, "
                                                  "on hidden instances, into a gradebook (docs/instructors.md)");
  GradeOptions grading;
  std::string grade_folder, grade_out = "grades", grade_exercises;
  bool no_sandbox = false, quiet = false;
  grade_cmd->add_option("submissions", grade_folder, "The folder of submissions: one folder per student, named by the student id")->required();
  grade_cmd->add_option("-o,--out", grade_out, "Where the gradebook, results and feedback go (default ./grades)");
  grade_cmd->add_option("--seeds", grading.seeds, "Hidden random instances besides the default one (default 2)")->check(CLI::Range(0, 100));
  grade_cmd->add_option("-j,--jobs", grading.jobs, "Submissions graded at once (default 2)")->check(CLI::Range(1, 256));
  grade_cmd->add_option("--exercises", grade_exercises, "Only these exercises, e.g. 03,05 (default all)");
  grade_cmd->add_option("--weights", grading.weights_file, "Points per exercise and weights per gradient: lines `exercise_03 = 10`, `exercise_03.dx = 2`");
  grade_cmd->add_flag("--resume", grading.resume, "Continue the run in --out with its recorded seeds (graded submissions are kept)");
  grade_cmd->add_option("--regrade", grading.regrade, "Grade this one submission again with the recorded seeds");
  grade_cmd->add_flag("--gradescope", grading.gradescope, "Also write Gradescope results.json (per submission in gradescope/)");
  grade_cmd->add_flag("--no-sandbox", no_sandbox, "Do not use bubblewrap even where it works (resource limits only)");
  grade_cmd->add_flag("-q,--quiet", quiet, "No progress lines");

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

  try {
    const Workspace ws = locate_workspace(fs::current_path(), build_dir);
    const Style style = Style::for_stdout();
    if (*check) {
      const ExerciseInfo& info = resolve_exercise(exercise);
      CheckOptions options = default_options(info);
      options.seed = seed;
      options.sizes = parse_sizes(size_args);
      options.flavour = solutions ? Flavour::Solution : Flavour::Learner;
      if (check->get_option("--timeout")->count()) options.limits.wall_seconds = timeout;
      if (info.trains) {
        if (steps_opt->count()) options.sizes["S"] = steps;
        if (hidden_opt->count()) options.sizes["H"] = hidden;
        if (lr_opt->count()) options.runner_options["lr"] = lr;
        options.plot = plot.empty() ? (ws.build / "exercise_08_loss.svg").string() : plot;
      } else if (steps_opt->count() || hidden_opt->count() || lr_opt->count() || !plot.empty()) {
        throw SetupError("--steps, --hidden, --lr and --plot are options of exercise_08 (training)");
      }
      options.limits.memory_bytes = static_cast<std::size_t>(memory_mib * 1024 * 1024);
      if (!sweep_gradient.empty()) {
        const CheckResult result = check_exercise(ws, info, options);
        const Sweep sw = sweep(result, sweep_gradient, ws.build / ("sweep_" + info.id() + "_" + sweep_gradient + ".svg"));
        std::fputs(sweep_text(sw).c_str(), stdout);
        return 0;
      }
      if (!dump_dir.empty()) prepare_dump_dir(dump_dir);
      const CheckResult result = check_exercise(ws, info, options);
      std::fputs((json ? json_report(result) : text_report(result, style)).c_str(), stdout);
      if (!dump_dir.empty()) {
        const int files = write_dump(dump_dir, result);
        std::fprintf(stderr, "checker: wrote %d .npy files and index.json to %s\n", files, dump_dir.c_str());
      }
      return result.complete() ? 0 : 1;
    }
    if (*list) {
      std::vector<CheckResult> results;
      for (const auto& info : all_exercises()) {
        results.push_back(check_exercise(ws, info, default_options(info)));
      }
      std::fputs((list_json ? progress_json(results) : progress_text(results, style)).c_str(), stdout);
      const bool all = std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.complete(); });
      return all ? 0 : 1;
    }
    if (*hint) {
      const ExerciseInfo& info = resolve_exercise(hint_exercise);
      std::string gradient = hint_gradient;
      if (gradient.empty()) {
        const CheckResult r = check_exercise(ws, info, default_options(info));
        const GradientResult* next = r.next();
        if (!r.build.ok) {
          std::printf("%s does not compile: `checker %s` shows where.\n", info.source.c_str(), info.id().c_str());
          return 1;
        }
        if (!next) {
          std::printf("%s is complete: no hint needed.\n", info.id().c_str());
          return 0;
        }
        gradient = next->name;
      }
      const auto hints = exercise_hints(ws, info);
      if (!hints.count(hint_section(gradient)))
        throw SetupError(info.id() + " has no gradient '" + gradient + "' (its gradients: " +
                         join(info.gradients, [](const GradientSpec& s) { return s.name; }) + ")");
      const HintShown h = next_hint(ws, info, gradient, hint_level);
      static const char* titles[] = {"where to look", "the local derivative", "the shapes"};
      std::printf("%s %s, hint %d of 3 (%s):\n", info.id().c_str(), gradient.c_str(), h.level, titles[h.level - 1]);
      std::string text = h.text;
      for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; at += 3) text.replace(at, 1, "\n  ");
      std::printf("  %s\n", text.c_str());
      if (h.last) std::printf("That was the last hint; the derivation is in docs/%s.md.\n", info.id().c_str());
      else std::printf("Run it again for the next one.\n");
      return 0;
    }
    if (*pack) {
      std::vector<CheckResult> results;
      for (const auto& info : all_exercises()) {
        results.push_back(check_exercise(ws, info, default_options(info)));
      }
      std::fputs(progress_text(results, style).c_str(), stdout);
      const fs::path archive = fs::path(pack_output).is_absolute() || pack->get_option("--output")->count()
                                   ? fs::path(pack_output)
                                   : ws.root / pack_output;
      const PackOutcome out = pack_workbook(ws, results, archive);
      std::printf("\nwrote %s: %zu exercise files and manifest.json\n", out.archive.c_str(), results.size());
      if (!out.unfinished.empty()) {
        std::printf("unfinished: %s (exit code 1: the archive is written, but not every exercise is complete)\n",
                    join(out.unfinished).c_str());
        return 1;
      }
      return 0;
    }
    if (*grade_cmd) {
      grading.submissions = grade_folder;
      grading.out = grade_out;
      grading.bubblewrap = !no_sandbox;
      grading.progress = !quiet && ::isatty(2);
      std::stringstream chosen(grade_exercises);
      for (std::string item; std::getline(chosen, item, ',');) {
        if (item.empty()) continue;
        const int n = resolve_exercise(item).number;
        if (std::find(grading.exercises.begin(), grading.exercises.end(), n) == grading.exercises.end())
          grading.exercises.push_back(n);
      }
      return grade(ws, grading);
    }
    if (*watch) {
      return watch_loop(ws, watch_exercise.empty() ? nullptr : &resolve_exercise(watch_exercise), style);
    }
    if (*reset) {
      const ResetOutcome r = reset_exercise(ws, resolve_exercise(reset_name), yes, ::isatty(0) != 0, std::cin, std::cout);
      std::printf("%s\n", r.message.c_str());
      return 0;
    }
    std::fputs(app.help().c_str(), stdout);
    return 2;
  } catch (const SetupError& e) {
    std::fprintf(stderr, "checker: %s\n", e.what());
    return 2;
  }
}
