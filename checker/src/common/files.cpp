#include "common/files.hpp"

#include <fstream>
#include <functional>
#include <sstream>
#include <sys/stat.h>

namespace bpdojo {

std::optional<std::string> read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

std::string read_file(const std::filesystem::path& file) { return read_bytes(file).value_or(""); }

bool write_file(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

FileState file_state(const std::filesystem::path& file, Content content) {
  FileState s;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return s;
  s.exists = true;
  s.device = st.st_dev;
  s.inode = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  if (content == Content::Hashed) s.content = std::hash<std::string>{}(read_file(file));
  return s;
}

}  // namespace bpdojo
