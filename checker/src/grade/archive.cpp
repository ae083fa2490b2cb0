#include "grade/archive.hpp"

#include "common/text.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <locale.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#if BPDOJO_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

namespace bpdojo {
namespace {

namespace fs = std::filesystem;

const char* const kExtensions[] = {".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip"};

std::size_t extension_length(const std::string& name) {
  const std::string n = lower(name);
  for (const char* ext : kExtensions) {
    const std::size_t k = std::strlen(ext);
    if (n.size() > k && n.compare(n.size() - k, k, ext) == 0) return k;
  }
  return 0;
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

bool is_unpackable_archive(const std::string& name) { return extension_length(name) > 0; }

std::string without_archive_extension(const std::string& name) { return name.substr(0, name.size() - extension_length(name)); }

#if BPDOJO_HAVE_LIBARCHIVE

bool can_unpack_archives() { return true; }

namespace {

// The entry's path inside the archive as a relative path of plain names, or why it is not one.
// "./a/b" and "a//b/" are a/b; "" and "." are the archive's own folder (an empty path).
std::string relative_path(const std::string& name, fs::path& out) {
  if (name.empty()) return "an entry without a name";
  if (name[0] == '/') return "an absolute path: " + name;
  out.clear();
  std::size_t at = 0;
  while (at <= name.size()) {
    std::size_t slash = name.find('/', at);
    if (slash == std::string::npos) slash = name.size();
    const std::string part = name.substr(at, slash - at);
    if (part == "..") return "a path that climbs out of it: " + name;
    if (!part.empty() && part != ".") out /= part;
    at = slash + 1;
  }
  return "";
}

struct ReadArchive {
  archive* a = archive_read_new();
  ~ReadArchive() { archive_read_free(a); }
};

std::string entry_kind(mode_t type) {
  switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "an entry that is neither a file nor a folder";
  }
}

// Unpacks, or says why not (leaving what it wrote for the caller to remove).
std::string unpack(const fs::path& archive_path, const fs::path& dest, const ArchiveLimits& limits, Unpacked& out) {
  ReadArchive r;
  if (!r.a) return "libarchive could not start";
  archive_read_support_filter_all(r.a);
  archive_read_support_format_tar(r.a);
  archive_read_support_format_zip(r.a);
  if (archive_read_open_filename(r.a, archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
    return std::string("it cannot be read as an archive (") + archive_error_string(r.a) + ")";
  std::size_t entries = 0;
  std::vector<char> buffer(1 << 16);
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(r.a, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
      return std::string("it is damaged (") + (archive_error_string(r.a) ? archive_error_string(r.a) : "unreadable") + ")";
    if (++entries > limits.entries) return "it holds more than " + std::to_string(limits.entries) + " entries";
    // The name as UTF-8 where the archive says what it is (a zip's UTF-8 flag, pax): the checker runs
    // in the C locale, where libarchive cannot convert it to the locale's form. Else its bytes.
    const char* name_c = archive_entry_pathname_utf8(entry);
    if (!name_c) name_c = archive_entry_pathname(entry);
    const std::string name = name_c ? name_c : "";
    if (const char* target = archive_entry_hardlink(entry)) return "it holds a hard link: " + name + " -> " + target;
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      return "it holds a symbolic link: " + name + " -> " + (target ? target : "?");
    }
    if (type != AE_IFREG && type != AE_IFDIR) return "it holds " + entry_kind(type) + ": " + name;
    fs::path rel;
    if (const std::string why = relative_path(name, rel); !why.empty()) return "it holds " + why;
    std::error_code ec;
    const fs::path to = dest / rel;
    if (type == AE_IFDIR) {
      fs::create_directories(to, ec);
      if (ec && !fs::is_directory(to)) return "it cannot be unpacked: " + name + ": " + ec.message();
      fs::permissions(to, fs::perms(0755), ec);
      continue;
    }
    if (rel.empty()) return "it holds a file without a name";
    fs::create_directories(to.parent_path(), ec);
    if (!fs::is_directory(to.parent_path())) return "it cannot be unpacked: " + name + ": its folder is a file";
    const int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) return "it holds " + name + " twice";
      return "it cannot be unpacked: " + name + ": " + std::strerror(errno);
    }
    std::string failed;
    for (;;) {
      const la_ssize_t n = archive_read_data(r.a, buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        failed = std::string("it is damaged (") + (archive_error_string(r.a) ? archive_error_string(r.a) : "unreadable") + ")";
        break;
      }
      out.bytes += static_cast<std::uint64_t>(n);
      if (out.bytes > limits.total_bytes) {
        failed = "it unpacks to more than " + mib(limits.total_bytes);
        break;
      }
      for (la_ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(fd, buffer.data() + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          failed = "it cannot be unpacked: " + name + ": " + std::strerror(errno);
          break;
        }
        done += w;
      }
      if (!failed.empty()) break;
    }
    ::close(fd);
    if (!failed.empty()) return failed;
    ++out.files;
  }
  return "";
}

// This thread's character type is UTF-8 while it lives (uselocale: per thread, not the process's):
// in the C locale, where the checker runs, libarchive cannot convert a zip's UTF-8 names and gives
// none ("Übung 3/exercise_03_tanh.cpp"). Where no C.UTF-8 exists, nothing changes.
class Utf8Names {
 public:
  Utf8Names() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (utf8_) old_ = uselocale(utf8_);
  }
  ~Utf8Names() {
    if (!utf8_) return;
    uselocale(old_);
    freelocale(utf8_);
  }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;

 private:
  locale_t utf8_;
  locale_t old_ = nullptr;
};

}  // namespace

Unpacked unpack_archive(const fs::path& archive_path, const fs::path& dest, const ArchiveLimits& limits) {
  const Utf8Names names;
  Unpacked out;
  std::error_code ec;
  if (fs::exists(dest, ec) || !fs::create_directories(dest, ec)) {
    out.reason = "cannot unpack it into " + dest.string() + (fs::exists(dest) ? ": it exists" : ": " + ec.message());
    return out;
  }
  out.reason = unpack(archive_path, dest, limits, out);
  out.ok = out.reason.empty();
  if (!out.ok) fs::remove_all(dest, ec);
  return out;
}

#else

bool can_unpack_archives() { return false; }

Unpacked unpack_archive(const fs::path&, const fs::path&, const ArchiveLimits&) {
  Unpacked out;
  out.reason = "this checker was built without libarchive (install libarchive-dev and build again, or unpack it first)";
  return out;
}

#endif

}  // namespace bpdojo
