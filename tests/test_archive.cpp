// `checker grade` unpacks a student's archive (grade/archive.hpp) with libarchive: the archives here
// are written with libarchive's writer, entry by entry, so each hostile kind is exactly what it says.
#include "grade/archive.hpp"
#include "grade/submissions.hpp"

#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace bpdojo;
namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string path;
  mode_t type = AE_IFREG;
  std::string data;
  std::string link;  // a symbolic link's target, or a hard link's
  bool hardlink = false;
  mode_t perm = 0644;
};

Entry entry_file(std::string path, std::string data, mode_t perm = 0644) {
  Entry e;
  e.path = std::move(path), e.data = std::move(data), e.perm = perm;
  return e;
}
Entry entry_folder(std::string path, mode_t perm = 0755) {
  Entry e;
  e.path = std::move(path), e.type = AE_IFDIR, e.perm = perm;
  return e;
}
Entry entry_link(std::string path, std::string target, bool hard = false) {
  Entry e;
  e.path = std::move(path), e.link = std::move(target), e.hardlink = hard;
  if (!hard) e.type = AE_IFLNK;
  return e;
}
Entry entry_special(std::string path, mode_t type) {
  Entry e;
  e.path = std::move(path), e.type = type;
  return e;
}

enum class Format { TarGz, Zip, Tar };

