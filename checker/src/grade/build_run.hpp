// Backprop Dojo checker: one exercise of one submission, built and run as `checker grade` does
// it. The file is found (grade/submissions.hpp) and its #include lines checked; it is compiled in
// the sandbox with only the workbook's headers and precompiled header visible, the headers it
// read are checked, it is linked against the prebuilt workbook, and the runner is judged on every
// instance of the run, each in a fresh folder, as `checker exercise_NN` judges.
#pragma once

#include "grade/grading.hpp"
#include "grade/submissions.hpp"

#include <filesystem>

namespace bpdojo {

// Creates `dir`, owned by `uid` when it is >= 0 (the sandbox user of a grading slot), private.
void prepare_folder(const std::filesystem::path& dir, long uid);

// Grades `eg.info` of `submission`, working in `work` as grading slot `slot`: fills
// eg's status, reason, file, compiler output and runs (not its score). Throws SetupError when the
// compiler cannot be started at all.
void grade_exercise(Run& run, const Submission& submission, const std::filesystem::path& work, int slot,
                    ExerciseGrade& eg);

}  // namespace bpdojo
