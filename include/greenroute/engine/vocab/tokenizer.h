// Tokenizer: text <-> token ids, token for token as llama.cpp's llama_vocab
// (src/llama-vocab.cpp) for the two vocabulary types greenroute serves:
//   - SentencePiece ("llama"): spaces escaped to U+2581, optional space
//     prefix, bigram merges by score, byte fallback to <0xNN> tokens;
//   - byte-level BPE ("gpt2"): a pre-tokenizer split chosen by
//     tokenizer.ggml.pre ("gpt-2", "llama3"/"llama-bpe", "qwen2", "smollm",
//     their llama.cpp aliases, and llama.cpp's "default" when it is absent), GPT-2 byte-to-unicode mapping, merges by rank.
// Special tokens (CONTROL, USER_DEFINED, UNKNOWN types) are split out of the
// text first, longest text first, as llama.cpp's tokenizer_st_partition;
// CONTROL/UNKNOWN texts only when parse_special is true.
//
// Invalid UTF-8 never crashes: SentencePiece passes the raw bytes to byte
// fallback; BPE, as llama.cpp, decodes each invalid byte as U+FFFD.
//
// Thread contract: immutable after create(); all const methods are
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/vocab/vocab_data.h"

namespace greenroute::engine::vocab {

enum class VocabType { kSpm, kBpe };

// The BPE pre-tokenizer families llama.cpp distinguishes and we implement.
enum class PreTokenizer {
  kNone,    // SentencePiece: no pre-tokenizer
  kGpt2,    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kLlama3,  // (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kQwen2,   // as kLlama3 with \p{N} (one digit per piece)
  kSmollm,  // \p{N} split first, then the GPT-2 pattern
  kDefault, // llama.cpp's fallback when tokenizer.ggml.pre is absent or "default":
            // [\p{P}$+<=>^~|]+, then GPT-2, then \p{N}+, then [0-9][0-9][0-9]
};

class Tokenizer {
 public:
  // Validates the data (sizes, ids in range, unique token texts, known model
  // and pre-tokenizer) and builds the lookup tables.
  static core::Result<std::unique_ptr<Tokenizer>> create(VocabData data);

  // llama_tokenize: add_special adds BOS (and EOS) as the metadata says;
  // parse_special turns CONTROL/UNKNOWN token texts in `text` into their ids.
  std::vector<std::int32_t> tokenize(std::string_view text, bool add_special, bool parse_special) const;

  // llama_token_to_piece(lstrip=0): the bytes a token stands for. CONTROL and
  // UNKNOWN tokens give "" unless `special`; then their text verbatim. An id
  // out of range gives "".
  std::string token_to_piece(std::int32_t id, bool special = false) const;

  // llama_detokenize: concatenated pieces; drops the space prefix the
  // SentencePiece tokenizer added to the first token; remove_special drops a
  // leading BOS / trailing EOS when the vocabulary adds them; for BPE
  // pre-tokenizers with clean_spaces (gpt-2, llama3) it undoes " ," " 's" etc.
  std::string detokenize(std::span<const std::int32_t> ids, bool remove_special = false,
                         bool unparse_special = false) const;

  std::int32_t n_vocab() const { return static_cast<std::int32_t>(data_.tokens.size()); }
  VocabType type() const { return type_; }
  PreTokenizer pre_tokenizer() const { return pre_; }
  std::int32_t bos() const { return data_.bos_id; }
  std::int32_t eos() const { return data_.eos_id; }
  std::int32_t eot() const { return data_.eot_id; }
  std::int32_t unk() const { return data_.unk_id; }
  std::int32_t pad() const { return data_.pad_id; }
  bool add_bos() const { return data_.add_bos; }
  bool add_eos() const { return data_.add_eos; }
  // End of generation: EOS, EOT and tokens whose text llama.cpp treats as such.
  bool is_eog(std::int32_t id) const { return eog_ids_.count(id) > 0; }
  bool is_control(std::int32_t id) const;
  bool is_byte(std::int32_t id) const;
  const std::string& token_text(std::int32_t id) const;  // precondition: 0 <= id < n_vocab()
  // -1 when the text is not a token.
  std::int32_t text_to_token(std::string_view text) const;
  const std::string& chat_template() const { return data_.chat_template; }

  // Token attribute bits (llama.h's llama_token_attr), exposed for tests.
  static constexpr std::uint32_t kAttrUndefined = 0;
  static constexpr std::uint32_t kAttrUnknown = 1u << 0;
  static constexpr std::uint32_t kAttrUnused = 1u << 1;
  static constexpr std::uint32_t kAttrNormal = 1u << 2;
  static constexpr std::uint32_t kAttrControl = 1u << 3;
  static constexpr std::uint32_t kAttrUserDefined = 1u << 4;
  static constexpr std::uint32_t kAttrByte = 1u << 5;
  std::uint32_t attr(std::int32_t id) const;

 private:
  Tokenizer() = default;
  struct Fragment;
  struct PairHash {
    std::size_t operator()(const std::pair<std::string, std::string>& p) const;
  };
  // Lets token_to_id_ be searched with a string_view (no copy per lookup).
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<Fragment> partition_special(std::string_view text, bool parse_special) const;
  void tokenize_spm(std::string_view text, std::vector<std::int32_t>& out) const;
  void tokenize_bpe(std::string_view text, std::vector<std::int32_t>& out) const;
  std::int32_t byte_to_token(std::uint8_t byte) const;
  int bpe_rank(const std::string& left, const std::string& right) const;

  VocabData data_;
  VocabType type_ = VocabType::kSpm;
  PreTokenizer pre_ = PreTokenizer::kNone;
  bool ignore_merges_ = false;
  bool clean_spaces_ = false;
  std::vector<std::uint32_t> attrs_;
  std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> token_to_id_;
  std::unordered_map<std::pair<std::string, std::string>, int, PairHash> bpe_ranks_;
  std::vector<std::int32_t> special_by_length_;  // CONTROL|USER_DEFINED|UNKNOWN ids, longest text first
  std::set<std::int32_t> eog_ids_;
};

}  // namespace greenroute::engine::vocab
