#include "vocab/pre_tokenizer.h"

#include <array>
#include <cstdint>

#include "vocab/unicode.h"

namespace greenroute::engine::vocab {
namespace {

using unicode::kLetter;
using unicode::kNumber;
using unicode::kWhitespace;

constexpr std::uint32_t kOutOfRange = 0xFFFFFFFF;

// The names llama.cpp's llama_vocab::impl::load maps onto these four patterns,
// with the flags it sets alongside.
constexpr std::array kPreTokenizers = {
    PreTokenizerInfo{"llama3", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"llama-v3", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"llama-bpe", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"falcon3", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"falcon-h1", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"pixtral", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"midm-2.0", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"lfm2", PreTokenizer::kLlama3, true, true, true},
    PreTokenizerInfo{"dbrx", PreTokenizer::kLlama3, false, true, false},
    PreTokenizerInfo{"smaug-bpe", PreTokenizer::kLlama3, false, true, false},
    PreTokenizerInfo{"gpt-2", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"phi-2", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"jina-es", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"jina-de", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"gigachat", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"jina-v2-es", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"jina-v2-de", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"a.x-4.0", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"mellum", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"modern-bert", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"mpt", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"olmo", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"jais", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"exaone4", PreTokenizer::kGpt2, false, true, false},
    PreTokenizerInfo{"trillion", PreTokenizer::kGpt2, false, false, false},
    PreTokenizerInfo{"granite-docling", PreTokenizer::kGpt2, false, false, false},
    PreTokenizerInfo{"qwen2", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"deepseek-r1-qwen", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"kormo", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"f2llmv2", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"megrez", PreTokenizer::kQwen2, false, true, false},
    PreTokenizerInfo{"stablelm2", PreTokenizer::kQwen2, false, true, false},
    PreTokenizerInfo{"hunyuan", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"solar-open", PreTokenizer::kQwen2, false, false, false},
    PreTokenizerInfo{"smollm", PreTokenizer::kSmollm, false, false, false},
    PreTokenizerInfo{"starcoder", PreTokenizer::kSmollm, false, true, false},
    PreTokenizerInfo{"refact", PreTokenizer::kSmollm, false, true, false},
    PreTokenizerInfo{"command-r", PreTokenizer::kSmollm, false, false, false},
    PreTokenizerInfo{"codeshell", PreTokenizer::kSmollm, false, true, false},
    PreTokenizerInfo{"exaone", PreTokenizer::kSmollm, false, true, false},
    PreTokenizerInfo{"minerva-7b", PreTokenizer::kSmollm, false, true, false},
    PreTokenizerInfo{"mellum2", PreTokenizer::kSmollm, false, true, false},
    // An absent tokenizer.ggml.pre means "default" to llama.cpp.
    PreTokenizerInfo{"", PreTokenizer::kDefault, false, true, false},
    PreTokenizerInfo{"default", PreTokenizer::kDefault, false, true, false},
};

// One pass of a splitter over the pieces a previous pass produced. Offsets
// are piece lengths in code points, as in llama.cpp.
class Pass {
 public:
  Pass(const std::vector<std::uint32_t>& cpts, const std::vector<std::uint16_t>& flags)
      : cpts_(cpts), flags_(flags) {}

  void begin(std::size_t ini, std::size_t end) {
    ini_ = ini;
    end_ = end;
    prev_end_ = ini;
  }
  std::uint32_t cpt(std::size_t pos) const { return pos >= ini_ && pos < end_ ? cpts_[pos] : kOutOfRange; }
  std::uint16_t flags(std::size_t pos) const { return pos >= ini_ && pos < end_ ? flags_[pos] : 0; }
  std::size_t end() const { return end_; }
  // Closes the piece at `end`; returns its length.
  std::size_t add(std::size_t end) {
    const std::size_t len = end - prev_end_;
    if (len > 0) out.push_back(len);
    prev_end_ = end;
    return len;
  }

  std::vector<std::size_t> out;

