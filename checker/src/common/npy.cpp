#include "common/npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace bpdojo {
namespace {

bool little_endian() {
  const std::uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

}  // namespace

void write_npy(const std::filesystem::path& path, const Shape& shape, const double* values) {
  if (!little_endian()) throw std::runtime_error("writing .npy needs a little-endian machine");
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) dict += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  dict += "), }";
  // magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  const auto header_len = static_cast<std::uint16_t>(dict.size());
  out.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {static_cast<char>(header_len & 0xFF), static_cast<char>(header_len >> 8)};
  out.write(len, 2);
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(numel(shape) * sizeof(double)));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

Tensor read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[10];
  if (!in.read(magic, 10) || std::memcmp(magic, "\x93NUMPY\x01\x00", 8) != 0)
    throw std::runtime_error(path.string() + ": not an .npy version 1.0 file");
  const std::size_t header_len = static_cast<unsigned char>(magic[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(magic[9])) << 8);
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) throw std::runtime_error(path.string() + ": short header");
  if (header.find("'descr': '<f8'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
    throw std::runtime_error(path.string() + ": not float64 in C order");
  const std::size_t open = header.find("'shape': (");
  const std::size_t close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos) throw std::runtime_error(path.string() + ": no shape");
  Shape shape;
  std::string dims = header.substr(open + 10, close - open - 10);
  std::size_t pos = 0;
  while (pos < dims.size()) {
    while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
    if (pos >= dims.size()) break;
    std::size_t used = 0;
    shape.push_back(std::stoll(dims.substr(pos), &used));
    pos += used;
  }
  Tensor t = Tensor::zeros(shape);
  if (!in.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.size() * static_cast<std::int64_t>(sizeof(double)))))
    throw std::runtime_error(path.string() + ": short data");
  return t;
}

}  // namespace bpdojo
