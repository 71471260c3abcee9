// SentencePiece (llama.cpp's llm_tokenizer_spm): start from UTF-8 characters,
// repeatedly merge the adjacent pair whose concatenation is the vocabulary
// token with the highest score (ties: leftmost), then emit each final symbol
// as its token or, failing that, byte by byte as <0xNN> tokens.
#include <queue>

#include "greenroute/engine/vocab/tokenizer.h"
#include "vocab/tokenizer_internal.h"
#include "vocab/unicode.h"

namespace greenroute::engine::vocab {
namespace {

struct Symbol {
  int prev;
  int next;
  std::size_t start;  // byte offset in the text
  std::size_t n;      // byte length; 0 once merged into its left neighbour
};

struct Bigram {
  int left;
  int right;
  float score;
  std::size_t size;
};

// Same order as llama.cpp's llm_bigram_spm::comparator, so equal-score pairs
// pop in the same order from the same std::priority_queue.
struct BigramLess {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return (l.score < r.score) || (l.score == r.score && l.left > r.left);
  }
};

}  // namespace

std::string escape_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    if (c == ' ') {
      out.append(kEscapedSpace);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string unescape_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, kEscapedSpace.size(), kEscapedSpace) == 0) {
      out.push_back(' ');
      i += kEscapedSpace.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::int32_t Tokenizer::byte_to_token(std::uint8_t byte) const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char hex_text[6] = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
  std::int32_t id = text_to_token(std::string_view(hex_text, 6));
  if (id >= 0) return id;
  const char raw = static_cast<char>(byte);
  id = text_to_token(std::string_view(&raw, 1));
  // llama.cpp throws here (std::out_of_range); a vocabulary without byte
  // tokens falls back to <unk>, or drops the byte when there is none.
  return id >= 0 ? id : data_.unk_id;
}

void Tokenizer::tokenize_spm(std::string_view text, std::vector<std::int32_t>& out) const {
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (std::size_t offs = 0; offs < text.size();) {
    const std::size_t n = std::min(unicode::utf8_len(text[offs]), text.size() - offs);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back(Symbol{index - 1, offs + n == text.size() ? -1 : index + 1, offs, n});
    offs += n;
  }
  if (symbols.empty()) return;

  std::priority_queue<Bigram, std::vector<Bigram>, BigramLess> queue;
  auto try_add = [&](int left, int right) {
    if (left == -1 || right == -1) return;
    const Symbol& l = symbols[static_cast<std::size_t>(left)];
    const Symbol& r = symbols[static_cast<std::size_t>(right)];
    const std::string_view merged = text.substr(l.start, l.n + r.n);
    const std::int32_t id = text_to_token(merged);
    if (id < 0) return;
    const float score = data_.scores.empty() ? 0.0f : data_.scores[static_cast<std::size_t>(id)];
    queue.push(Bigram{left, right, score, merged.size()});
  };

  for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = symbols[static_cast<std::size_t>(b.left)];
    Symbol& r = symbols[static_cast<std::size_t>(b.right)];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // stale
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  // Every merged symbol is a token by construction; single characters that
  // are not fall back to bytes (llama.cpp's resegment).
  for (int i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
    const Symbol& s = symbols[static_cast<std::size_t>(i)];
    const std::string_view piece = text.substr(s.start, s.n);
    const std::int32_t id = text_to_token(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (const char c : piece) {
      const std::int32_t byte_id = byte_to_token(static_cast<std::uint8_t>(c));
      if (byte_id >= 0) out.push_back(byte_id);
    }
  }
}

}  // namespace greenroute::engine::vocab
