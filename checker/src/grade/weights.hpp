// Backprop Dojo checker: what each row of a grade is worth (`checker grade --weights`,
// docs/instructors.md): points per exercise, and the weight of each gradient inside it.
#pragma once

#include "bpdojo/exercise.hpp"

#include <map>
#include <string>
#include <vector>

namespace bpdojo {

struct Weights {
  std::map<int, double> points;                           // exercise number -> points
  std::map<int, std::map<std::string, double>> gradient;  // exercise number -> gradient -> weight
};

// The defaults (10 points an exercise; 1 a gradient, exercise 08's "training" row as much as all
// its gradients together), then `text` in the --weights format over them. SetupError on a bad line.
Weights parse_weights(const std::string& text, const std::string& label);
// The weights in the --weights format, every exercise and row written out.
std::string format_weights(const Weights& w);

// The rows an exercise is graded by: its gradients, then, for an exercise that trains, the rows
// check_exercise adds after them (the update of each parameter, the training run), in its order.
std::vector<std::string> row_names(const ExerciseInfo& info);

}  // namespace bpdojo
