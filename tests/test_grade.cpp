// `checker grade`'s pieces that need no compiler: hidden instances, weights, what a submission may
// include. (The whole command, hostile submissions and all, is tests/grade_test.sh.)
#include "common/json.hpp"
#include "grade/grade.hpp"
#include "grade/gradebook.hpp"
#include "grade/grading.hpp"
#include "grade/weights.hpp"
#include "grade/submissions.hpp"
#include "grade/toolchain.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("hidden instances: the default one, then sizes drawn within the documented range") {
  for (const auto& info : all_exercises()) {
    CAPTURE(info.id());
    const Instance d = grading_instance(info, kDefaultSeed);
    for (const auto& s : info.sizes) CHECK(d.sizes.at(s.letter) == s.default_value);
    bool some_differs = info.sizes.empty();
    for (std::uint64_t seed : {11u, 12345u, 987654321u, 42u, 7u}) {
      const Instance in = grading_instance(info, seed);
      CHECK(in.seed == seed);
      const Instance again = grading_instance(info, seed);
      CHECK(again.sizes == in.sizes);  // the same on every run and machine
      for (const auto& s : info.sizes) {
        CAPTURE(s.letter);
        const auto [lo, hi] = grading_range(info, s);
        const auto v = in.sizes.at(s.letter);
        CHECK(v >= lo);
        CHECK(v <= hi);
        CHECK(v >= s.min);
        CHECK(v <= s.max);
        if (!s.varies_when_graded) CHECK(v == s.default_value);
        if (info.trains) CHECK(v <= s.default_value);  // the time budget holds
        some_differs = some_differs || v != s.default_value;
      }
    }
    CHECK(some_differs);  // a hard-coded shape fails somewhere
  }
}

TEST_CASE("an experiment's rows are asked on the instance that ran it, every gradient on every instance") {
  const ExerciseInfo& info = *find_exercise(11);
  REQUIRE(info.experiment);
  const std::size_t grads = info.gradients.size(), rows = row_names(info).size();
  REQUIRE(rows > grads);
  CheckResult ran, skipped, plain;
  ran.info = skipped.info = &info;
  ran.experiment = ExperimentResult{};
  ran.experiment->steps = 200;
  skipped.experiment = ExperimentResult{};  // S = 0: the runner ran no experiment
  for (std::size_t i = 0; i < rows; ++i) {
    CAPTURE(i);
    CHECK(row_asked(ran, i));
    CHECK(row_asked(skipped, i) == (i < grads));
  }
  plain.info = find_exercise(8);  // training rows are asked on every instance
  for (std::size_t i = 0; i < row_names(*plain.info).size(); ++i) CHECK(row_asked(plain, i));
}

TEST_CASE("exercise 13's training row is asked on the instance that trained, every gradient on every instance") {
  const ExerciseInfo& info = *find_exercise(13);
  REQUIRE(info.trains_rnn);
  const std::size_t grads = info.gradients.size();
  REQUIRE(row_names(info).size() == grads + 1);
  CHECK(row_names(info).back() == "training");
  CheckResult trained, skipped;
  trained.info = skipped.info = &info;
  trained.rnn_training = RnnTrainingResult{};
  trained.rnn_training->steps = 3000;
  skipped.rnn_training = RnnTrainingResult{};  // S = 0: the runner did not train
  for (std::size_t i = 0; i <= grads; ++i) {
    CAPTURE(i);
    CHECK(row_asked(trained, i));
    CHECK(row_asked(skipped, i) == (i < grads));
  }
}

TEST_CASE("exercise 16's training row is asked on the instance that trained, every gradient on every instance") {
  const ExerciseInfo& info = *find_exercise(16);
  REQUIRE(info.trains_values);
  const std::size_t grads = info.gradients.size();
  REQUIRE(row_names(info).size() == grads + 1);
  CHECK(row_names(info).back() == "training");
  CheckResult trained, skipped;
  trained.info = skipped.info = &info;
  trained.sizes = {{"S", 100}};
  skipped.sizes = {{"S", 0}};  // the runner did not train: no training row
  for (std::size_t i = 0; i <= grads; ++i) {
    CAPTURE(i);
    CHECK(row_asked(trained, i));
    CHECK(row_asked(skipped, i) == (i < grads));
  }
}

