// Backprop Dojo checker: unpacking a student's archive for `checker grade` (libarchive): a .tar,
// .tar.gz/.tgz, .tar.bz2, .tar.xz (what `checker pack` writes, and what a learning platform hands
// out) or a .zip. Only regular files and folders come out, with plain permissions (0644, 0755: no
// setuid bit, no owner); an archive holding anything else (a symbolic or hard link, a device, a
// FIFO, a socket), a path that is absolute or climbs with "..", or more than the limits allow is
// refused whole, with the reason, and nothing of it is left behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace bpdojo {

struct ArchiveLimits {
  std::uint64_t total_bytes = std::uint64_t{64} << 20;  // the unpacked size, all files together
  std::size_t entries = 2000;                            // files and folders
};

struct Unpacked {
  bool ok = false;
  std::string reason;  // when refused: why ("it holds a symbolic link: a -> /etc/passwd")
  std::size_t files = 0;
  std::uint64_t bytes = 0;
};

// Whether the checker can unpack archives (built with libarchive).
bool can_unpack_archives();

// Whether `name` is an archive `unpack_archive` reads, by its extension (any case).
bool is_unpackable_archive(const std::string& name);

// `name` without its archive extension ("alice.tar.gz" -> "alice"), or `name` when it has none.
std::string without_archive_extension(const std::string& name);

// Unpacks `archive` into `dest` (created; must not exist). On refusal `dest` is removed.
Unpacked unpack_archive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                        const ArchiveLimits& limits = {});

}  // namespace bpdojo
