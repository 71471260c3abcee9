// Token ids back to text: llama.cpp's token_to_piece and detokenize,
// including its clean-up of tokenization spaces for the BPE pre-tokenizers
// that ask for it.
#include <cstdio>

#include "greenroute/engine/vocab/tokenizer.h"
#include "vocab/tokenizer_internal.h"
#include "vocab/unicode.h"

namespace greenroute::engine::vocab {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// llama_decode_text: each code point of a byte-level token back to its byte;
// code points outside GPT-2's table are written as llama.cpp writes them.
std::string decode_byte_level(const std::string& text) {
  std::string out;
  for (const std::uint32_t cpt : unicode::cpts_from_utf8(text)) {
    std::string utf8;
    unicode::append_utf8(cpt, utf8);
    const int b = unicode::utf8_to_byte(utf8);
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
      continue;
    }
    out += "[UNK_BYTE_0x";
    for (const char c : utf8) {
      char hex[3];
      std::snprintf(hex, sizeof(hex), "%02x", static_cast<unsigned>(static_cast<std::uint8_t>(c)));
      out += hex;
    }
    out += text + "]";
  }
  return out;
}

// llama.cpp's three clean_spaces passes, ported as written (in place).
void clean_spaces(std::string& t) {
  int total = static_cast<int>(t.size());
  // " ?", " !", " .", " ," lose their space.
  const int total1 = total;
  total = total ? 1 : 0;
  for (int i = 1; i < total1; ++i) {
    const char x = t[static_cast<std::size_t>(i)];
    if (t[static_cast<std::size_t>(i - 1)] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --total;
    t[static_cast<std::size_t>(total++)] = x;
  }
  // " ' " becomes "'".
  const int total2 = total;
  total = total ? 1 : 0;
  for (int i = 1; i < total2; ++i) {
    const char x = t[static_cast<std::size_t>(i)];
    if (x == '\'' && i + 1 < total2 && t[static_cast<std::size_t>(i - 1)] == ' ' &&
        t[static_cast<std::size_t>(i + 1)] == ' ') {
      --total;
      t[static_cast<std::size_t>(++i)] = '\0';
    }
    t[static_cast<std::size_t>(total++)] = x;
  }
  // " 's", " 'm", " 're", " 've" lose their space.
  const int total3 = total;
  total = total ? 1 : 0;
  for (int i = 1; i < total3; ++i) {
    const char x = t[static_cast<std::size_t>(i)];
    if (t[static_cast<std::size_t>(i - 1)] == ' ' && x == '\'' && i + 1 < total3) {
      const char x1 = t[static_cast<std::size_t>(i + 1)];
      if (x1 == 's' || x1 == 'm') {
        --total;
      } else if (i + 2 < total3) {
        const char x2 = t[static_cast<std::size_t>(i + 2)];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --total;
      }
    }
    t[static_cast<std::size_t>(total++)] = x;
  }
  t.resize(static_cast<std::size_t>(total));
}

}  // namespace

std::string Tokenizer::token_to_piece(std::int32_t id, bool special) const {
  if (id < 0 || id >= n_vocab()) return {};
  const std::uint32_t a = attrs_[static_cast<std::size_t>(id)];
  if (!special && (a & (kAttrUnknown | kAttrControl))) return {};
  const std::string& text = data_.tokens[static_cast<std::size_t>(id)];
  if (a & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return text;
  if (a & kAttrNormal) return type_ == VocabType::kSpm ? unescape_spaces(text) : decode_byte_level(text);
  if (a & kAttrByte) {
    // "<0xNN>" (llama.cpp reads the two characters at offset 3 as hex).
    if (text.size() < 5) return {};
    const int hi = hex_digit(text[3]);
    const int lo = hex_digit(text[4]);
    // strtol semantics: no leading hex digit reads as 0, one digit as itself.
    const int value = hi < 0 ? 0 : (lo < 0 ? hi : hi * 16 + lo);
    return std::string(1, static_cast<char>(value));
  }
  return {};  // unused / undefined tokens render as nothing
}

std::string Tokenizer::detokenize(std::span<const std::int32_t> ids, bool remove_special,
                                  bool unparse_special) const {
  bool remove_space = data_.add_space_prefix;
  if (remove_special && data_.add_bos && !ids.empty() && ids.front() == data_.bos_id) {
    remove_space = false;
    ids = ids.subspan(1);
  }
  if (remove_special && data_.add_eos && !ids.empty() && ids.back() == data_.eos_id) {
    ids = ids.first(ids.size() - 1);
  }
  std::string out;
  for (const std::int32_t id : ids) {
    std::string piece = token_to_piece(id, unparse_special);
    if (remove_space && !piece.empty() && piece.front() == ' ') piece.erase(0, 1);
    remove_space = false;
    out += piece;
  }
  if (clean_spaces_) clean_spaces(out);
  return out;
}

}  // namespace greenroute::engine::vocab