void write_archive(const fs::path& file, const std::vector<Entry>& entries, Format format = Format::TarGz) {
  archive* a = archive_write_new();
  if (format == Format::Zip) {
    archive_write_set_format_zip(a);
    archive_write_set_format_option(a, "zip", "hdrcharset", "UTF-8");  // names flagged UTF-8, as zip tools write them
  } else {
    archive_write_set_format_pax_restricted(a);
    if (format == Format::TarGz) archive_write_add_filter_gzip(a);
  }
  REQUIRE(archive_write_open_filename(a, file.c_str()) == ARCHIVE_OK);
  for (const Entry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, e.perm);
    if (e.hardlink) archive_entry_set_hardlink(entry, e.link.c_str());
    else if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    const bool has_data = e.type == AE_IFREG && !e.hardlink;
    archive_entry_set_size(entry, has_data ? static_cast<la_int64_t>(e.data.size()) : 0);
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    if (has_data && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("bpdojo-archive-test-" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_SUITE_BEGIN("unit");

TEST_CASE("an archive's files and folders are unpacked with plain permissions: tar.gz, tar and zip") {
  REQUIRE(can_unpack_archives());
  const Scratch s;
  for (const Format format : {Format::TarGz, Format::Tar, Format::Zip}) {
    CAPTURE(static_cast<int>(format));
    const fs::path file = s.dir / (format == Format::Zip ? "a.zip" : format == Format::Tar ? "a.tar" : "a.tar.gz");
    write_archive(file, {entry_folder("./"),
                         entry_folder("work/", 0777),
                         entry_file("work/exercise_03_tanh.cpp", "int x;\n", 04755),
                         entry_file("manifest.json", "{}", 0600)},
                  format);
    const fs::path dest = s.dir / (file.filename().string() + ".out");
    const Unpacked u = unpack_archive(file, dest);
    CHECK(u.ok);
    CHECK(u.reason == "");
    CHECK(u.files == 2);
    CHECK(read_text(dest / "work" / "exercise_03_tanh.cpp") == "int x;\n");
    CHECK(read_text(dest / "manifest.json") == "{}");
    struct stat st {};
    REQUIRE(::stat((dest / "work" / "exercise_03_tanh.cpp").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);  // no setuid, no execute bit from the archive
    REQUIRE(::stat((dest / "work").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
  }
}

TEST_CASE("an archive holding a link, a device, a FIFO, a path out of it or more than its limits is refused whole") {
  REQUIRE(can_unpack_archives());
  const Scratch s;
  const Entry ok = entry_file("exercise_03_tanh.cpp", "int x;\n");
  struct Case {
    const char* what;
    std::vector<Entry> entries;
    std::string reason;
    ArchiveLimits limits{};
  };
  ArchiveLimits small;
  small.total_bytes = std::uint64_t{1} << 20;
  ArchiveLimits few;
  few.entries = 3;
  const std::vector<Case> cases = {
      {"symlink", {ok, entry_link("passwd", "/etc/passwd")}, "it holds a symbolic link: passwd -> /etc/passwd"},
      {"hardlink", {ok, entry_link("h.cpp", "/etc/shadow", true)}, "it holds a hard link: h.cpp -> /etc/shadow"},
      {"chardev", {ok, entry_special("null", AE_IFCHR)}, "it holds a character device: null"},
      {"blockdev", {ok, entry_special("sda", AE_IFBLK)}, "it holds a block device: sda"},
      {"fifo", {ok, entry_special("pipe", AE_IFIFO)}, "it holds a FIFO: pipe"},
      {"climbs", {ok, entry_file("work/../../escaped.cpp", "x")}, "it holds a path that climbs out of it: work/../../escaped.cpp"},
      {"absolute", {ok, entry_file("/tmp/absolute.cpp", "x")}, "it holds an absolute path: /tmp/absolute.cpp"},
      {"twice", {ok, ok}, "it holds exercise_03_tanh.cpp twice"},
      {"bomb", {ok, entry_file("zeros", std::string(std::size_t{3} << 20, '\0'))}, "it unpacks to more than 1 MiB", small},
      {"entries", {ok, entry_file("a", "a"), entry_file("b", "b"), entry_file("c", "c")}, "it holds more than 3 entries", few},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const fs::path file = s.dir / (std::string(c.what) + ".tar.gz");
    write_archive(file, c.entries);
    const fs::path dest = s.dir / (std::string(c.what) + ".out");
    const Unpacked u = unpack_archive(file, dest, c.limits);
    CHECK_FALSE(u.ok);
    CHECK(u.reason == c.reason);
    CHECK_FALSE(fs::exists(dest));  // nothing of it is left behind
  }
  CHECK_FALSE(fs::exists(s.dir / "escaped.cpp"));
  CHECK_FALSE(fs::exists("/tmp/absolute.cpp"));
  // The bomb is small packed: the limit is on what it unpacks to.
  CHECK(fs::file_size(s.dir / "bomb.tar.gz") < (std::uintmax_t{1} << 20));
  // Not an archive at all.
  std::ofstream(s.dir / "junk.zip") << "this is not a zip file";
  const Unpacked junk = unpack_archive(s.dir / "junk.zip", s.dir / "junk.out");
  CHECK_FALSE(junk.ok);
  CHECK(junk.reason.rfind("it cannot be read as an archive", 0) == 0);
  CHECK_FALSE(fs::exists(s.dir / "junk.out"));
}

TEST_CASE("a class's folder: a student is a folder or an archive, named without its extension unless that name is taken") {
  const Scratch s;
  const fs::path c = s.dir / "class";
  fs::create_directories(c / "alice");
  fs::create_directories(c / "bob");
  fs::create_directories(c / "__MACOSX");
  std::ofstream(c / "bob.zip") << "x";          // a folder bob too: the archive is "bob.zip"
  std::ofstream(c / "carol.tar.gz") << "x";     // carol
  std::ofstream(c / "dave.tgz") << "x";         // two archives dave: by their whole names
  std::ofstream(c / "dave.zip") << "x";
  std::ofstream(c / "grades.csv") << "x";       // not a submission
  std::ofstream(c / "erin.7z") << "x";          // an archive the grader does not read
  const std::vector<std::string> expected = {"alice", "bob", "bob.zip", "carol", "dave.tgz", "dave.zip"};
  CHECK(list_students(c) == expected);
}

TEST_CASE("a submission's exercise file is found in its folder first, then in its archives, and the feedback names where") {
  REQUIRE(can_unpack_archives());
  const Scratch s;
  const fs::path c = s.dir / "class";
  fs::create_directories(c / "alice" / "sub");
  write_archive(c / "alice" / "sub" / "bpdojo-submission.tar.gz",
                {entry_file("exercise_03_tanh.cpp", "from the archive"), entry_file("exercise_02_linear.cpp", "packed 02")});
  std::ofstream(c / "alice" / "exercise_02_linear.cpp") << "loose 02";
  write_archive(c / "carol.zip", {entry_file("carol/exercise_03_tanh.cpp", "carol's")}, Format::Zip);
  write_archive(c / "mallory.tar.gz", {entry_file("exercise_03_tanh.cpp", "x"), entry_link("l", "/etc")});
  const ExerciseInfo& ex02 = *find_exercise(2);
  const ExerciseInfo& ex03 = *find_exercise(3);
  std::string shown;

  const Submission alice = open_submission(c, "alice", s.dir / "u-alice");
  REQUIRE(alice.archives.size() == 1);
  CHECK(alice.archives[0].name == "sub/bpdojo-submission.tar.gz");
  FoundFile f = find_submitted_file(alice, ex02, shown);
  CHECK(f.status == FoundFile::Status::Found);
  CHECK(shown == "exercise_02_linear.cpp");  // the folder's own file wins
  CHECK(read_text(f.file) == "loose 02");
  f = find_submitted_file(alice, ex03, shown);
  CHECK(f.status == FoundFile::Status::Found);
  CHECK(shown == "sub/bpdojo-submission.tar.gz/exercise_03_tanh.cpp");
  CHECK(read_text(f.file) == "from the archive");
  f = find_submitted_file(alice, *find_exercise(4), shown);
  CHECK(f.status == FoundFile::Status::Missing);
  CHECK(f.reason.find("nor in the archive sub/bpdojo-submission.tar.gz") != std::string::npos);

  // Names that are not ASCII (UTF-8 in a zip, flagged as such), read in the checker's C locale.
  write_archive(c / "\xc3\xa9l\xc3\xa8ve.zip", {entry_file("\xc3\x9c" "bung 3/exercise_03_tanh.cpp", "eleve's")}, Format::Zip);
  const Submission eleve = open_submission(c, "\xc3\xa9l\xc3\xa8ve", s.dir / "u-eleve");
  f = find_submitted_file(eleve, ex03, shown);
  CHECK(f.status == FoundFile::Status::Found);
  CHECK(shown == "\xc3\xa9l\xc3\xa8ve.zip/\xc3\x9c" "bung 3/exercise_03_tanh.cpp");

  const Submission carol = open_submission(c, "carol", s.dir / "u-carol");
  CHECK(carol.folder.empty());
  f = find_submitted_file(carol, ex03, shown);
  CHECK(f.status == FoundFile::Status::Found);
  CHECK(shown == "carol.zip/carol/exercise_03_tanh.cpp");

  // An archive inside an archive is named, not unpacked.
  write_archive(s.dir / "inner.zip", {entry_file("exercise_04_cross_entropy.cpp", "x")}, Format::Zip);
  write_archive(c / "nested.tar.gz", {entry_file("week4/inner.zip", read_text(s.dir / "inner.zip"))});
  const Submission nested = open_submission(c, "nested", s.dir / "u-nested");
  f = find_submitted_file(nested, *find_exercise(4), shown);
  CHECK(f.status == FoundFile::Status::Missing);
  CHECK(f.reason.find("found the archive nested.tar.gz/week4/inner.zip inside it, which the checker does not unpack") != std::string::npos);

  const Submission mallory = open_submission(c, "mallory", s.dir / "u-mallory");
  f = find_submitted_file(mallory, ex03, shown);
  CHECK(f.status == FoundFile::Status::Refused);
  CHECK(f.reason == "the archive mallory.tar.gz was not unpacked: it holds a symbolic link: l -> /etc");
}

TEST_SUITE_END();
