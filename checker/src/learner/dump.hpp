// Backprop Dojo checker: `--dump DIR`, the instance and both gradients as .npy files with a JSON
// index (docs/dump.md), for cross-checking in Python.
#pragma once

#include "judge/check.hpp"

#include <filesystem>

namespace bpdojo {

// Creates DIR (and its parents) or throws SetupError: called before the check, so a bad DIR
// costs nothing.
void prepare_dump_dir(const std::filesystem::path& dir);

// Writes DIR/index.json, DIR/inputs/*.npy (every leaf of the instance: parameters and data),
// DIR/numeric/*.npy and DIR/yours/*.npy (the gradients). Returns the number of .npy files.
int write_dump(const std::filesystem::path& dir, const CheckResult& result);

}  // namespace bpdojo
