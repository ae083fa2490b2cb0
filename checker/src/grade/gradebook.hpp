// Backprop Dojo checker: what `checker grade` writes in --out (docs/instructors.md): the record of
// the run (run.json, weights.txt), and for each submission feedback/<student>.txt,
// gradescope/<student>.json (--gradescope), its rows of results.jsonl and, last, its row of
// gradebook.csv: a row there means the submission's files are whole. Written and read back
// (--resume, --regrade) here only.
#pragma once

#include "grade/grading.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace bpdojo {

// The format run.json names itself by.
inline constexpr const char* kGradeFormat = "bpdojo.grade/1";
// The grader's version, recorded in run.json: --resume and --regrade continue only a run of the
// same version (and threshold). Raise it whenever what a submission earns may change.
inline constexpr const char* kGraderVersion = "2";

// Writes `text` to `p` whole: into a temporary beside it, then renamed over it (SetupError when
// it cannot).
void write_atomically(const std::filesystem::path& p, const std::string& text);
// Starts the files of a new run in run.options.out: the record of the run, the gradebook's header,
// no results yet.
void start_outputs(const Run& run);
// The students graded whole in `out` (their state files; the gradebook is never read back).
std::set<std::string> students_graded(const std::filesystem::path& out);
// A student's id as every output writes it: exactly, but for bytes that are not UTF-8 (`\xNN`)
// and backslashes (`\\`).
std::string shown_id(const std::string& id);
// The name (without extension) of the student's feedback/ and gradescope/ files: shown_id(), cut
// with a hash when it would be too long a file name.
std::string feedback_name(const std::string& id);
// The gradebook and results of the students in `keep` only (the others were interrupted or are
// regraded), rows sorted by student; results keep their order within a student.
void rewrite_outputs(const Run& run, const std::set<std::string>& keep);
// Writes a finished submission's files, its gradebook row last (serialised by run.write_mutex).
void write_student(Run& run, const StudentGrade& sg);
// results.json for Gradescope: the one submission's own, when it is the only one graded.
void write_gradescope_results(const Run& run, const std::string& student);

// The items of the array `"key":[...]` of run.json, strings unquoted.
std::vector<std::string> json_array(const std::string& text, const std::string& key);

// The status with its reason, if any: "missing: no file named exercise_03_tanh.cpp or exercise_03.cpp".
std::string status_text(const ExerciseGrade& eg);

}  // namespace bpdojo
