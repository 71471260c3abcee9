// Byte-level BPE (llama.cpp's llm_tokenizer_bpe_session): pre-tokenize into
// byte-encoded words, then within each word repeatedly merge the adjacent
// pair with the lowest merge rank (ties: leftmost). Final symbols that are not
// tokens are emitted byte by byte where single-byte tokens exist, and dropped
// otherwise, exactly as llama.cpp does.
#include <queue>

#include "greenroute/engine/vocab/tokenizer.h"
#include "vocab/pre_tokenizer.h"
#include "vocab/tokenizer_internal.h"
#include "vocab/unicode.h"

namespace greenroute::engine::vocab {
namespace {

struct Symbol {
  int prev;
  int next;
  std::size_t start;
  std::size_t n;
};

struct Bigram {
  int left;
  int right;
  std::string text;
  int rank;
};

// llama.cpp's llm_bigram_bpe::comparator: lowest rank first, then leftmost.
struct BigramAfter {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.rank > r.rank || (l.rank == r.rank && l.left > r.left);
  }
};

}  // namespace

void Tokenizer::tokenize_bpe(std::string_view text, std::vector<std::int32_t>& out) const {
  const std::vector<std::string> words = pre_tokenize(text, pre_);
  std::vector<std::string> finals;  // the surviving symbols of every word, in order
  std::vector<Symbol> symbols;

  for (const std::string& word : words) {
    symbols.clear();
    std::priority_queue<Bigram, std::vector<Bigram>, BigramAfter> queue;
    std::size_t offset = 0;
    if (ignore_merges_ && text_to_token(word) >= 0) {
      symbols.push_back(Symbol{-1, -1, 0, word.size()});
      offset = word.size();
    }
    while (offset < word.size()) {
      const std::size_t n = std::min(word.size() - offset, unicode::utf8_len(word[offset]));
      const int index = static_cast<int>(symbols.size());
      symbols.push_back(Symbol{index - 1, offset + n == word.size() ? -1 : index + 1, offset, n});
      offset += n;
    }

    auto piece = [&](int i) {
      const Symbol& s = symbols[static_cast<std::size_t>(i)];
      return std::string(word, s.start, s.n);
    };
    auto add_bigram = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      std::string l = piece(left);
      std::string r = piece(right);
      const int rank = bpe_rank(l, r);
      if (rank < 0) return;
      queue.push(Bigram{left, right, l + r, rank});
    };

    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) add_bigram(i - 1, i);

    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& l = symbols[static_cast<std::size_t>(b.left)];
      Symbol& r = symbols[static_cast<std::size_t>(b.right)];
      if (l.n == 0 || r.n == 0) continue;
      if (piece(b.left) + piece(b.right) != b.text) continue;  // outdated
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = b.left;
      add_bigram(l.prev, b.left);
      add_bigram(b.left, l.next);
    }

    for (const Symbol& s : symbols) {
      if (s.n > 0) finals.emplace_back(word, s.start, s.n);
    }
  }

  for (const std::string& s : finals) {
    const std::int32_t id = text_to_token(s);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (const char c : s) {
      const std::int32_t byte_id = text_to_token(std::string_view(&c, 1));
      if (byte_id >= 0) out.push_back(byte_id);
    }
  }
}

}  // namespace greenroute::engine::vocab
