// Backprop Dojo: the names dataset of the character-level model (exercises 06 to 08).
//
// A file of names, one per line (data/names.txt, or the learner's own). The vocabulary is '.' (the
// start and end of a name) as index 0, then every character found in the file, sorted. Each name
// gives one example per character plus one for the final '.', with a context of the block_size
// characters before it ('.' before the start): "emma" with block size 3 gives
//     ... -> e,  ..e -> m,  .em -> m,  emm -> a,  mma -> .
// The names are shuffled with the workbook's generator and split 80/10/10 into train, dev and test,
// as in the lecture (the split is by names, so no name is in two splits).
#pragma once

#include "bpdojo/tensor.hpp"

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace bpdojo {

// A bad names file: the message names the file and, for a bad line, the line number.
struct DatasetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Vocabulary {
 public:
  Vocabulary() = default;
  explicit Vocabulary(std::vector<std::string> chars);  // chars[0] must be "."
  int size() const { return static_cast<int>(itos_.size()); }
  const std::string& itos(int i) const { return itos_.at(static_cast<std::size_t>(i)); }  // one UTF-8 character
  int stoi(const std::string& ch) const;  // -1 when not in the vocabulary

 private:
  std::vector<std::string> itos_;
};

struct Split {
  std::vector<std::string> names;
  IntMatrix X;         // (n, block_size) context indices
  std::vector<int> Y;  // (n) the next character's index
};

struct NamesDataset {
  Vocabulary vocab;
  int block_size = 3;
  Split train, dev, test;
};

// Reads and splits a names file. Throws DatasetError for a missing or empty file, or a line that
// is empty or holds '.', white space, a control character or invalid UTF-8.
NamesDataset load_names(const std::filesystem::path& file, std::uint64_t shuffle_seed, int block_size = 3);
// The same from a stream; `label` names it in errors.
NamesDataset parse_names(std::istream& in, const std::string& label, std::uint64_t shuffle_seed, int block_size = 3);

// The split of the built-in names (the lecture splits with seed 42 too).
inline constexpr std::uint64_t kNamesSplitSeed = 42;
// data/names.txt as it was when the workbook was built (compiled in, so no runner or checker ever
// looks for a file), and its split with kNamesSplitSeed and block size 3, made once.
std::string_view builtin_names_text();
const NamesDataset& builtin_names();

// The examples of some names (used by load_names for each split).
void build_examples(const Vocabulary& vocab, int block_size, Split& split);

}  // namespace bpdojo
