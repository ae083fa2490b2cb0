// Backprop Dojo checker: reading and writing a file whole, and telling whether a file changed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace bpdojo {

// The bytes of `file`; nullopt when it cannot be read.
std::optional<std::string> read_bytes(const std::filesystem::path& file);
// The same, empty when it cannot be read.
std::string read_file(const std::filesystem::path& file);
// Writes `bytes` to `file`, replacing what it held; false when it could not (the pictures'
// writers report the path only when true).
bool write_file(const std::filesystem::path& file, const std::string& bytes);

// The state of a file as a path names it: which file it is (device and inode: a linker or an
// editor that writes a new file and renames it replaces it), its size and time, and, when asked
// for, a hash of its bytes (an edit that keeps the size and the time, or sets the time into the
// past, changes it too). Two states are equal when nothing of this changed.
struct FileState {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long mtime_ns = 0;
  std::size_t content = 0;  // a hash of the bytes; 0 when not asked for

  bool operator==(const FileState& o) const {
    return exists == o.exists && device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns &&
           content == o.content;
  }
  bool operator!=(const FileState& o) const { return !(*this == o); }
};

enum class Content { Ignored, Hashed };
FileState file_state(const std::filesystem::path& file, Content content = Content::Ignored);

}  // namespace bpdojo
