#include "bpdojo/names.hpp"

#include "bpdojo/rng.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace bpdojo {
namespace {

// Splits one line into UTF-8 characters, or says why it cannot.
std::vector<std::string> characters(const std::string& line, std::string& why) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > line.size()) {
      why = "invalid UTF-8";
      return {};
    }
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(line[i + k]) >> 6) != 0x2) {
        why = "invalid UTF-8";
        return {};
      }
    if (len == 1) {
      if (c == '.') {
        why = "a '.', which the vocabulary keeps for the start and end of a name";
        return {};
      }
      if (c == '\r') {
        why = "a carriage return (Windows line endings? convert the file with dos2unix)";
        return {};
      }
      if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
        why = "white space";
        return {};
      }
      if (c < 0x20 || c == 0x7F) {
        why = "a control character";
        return {};
      }
    }
    out.push_back(line.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

Vocabulary::Vocabulary(std::vector<std::string> chars) : itos_(std::move(chars)) {
  if (itos_.empty() || itos_[0] != ".") throw std::invalid_argument("a vocabulary starts with '.'");
}

int Vocabulary::stoi(const std::string& ch) const {
  const auto it = std::find(itos_.begin(), itos_.end(), ch);
  return it == itos_.end() ? -1 : static_cast<int>(it - itos_.begin());
}

void build_examples(const Vocabulary& vocab, int block_size, Split& split) {
  std::vector<int> rows;
  split.Y.clear();
  std::string why;
  for (const std::string& name : split.names) {
    std::vector<int> context(static_cast<std::size_t>(block_size), 0);
    std::vector<std::string> chars = characters(name, why);
    chars.push_back(".");
    for (const std::string& ch : chars) {
      const int ix = vocab.stoi(ch);
      if (ix < 0) throw DatasetError("character '" + ch + "' of '" + name + "' is not in the vocabulary");
      rows.insert(rows.end(), context.begin(), context.end());
      split.Y.push_back(ix);
      context.erase(context.begin());
      context.push_back(ix);
    }
  }
  split.X = Eigen::Map<const IntMatrix>(rows.data(), static_cast<Index>(split.Y.size()), block_size);
}

NamesDataset load_names(const std::filesystem::path& file, std::uint64_t shuffle_seed, int block_size) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DatasetError(file.string() + ": cannot be read (missing?)");
  return parse_names(in, file.string(), shuffle_seed, block_size);
}

const NamesDataset& builtin_names() {
  static const NamesDataset d = [] {
    std::istringstream in{std::string(builtin_names_text())};
    return parse_names(in, "data/names.txt (built in)", kNamesSplitSeed);
  }();
  return d;
}

NamesDataset parse_names(std::istream& in, const std::string& label, std::uint64_t shuffle_seed, int block_size) {
  const std::string file = label;
  std::vector<std::string> names;
  std::set<std::string> chars;
  std::string line, why;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) throw DatasetError(file + ":" + std::to_string(line_no) + ": an empty line");
    const std::vector<std::string> cs = characters(line, why);
    if (cs.empty()) throw DatasetError(file + ":" + std::to_string(line_no) + ": the name holds " + why);
    chars.insert(cs.begin(), cs.end());
    names.push_back(line);
  }
  if (names.empty()) throw DatasetError(file + ": no names in it");
  NamesDataset d;
  std::vector<std::string> itos = {"."};
  itos.insert(itos.end(), chars.begin(), chars.end());
  d.vocab = Vocabulary(std::move(itos));
  d.block_size = block_size;
  // Fisher-Yates with the workbook's generator: the same order on every platform.
  Rng rng = Rng(shuffle_seed).fork("names");
  for (std::size_t i = names.size(); i > 1; --i) std::swap(names[i - 1], names[rng.below(i)]);
  const std::size_t n1 = names.size() * 8 / 10, n2 = names.size() * 9 / 10;
  d.train.names.assign(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(n1));
  d.dev.names.assign(names.begin() + static_cast<std::ptrdiff_t>(n1), names.begin() + static_cast<std::ptrdiff_t>(n2));
  d.test.names.assign(names.begin() + static_cast<std::ptrdiff_t>(n2), names.end());
  for (Split* s : {&d.train, &d.dev, &d.test}) build_examples(d.vocab, block_size, *s);
  return d;
}

}  // namespace bpdojo
