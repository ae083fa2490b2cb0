// Backprop Dojo checker: how `checker grade` compiles and links a submission, as CMake built the
// learner's runners: the compile command of exercise 01's learner runner (compile_commands.json,
// so the precompiled header matches), and the link flags and libraries CMake wrote at configure
// time (grade-toolchain.txt, checker/CMakeLists.txt).
#pragma once

#include "common/workspace.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bpdojo {

struct Toolchain {
  std::vector<std::string> compile;  // the command, with the source and object at these indices
  std::size_t source_at = 0, object_at = 0;
  std::vector<std::string> link_flags;
  std::map<int, std::vector<std::string>> libraries;  // exercise number -> archives, in link order
  std::vector<std::filesystem::path> headers;         // the folders a submission may include from
};

// The folders of a compile command's forced includes (the precompiled header's), as GCC writes
// them (-include FILE) and as clang does (-Xclang -include -Xclang FILE, -include-pch likewise).
std::vector<std::filesystem::path> forced_include_dirs(const std::vector<std::string>& command);

// Reads both files of the build in `ws`; SetupError when either is missing or incomplete.
Toolchain load_toolchain(const Workspace& ws);

}  // namespace bpdojo
