// Backprop Dojo: the catalogue of exercises, as the checker and the runners see them.
//
// An exercise has shape letters (N batch, D in, H hidden, V vocabulary, ...) with defaults and the
// ranges hidden grading instances draw from, and one or more problems (graphs, see graph.hpp).
// Each gradient the learner is asked for names the problem and the node it is the gradient of.
#pragma once

#include "bpdojo/graph.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bpdojo {

using Sizes = std::map<std::string, std::int64_t>;

struct SizeSpec {
  std::string letter;   // "N"
  std::string meaning;  // "batch size"
  std::int64_t default_value;
  std::int64_t min;  // the range any instance may use (checked)
  std::int64_t max;
  // `checker grade` draws hidden instances with other values of this letter (not of a training
  // run's length, which its time budget fixes).
  bool varies_when_graded = true;
};

struct GradientSpec {
  std::string name;      // "dlogits_fused"
  int problem;           // index into the exercise's problems
  std::string node;      // "logits": the node whose gradient of the loss this is
  std::string function;  // the learner's function that sets it
  // The relative error this gradient is judged by; 0: the house's (kThreshold, 1e-8, for a numeric
  // gradient). An exercise whose reference is exact, not a finite difference, sets a lower bar
  // (exercise 17's updates: 1e-13).
  double threshold = 0.0;
};

// A mistake an exercise recognises itself, from its own instance (exercise 17: a classic slip of an
// update, recomputed): its kind ("no_bias_correction") and one line for the learner.
struct KnownSlip {
  std::string kind;
  std::string text;
};

struct ExerciseInfo {
  int number;          // 3
  std::string slug;    // "tanh"
  std::string title;   // "tanh"
  std::string source;  // "exercise_03_tanh.cpp"
  std::vector<SizeSpec> sizes;
  std::vector<GradientSpec> gradients;  // in the order the learner computes them
  // The problems of the instance (forward pass done).
  std::function<std::vector<Graph>(std::uint64_t seed, const Sizes& sizes)> problems;
  // The runner also trains (exercise 08): the checker judges the run (checker/src/training.hpp).
  bool trains = false;
  // The runner also runs an experiment on what the learner wrote (exercise 11's deep stacks), as
  // long as its size S says (0: none): the checker judges it against its own run
  // (checker/src/judge/experiment.hpp).
  bool experiment = false;
  // The report draws the gradient's flow back in time (exercise 13): the norm of each step of the
  // stacked gradients vanish.dh and explode.dh against T - t (checker/src/judge/flow.hpp).
  bool gradient_flow = false;
  // The runner also trains the RNN (exercise 13), full BPTT and truncated, as long as its size S
  // says (0: no training): the checker evaluates both runs (checker/src/judge/rnn_training.hpp).
  // Apart from `trains`, which names exercise 08's judge (its update rows, its MLP).
  bool trains_rnn = false;
  // The runner also trains an MLP made of the learner's Values on two moons (exercise 16), as long
  // as its size S says (0: no training): the checker evaluates the final parameters
  // (checker/src/judge/moons.hpp).
  bool trains_values = false;
  // The runner then takes each optimizer over the Rosenbrock function for S steps (exercise 17):
  // the checker draws the learner's paths beside its own (checker/src/judge/paths.hpp), never judges them.
  bool optimizer_paths = false;
  // The runner also trains the GPT block on the names (exercise 15), as long as its size S says (0:
  // no training): the checker evaluates the run (checker/src/judge/gpt_training.hpp).
  bool trains_gpt = false;
  // The runner goes on after the gradients for S steps (size letter S): training or an experiment.
  // A test of the gradients alone sets S = 0.
  bool runs() const { return trains || experiment || trains_rnn || trains_values || optimizer_paths || trains_gpt; }
  // Names the mistake in a wrong gradient (the learner's value, as reported) where the exercise
  // knows its shape better than the checker's generic diagnoses do; empty: none. Tried first.
  std::function<std::optional<KnownSlip>(std::uint64_t seed, const Sizes& sizes, const std::string& gradient,
                                         const Matrix& yours)>
      recognise = nullptr;
  // The runner's default wall-clock limit (a training run takes longer than a gradient check).
  double timeout_seconds = 10.0;

  std::string id() const;  // "exercise_03"
};

inline constexpr std::uint64_t kDefaultSeed = 0;

// Every exercise, in the learner's order: one ExerciseInfo exercise_NN_info() per
// problems/exercise_NN_<slug>.cpp, listed by BPDOJO_EXERCISES (cmake/Runners.cmake).
const std::vector<ExerciseInfo>& all_exercises();
const ExerciseInfo* find_exercise(int number);
// The exercise after `info` in the learner's order; nullptr after the last.
const ExerciseInfo* next_exercise(const ExerciseInfo& info);

// The sizes with every letter filled in from the defaults; throws std::invalid_argument on an
// unknown letter or a value out of range.
Sizes complete_sizes(const ExerciseInfo& info, const Sizes& given);

}  // namespace bpdojo
