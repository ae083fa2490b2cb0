#include "common/npy.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE(".npy files round-trip every shape, with a header numpy accepts") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "bpdojo_npy_test";
  std::filesystem::create_directories(dir);
  for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}, Shape{0, 3}}) {
    CAPTURE(to_string(shape));
    Tensor t = Tensor::zeros(shape);
    for (std::int64_t i = 0; i < t.size(); ++i) t.data()[i] = 0.1 * static_cast<double>(i) - 1.0 / 3.0;
    const auto path = dir / "t.npy";
    write_npy(path, t);
    // numpy: the header, magic included, is a multiple of 64 bytes and ends with a newline.
    const auto bytes = std::filesystem::file_size(path);
    CHECK((bytes - static_cast<std::uintmax_t>(t.size()) * 8) % 64 == 0);
    const Tensor back = read_npy(path);
    CHECK(back.shape == shape);
    REQUIRE(back.size() == t.size());
    for (std::int64_t i = 0; i < t.size(); ++i) CHECK(back.data()[i] == t.data()[i]);
  }
  std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