TEST_CASE("identical files are built once: the first claim builds, the others wait for it and reuse what it gave") {
  BuildCache cache;
  CHECK_FALSE(cache.claim(3, "a file"));  // nothing kept: this caller builds
  std::atomic<bool> answered{false};
  std::optional<BuildCache::Outcome> got;
  std::thread second([&] {
    got = cache.claim(3, "a file");
    answered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(answered.load());  // waits while the build is under way
  BuildCache::Outcome built;
  built.linked = true;
  built.runner = "/kept/exercise_03-0";
  cache.finish(3, "a file", built);
  second.join();
  REQUIRE(got);
  CHECK(got->linked);
  CHECK(got->runner == "/kept/exercise_03-0");
  // Another byte, or another exercise, is another build.
  CHECK_FALSE(cache.claim(3, "a file "));
  CHECK_FALSE(cache.claim(4, "a file"));
  // A failed build's outcome is kept as it ended.
  BuildCache::Outcome failed;
  failed.status = GradeStatus::CompileError;
  failed.compiler_output = {"exercise_04.cpp:3:1: error: expected ';'"};
  cache.finish(4, "a file", failed);
  const auto again = cache.claim(4, "a file");
  REQUIRE(again);
  CHECK_FALSE(again->linked);
  CHECK(again->compiler_output == failed.compiler_output);
  // A build abandoned (the compiler could not be started) is claimed again, not answered.
  cache.abandon(3, "a file ");
  CHECK_FALSE(cache.claim(3, "a file "));
  CHECK(cache.reuses() == 2);
  CHECK(cache.ticket() != cache.ticket());
}

TEST_CASE("grading ranges: half to twice the default, within the letter's own range") {
  const ExerciseInfo& tanh = *find_exercise(3);
  const SizeSpec& n = tanh.sizes.at(0);  // N, default 8, range 1..512
  CHECK(grading_range(tanh, n) == std::make_pair(std::int64_t{4}, std::int64_t{16}));
  const ExerciseInfo& train = *find_exercise(8);
  for (const auto& s : train.sizes) {
    CAPTURE(s.letter);
    const auto [lo, hi] = grading_range(train, s);
    if (s.letter == "S") CHECK((lo == s.default_value && hi == s.default_value));
    else CHECK((lo == (s.default_value + 1) / 2 && hi == s.default_value));
  }
}

TEST_CASE("weights: defaults, overrides, and one-line errors") {
  const Weights d = parse_weights("", "w");
  CHECK(d.points.at(3) == 10.0);
  CHECK(d.gradient.at(3).at("dx") == 1.0);
  CHECK(d.gradient.at(8).at("training") == 21.0);  // half of exercise 08 (14 gradients, 7 updates)
  const Weights w = parse_weights("# a comment\n\nexercise_03 = 20\nexercise_02.dW = 0  # no credit\n", "w");
  CHECK(w.points.at(3) == 20.0);
  CHECK(w.gradient.at(2).at("dW") == 0.0);
  CHECK(w.gradient.at(2).at("dx") == 1.0);
  // What is written is read back the same.
  const Weights back = parse_weights(format_weights(w), "again");
  CHECK(back.points == w.points);
  CHECK(back.gradient == w.gradient);
  struct Bad {
    const char* text;
    const char* says;
  };
  for (const Bad& b : {Bad{"exercise_03 10", "expected"}, Bad{"exercise_33 = 1", "no exercise named"},
                       Bad{"exercise_03.dW = 1", "has no gradient 'dW'"}, Bad{"exercise_03 = ten", "not a number"},
                       Bad{"exercise_03 = -1", ">= 0"}, Bad{"exercise_03 = 1 2", "not a number"}}) {
    CAPTURE(b.text);
    try {
      parse_weights(b.text, "weights.txt");
      FAIL("accepted");
    } catch (const SetupError& e) {
      const std::string m = e.what();
      CHECK(m.find("weights.txt:1: ") == 0);
      CHECK(m.find(b.says) != std::string::npos);
      CHECK(m.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("a submission may include the standard library, Eigen and the workbook, nothing else") {
  const char* allowed[] = {
      "#include \"bpdojo/exercise_03_tanh.hpp\"\n#include <cmath>\n#include <vector>\n",
      "#include <Eigen/Dense>\n#include <math.h>\n#  include   <algorithm>\n",
      "// #include \"../solutions/exercise_03_tanh.cpp\"\n#include <cstdio>\n",
      "/* #include </etc/passwd>\n */\n",
      "const char* s = \"#include </etc/passwd>\";\n",
      "#include <bits/stdc++.h>\n"};
  for (const char* text : allowed) {
    CAPTURE(text);
    CHECK(refused_includes(text).empty());
  }
  const char* refused[] = {
      "#include \"../../solutions/exercise_03_tanh.cpp\"\n",
      "#include \"/work/solutions/exercise_03_tanh.cpp\"\n",
      "#include </dev/zero>\n",
      "#include \"helpers/util.hpp\"\n",
      "#include <unistd.h>\n",
      "#define F \"x.cpp\"\n#include F\n",
      "#inc\\\nlude \"../x.cpp\"\n",
      "asm(\".incbin \\\"/etc/passwd\\\"\");\n",
      "#include_next <vector>\n",
      "#embed \"/etc/passwd\"\n"};
  for (const char* text : refused) {
    CAPTURE(text);
    const std::string why = refused_includes(text);
    CHECK(!why.empty());
    CHECK(why.find('\n') == std::string::npos);
  }
}

TEST_CASE("the compiler's dependency list: only the workbook's headers besides the source") {
  const std::filesystem::path src = "/tmp/s/exercise_03_tanh.cpp";
  const std::vector<std::filesystem::path> allowed = {"/w/workbook/bpdojo", "/w/build/pch"};
  CHECK(refused_dependencies("x.o: /tmp/s/exercise_03_tanh.cpp /w/build/pch/cmake_pch.hxx \\\n /w/workbook/bpdojo/learner.hpp\n",
                             src, allowed).empty());
  const std::string why =
      refused_dependencies("x.o: /tmp/s/exercise_03_tanh.cpp \\\n /w/solutions/exercise_03_tanh.cpp\n", src, allowed);
  CHECK(why.find("/w/solutions/exercise_03_tanh.cpp") != std::string::npos);
  // A name with an escaped space, and a path that climbs out of an allowed folder.
  CHECK(!refused_dependencies("x.o: /w/workbook/bpdojo/../../solutions/a\\ b.cpp\n", src, allowed).empty());
}

TEST_CASE("the precompiled header's folder, from GCC's compile command and from clang's") {
  using Dirs = std::vector<std::filesystem::path>;
  CHECK(forced_include_dirs({"/usr/bin/c++", "-O1", "-include", "/b/pch/cmake_pch.hxx", "-c", "x.cpp"}) == Dirs{"/b/pch"});
  CHECK(forced_include_dirs({"/usr/bin/clang++", "-Xclang", "-include-pch", "-Xclang", "/b/pch/cmake_pch.hxx.pch",
                             "-Xclang", "-include", "-Xclang", "/b/pch/cmake_pch.hxx", "-c", "x.cpp"}) == Dirs{"/b/pch"});
  CHECK(forced_include_dirs({"c++", "-include"}).empty());  // cut short: nothing, not the folder ""
}

TEST_CASE("a student id as the outputs write it: exact, but bytes that are not UTF-8 and backslashes") {
  CHECK(shown_id("alice") == "alice");
  CHECK(shown_id("new\nline\tand tab") == "new\nline\tand tab");
  CHECK(shown_id("caf\xc3\xa9") == "caf\xc3\xa9");                 // UTF-8 kept
  CHECK(shown_id("bad\xff\xfe") == "bad\\xff\\xfe");               // not UTF-8: \xNN
  CHECK(shown_id("\xc3") == "\\xc3");                            // a sequence cut short
  CHECK(shown_id("\xed\xa0\x80") == "\\xed\\xa0\\x80");          // a surrogate is not UTF-8
  CHECK(shown_id("back\\slash") == "back\\\\slash");              // the escape itself escaped
  CHECK(shown_id("a\\xff") != shown_id("a\xff"));                 // so no two ids collide
  CHECK(feedback_name(".") == ".");
  const std::string long_id(250, 'x');
  CHECK(feedback_name(long_id).size() < 250);
  CHECK(feedback_name(long_id) != feedback_name(long_id + "y"));
  CHECK(feedback_name(std::string(240, 'x') + "a").size() == feedback_name(std::string(240, 'x') + "b").size());
  CHECK(feedback_name(std::string(240, 'x') + "a") != feedback_name(std::string(240, 'x') + "b"));
}

// Of several links out of a submission, the refusal names the one named like the exercise's file,
// else the first folder link by name (directory order is no order).
TEST_CASE("a refusal for links out of a submission names the link that matters") {
  const fs::path root = fs::temp_directory_path() / ("bpdojo-links-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "sub");
  fs::create_directories(root / "outside");
  std::ofstream(root / "outside" / "x.cpp") << "x";
  for (const char* name : {"a_folder", "z_folder", "m_folder"}) fs::create_directory_symlink(root / "outside", root / "sub" / name);
  fs::create_symlink(root / "outside" / "x.cpp", root / "sub" / "exercise_03_tanh.cpp");
  fs::create_symlink(root / "outside" / "x.cpp", root / "sub" / "notes.cpp");
  FoundFile f = find_exercise_file(root / "sub", *find_exercise(3));
  CHECK(f.status == FoundFile::Status::Refused);
  CHECK(f.reason == "exercise_03_tanh.cpp is a link to a file outside the submission (not followed)");
  fs::remove(root / "sub" / "exercise_03_tanh.cpp");
  f = find_exercise_file(root / "sub", *find_exercise(3));
  CHECK(f.reason == "a_folder is a link to a folder outside the submission (not followed)");
  fs::remove_all(root);
}

TEST_SUITE_END();