 private:
  const std::vector<std::uint32_t>& cpts_;
  const std::vector<std::uint16_t>& flags_;
  std::size_t ini_ = 0, end_ = 0, prev_end_ = 0;
};

std::uint32_t ascii_lower(std::uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// 's|'t|'re|'ve|'m|'ll|'d at pos (case-folded when `fold`): returns the match
// length in code points, 0 if none.
std::size_t contraction(const Pass& p, std::size_t pos, bool fold) {
  if (p.cpt(pos) != '\'' || pos + 1 >= p.end()) return 0;
  auto at = [&](std::size_t i) { return fold ? ascii_lower(p.cpt(i)) : p.cpt(i); };
  const std::uint32_t c1 = at(pos + 1);
  if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
  if (pos + 2 < p.end()) {
    const std::uint32_t c2 = at(pos + 2);
    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
  }
  return 0;
}

constexpr std::uint16_t kWordOrSpace = kWhitespace | kLetter | kNumber;

// The tail both the GPT-2 and the Llama 3 patterns share, `\s+(?!\S)|\s+`,
// else a code point on its own: where the piece starting at pos ends, given
// the length n_ws of the whitespace run there.
std::size_t whitespace_or_single_end(const Pass& p, std::size_t pos, std::size_t n_ws) {
  if (n_ws > 1 && p.cpt(pos + n_ws) != kOutOfRange) return pos + n_ws - 1;  // \s+(?!\S)
  if (n_ws > 0) return pos + n_ws;                                          // \s+
  return pos + 1;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void split_gpt2_piece(Pass& p, std::size_t ini) {
  for (std::size_t pos = ini; pos < p.end();) {
    const std::uint32_t c = p.cpt(pos);
    if (const std::size_t n = contraction(p, pos, false); n > 0) {
      pos += p.add(pos + n);
      continue;
    }
    std::uint16_t f2 = c == ' ' ? p.flags(pos + 1) : p.flags(pos);
    if (f2 & kLetter) {
      pos += (c == ' ');
      while (f2 & kLetter) f2 = p.flags(++pos);
      p.add(pos);
      continue;
    }
    if (f2 & kNumber) {
      pos += (c == ' ');
      while (f2 & kNumber) f2 = p.flags(++pos);
      p.add(pos);
      continue;
    }
    if (!(f2 & kWordOrSpace) && f2 != 0) {
      pos += (c == ' ');
      while (!(f2 & kWordOrSpace) && f2 != 0) f2 = p.flags(++pos);
      p.add(pos);
      continue;
    }
    std::size_t n_ws = 0;
    while (p.flags(pos + n_ws) & kWhitespace) ++n_ws;
    pos = whitespace_or_single_end(p, pos, n_ws);
    p.add(pos);
  }
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
void split_llama3_piece(Pass& p, std::size_t ini, std::size_t max_digits) {
  auto is_crlf = [](std::uint32_t c) { return c == '\r' || c == '\n'; };
  for (std::size_t pos = ini; pos < p.end();) {
    const std::uint32_t c = p.cpt(pos);
    const std::uint16_t f = p.flags(pos);
    if (const std::size_t n = contraction(p, pos, true); n > 0) {
      pos += p.add(pos + n);
      continue;
    }
    if (!(is_crlf(c) || (f & kNumber))) {
      if ((f & kLetter) || (p.flags(pos + 1) & kLetter)) {
        ++pos;
        while (p.flags(pos) & kLetter) ++pos;
        p.add(pos);
        continue;
      }
    }
    if (f & kNumber) {
      std::size_t run_start = pos;
      while (p.flags(pos) & kNumber) {
        if (++pos - run_start >= max_digits) {
          p.add(pos);
          run_start = pos;
        }
      }
      p.add(pos);
      continue;
    }
    // llama.cpp tests the current code point's flags here, not the next one's.
    std::uint16_t f2 = c == ' ' ? p.flags(pos + 1) : f;
    if (!(f2 & kWordOrSpace) && f != 0) {
      pos += (c == ' ');
      while (!(f2 & kWordOrSpace) && f2 != 0) f2 = p.flags(++pos);
      while (is_crlf(p.cpt(pos))) ++pos;
      p.add(pos);
      continue;
    }
    std::size_t n_ws = 0;
    std::size_t last_crlf_end = 0;
    while (p.flags(pos + n_ws) & kWhitespace) {
      if (is_crlf(p.cpt(pos + n_ws))) last_crlf_end = pos + n_ws + 1;
      ++n_ws;
    }
    if (last_crlf_end > 0) {  // \s*[\r\n]+
      pos = last_crlf_end;
      p.add(pos);
      continue;
    }
    pos = whitespace_or_single_end(p, pos, n_ws);
    p.add(pos);
  }
}

// \p{N}: each number code point alone, the text between kept whole.
void split_numbers_piece(Pass& p, std::size_t ini) {
  for (std::size_t pos = ini; pos < p.end(); ++pos) {
    if (p.flags(pos) & kNumber) {
      p.add(pos);
      p.add(pos + 1);
    }
  }
  p.add(p.end());
}

// Splits each piece into runs of code points that satisfy `in_run`, and the
// text between them: how a std::regex of the form [set]+ cuts a piece.
template <typename Pred>
void split_runs_piece(Pass& p, std::size_t ini, Pred in_run) {
  for (std::size_t pos = ini; pos < p.end();) {
    if (!in_run(pos)) {
      ++pos;
      continue;
    }
    p.add(pos);
    while (pos < p.end() && in_run(pos)) ++pos;
    p.add(pos);
  }
  p.add(p.end());
}

// [\p{P}\$\+<=>\^~\|]+ as llama.cpp evaluates it on its "collapsed" text: ASCII
// is matched literally (ASCII punctuation and $+<=>^~|, not `), other code
// points by category, with non-ASCII whitespace never matching.
bool is_default_punct(std::uint32_t c, std::uint16_t f) {
  if (c < 0x80) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    return c >= 0x21 && c <= 0x7E && !alnum && c != '`';
  }
  return !(f & kWhitespace) && (f & unicode::kPunctuation);
}

// \p{N} on the collapsed text: ASCII digits, or non-ASCII numbers.
bool is_collapsed_number(std::uint32_t c, std::uint16_t f) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return !(f & kWhitespace) && (f & kNumber);
}

// [0-9][0-9][0-9]: leftmost triples of ASCII digits.
void split_digit_triples_piece(Pass& p, std::size_t ini) {
  auto digit = [&](std::size_t i) { return p.cpt(i) >= '0' && p.cpt(i) <= '9'; };
  for (std::size_t pos = ini; pos < p.end();) {
    if (digit(pos) && digit(pos + 1) && digit(pos + 2)) {
      p.add(pos);
      p.add(pos + 3);
      pos += 3;
    } else {
      ++pos;
    }
  }
  p.add(p.end());
}

enum class Pattern { kGpt2, kLlama3, kQwen2, kNumbers, kDefaultPunct, kNumberRuns, kDigitTriples };

std::vector<std::size_t> run_pass(const std::vector<std::uint32_t>& cpts, const std::vector<std::uint16_t>& flags,
                                  const std::vector<std::size_t>& pieces, Pattern pattern) {
  Pass p(cpts, flags);
  std::size_t start = 0;
  for (const std::size_t len : pieces) {
    p.begin(start, start + len);
    switch (pattern) {
      case Pattern::kGpt2: split_gpt2_piece(p, start); break;
      case Pattern::kLlama3: split_llama3_piece(p, start, 3); break;
      case Pattern::kQwen2: split_llama3_piece(p, start, 1); break;
      case Pattern::kNumbers: split_numbers_piece(p, start); break;
      case Pattern::kDefaultPunct:
        split_runs_piece(p, start, [&](std::size_t i) { return is_default_punct(cpts[i], flags[i]); });
        break;
      case Pattern::kNumberRuns:
        split_runs_piece(p, start, [&](std::size_t i) { return is_collapsed_number(cpts[i], flags[i]); });
        break;
      case Pattern::kDigitTriples: split_digit_triples_piece(p, start); break;
    }
    start += len;
  }
  return std::move(p.out);
}

}  // namespace

const PreTokenizerInfo* find_pre_tokenizer(std::string_view name) {
  for (const auto& info : kPreTokenizers) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<std::string> split_words(std::string_view text, PreTokenizer pre) {
  const std::vector<std::uint32_t> cpts = unicode::cpts_from_utf8(text);
  std::vector<std::uint16_t> flags(cpts.size());
  for (std::size_t i = 0; i < cpts.size(); ++i) flags[i] = unicode::flags(cpts[i]);

  std::vector<std::size_t> pieces = {cpts.size()};
  switch (pre) {
    case PreTokenizer::kNone: break;
    case PreTokenizer::kGpt2: pieces = run_pass(cpts, flags, pieces, Pattern::kGpt2); break;
    case PreTokenizer::kLlama3: pieces = run_pass(cpts, flags, pieces, Pattern::kLlama3); break;
    case PreTokenizer::kQwen2: pieces = run_pass(cpts, flags, pieces, Pattern::kQwen2); break;
    case PreTokenizer::kSmollm:
      pieces = run_pass(cpts, flags, pieces, Pattern::kNumbers);
      pieces = run_pass(cpts, flags, pieces, Pattern::kGpt2);
      break;
    case PreTokenizer::kDefault:
      pieces = run_pass(cpts, flags, pieces, Pattern::kDefaultPunct);
      pieces = run_pass(cpts, flags, pieces, Pattern::kGpt2);
      pieces = run_pass(cpts, flags, pieces, Pattern::kNumberRuns);
      pieces = run_pass(cpts, flags, pieces, Pattern::kDigitTriples);
      break;
  }

  std::vector<std::string> words;
  words.reserve(pieces.size());
  std::size_t start = 0;
  for (const std::size_t len : pieces) {
    if (len == 0) continue;
    std::string w;
    for (std::size_t i = start; i < start + len; ++i) unicode::append_utf8(cpts[i], w);
    words.push_back(std::move(w));
    start += len;
  }
  return words;
}

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer pre) {
  std::vector<std::string> words = split_words(text, pre);
  for (std::string& w : words) {
    std::string encoded;
    encoded.reserve(w.size() * 2);
    for (const char ch : w) encoded += unicode::byte_to_utf8(static_cast<std::uint8_t>(ch));
    w = std::move(encoded);
  }
  return words;
}

}  // namespace greenroute::engine::vocab
