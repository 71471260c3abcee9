// Tokenizer construction, lookups, special-token partitioning and the
// top-level tokenize() that dispatches raw-text fragments to the SentencePiece
// or BPE session (tokenize_spm.cc, tokenize_bpe.cc).
#include "greenroute/engine/vocab/tokenizer.h"

#include <algorithm>
#include <array>
#include <limits>

#include "greenroute/core/check.h"
#include "vocab/pre_tokenizer.h"
#include "vocab/tokenizer_internal.h"

namespace greenroute::engine::vocab {
namespace {

// Token texts llama.cpp takes for EOT when tokenizer.ggml.eot_token_id is absent.
constexpr std::array<std::string_view, 11> kEotTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "[EOT]", "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>",
    "<end_of_utterance>"};

// Token texts llama.cpp treats as end of generation (special_eog_ids).
constexpr std::array<std::string_view, 22> kEogTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>", "[e~["};

std::uint32_t attr_from_type(std::int32_t type) {
  switch (static_cast<TokenType>(type)) {
    case TokenType::kUnknown: return Tokenizer::kAttrUnknown;
    case TokenType::kUnused: return Tokenizer::kAttrUnused;
    case TokenType::kNormal: return Tokenizer::kAttrNormal;
    case TokenType::kControl: return Tokenizer::kAttrControl;
    case TokenType::kUserDefined: return Tokenizer::kAttrUserDefined;
    case TokenType::kByte: return Tokenizer::kAttrByte;
    case TokenType::kUndefined: return Tokenizer::kAttrUndefined;
  }
  return Tokenizer::kAttrUndefined;
}

bool contains(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::size_t Tokenizer::PairHash::operator()(const std::pair<std::string, std::string>& p) const {
  const std::size_t a = std::hash<std::string>{}(p.first);
  return a ^ (std::hash<std::string>{}(p.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

core::Result<std::unique_ptr<Tokenizer>> Tokenizer::create(VocabData data) {
  std::unique_ptr<Tokenizer> t(new Tokenizer());
  if (data.model == "llama") {
    t->type_ = VocabType::kSpm;
    t->pre_ = PreTokenizer::kNone;
  } else if (data.model == "gpt2") {
    t->type_ = VocabType::kBpe;
    const PreTokenizerInfo* info = find_pre_tokenizer(data.pre);
    if (info == nullptr) {
      return core::unsupported("BPE pre-tokenizer '" + data.pre +
                               "' is not implemented (supported: gpt-2, llama3/llama-bpe, qwen2, smollm and "
                               "their llama.cpp aliases)");
    }
    t->pre_ = info->pre;
    t->ignore_merges_ = info->ignore_merges;
    t->clean_spaces_ = info->clean_spaces;
  } else {
    return core::unsupported("tokenizer model '" + data.model + "' is not supported (only 'llama' and 'gpt2')");
  }

  const std::size_t n = data.tokens.size();
  if (n == 0) return core::invalid_argument("vocabulary has no tokens");
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return core::invalid_argument("vocabulary too large");
  }
  if (!data.scores.empty() && data.scores.size() < n) {
    return core::invalid_argument("fewer scores (" + std::to_string(data.scores.size()) + ") than tokens (" +
                                  std::to_string(n) + ")");
  }
  if (!data.token_types.empty() && data.token_types.size() < n) {
    return core::invalid_argument("fewer token types (" + std::to_string(data.token_types.size()) +
                                  ") than tokens (" + std::to_string(n) + ")");
  }
  data.scores.resize(data.scores.empty() ? 0 : n);
  data.token_types.resize(data.token_types.empty() ? 0 : n);

  const auto n_i32 = static_cast<std::int32_t>(n);
  for (const auto& [name, id] : {std::pair<const char*, std::int32_t>{"bos", data.bos_id}, {"eos", data.eos_id},
                                 {"unk", data.unk_id}, {"pad", data.pad_id}, {"eot", data.eot_id}}) {
    if (id < -1 || id >= n_i32) {
      return core::invalid_argument(std::string(name) + " id " + std::to_string(id) + " out of range [0, " +
                                    std::to_string(n) + ")");
    }
  }
  if (data.add_bos && data.bos_id < 0) return core::invalid_argument("add_bos is set but there is no BOS token");
  if (data.add_eos && data.eos_id < 0) return core::invalid_argument("add_eos is set but there is no EOS token");

  t->attrs_.resize(n, kAttrNormal);
  t->token_to_id_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string& word = data.tokens[i];
    if (word.empty()) word = "[EMPTY_" + std::to_string(i) + "]";  // as llama.cpp
    if (!t->token_to_id_.emplace(word, static_cast<std::int32_t>(i)).second) {
      return core::corrupt("duplicate token text in vocabulary at id " + std::to_string(i));
    }
    if (!data.token_types.empty()) t->attrs_[i] = attr_from_type(data.token_types[i]);
  }

  if (t->type_ == VocabType::kBpe) {
    t->bpe_ranks_.reserve(data.merges.size());
    for (std::size_t i = 0; i < data.merges.size(); ++i) {
      const std::string& m = data.merges[i];
      // As llama.cpp: split at the first space after the first byte; a merge
      // without one becomes the (never matching) empty pair.
      const std::size_t pos = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
      std::pair<std::string, std::string> key;
      if (pos != std::string::npos) key = {m.substr(0, pos), m.substr(pos + 1)};
      t->bpe_ranks_.emplace(std::move(key), static_cast<int>(i));
    }
  }

  // EOT auto-detection and the EOG set, from token texts as llama.cpp does;
  // such tokens are forced to CONTROL so they are not rendered as text.
  for (std::int32_t id = 0; id < n_i32 && data.eot_id < 0; ++id) {
    if (contains(kEotTexts, data.tokens[static_cast<std::size_t>(id)])) data.eot_id = id;
  }
  for (std::int32_t id = 0; id < n_i32; ++id) {
    if (contains(kEogTexts, data.tokens[static_cast<std::size_t>(id)])) t->eog_ids_.insert(id);
  }
  if (data.eot_id >= 0) t->eog_ids_.insert(data.eot_id);
  for (const std::int32_t id : t->eog_ids_) t->attrs_[static_cast<std::size_t>(id)] |= kAttrControl;
  if (data.eos_id >= 0) t->eog_ids_.insert(data.eos_id);

  for (std::int32_t id = 0; id < n_i32; ++id) {
    if (t->attrs_[static_cast<std::size_t>(id)] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
      t->special_by_length_.push_back(id);
    }
  }
  std::stable_sort(t->special_by_length_.begin(), t->special_by_length_.end(),
                   [&](std::int32_t a, std::int32_t b) {
                     return data.tokens[static_cast<std::size_t>(a)].size() >
                            data.tokens[static_cast<std::size_t>(b)].size();
                   });

  t->data_ = std::move(data);
  return t;
}

bool Tokenizer::is_control(std::int32_t id) const { return (attr(id) & kAttrControl) != 0; }
bool Tokenizer::is_byte(std::int32_t id) const { return (attr(id) & kAttrByte) != 0; }

std::uint32_t Tokenizer::attr(std::int32_t id) const {
  if (id < 0 || id >= n_vocab()) return kAttrUndefined;
  return attrs_[static_cast<std::size_t>(id)];
}

const std::string& Tokenizer::token_text(std::int32_t id) const {
  GR_CHECK(id >= 0 && id < n_vocab());
  return data_.tokens[static_cast<std::size_t>(id)];
}

std::int32_t Tokenizer::text_to_token(std::string_view text) const {
  const auto it = token_to_id_.find(text);
  return it == token_to_id_.end() ? -1 : it->second;
}

int Tokenizer::bpe_rank(const std::string& left, const std::string& right) const {
  const auto it = bpe_ranks_.find(std::pair<std::string, std::string>(left, right));
  return it == bpe_ranks_.end() ? -1 : it->second;
}

// llama.cpp's tokenizer_st_partition: for each special token, longest text
// first, cut every occurrence out of the remaining raw-text fragments.
std::vector<Tokenizer::Fragment> Tokenizer::partition_special(std::string_view text, bool parse_special) const {
  std::vector<Fragment> frags = {Fragment{false, -1, 0, text.size()}};
  std::vector<Fragment> next;
  for (const std::int32_t id : special_by_length_) {
    if (!parse_special && (attrs_[static_cast<std::size_t>(id)] & (kAttrControl | kAttrUnknown))) continue;
    const std::string& special = data_.tokens[static_cast<std::size_t>(id)];
    next.clear();
    bool changed = false;
    for (const Fragment& f : frags) {
      if (f.is_token) {
        next.push_back(f);
        continue;
      }
      const std::string_view region = text.substr(0, f.offset + f.length);
      std::size_t base = f.offset;
      while (true) {
        const std::size_t match = region.find(special, base);
        if (match == std::string_view::npos) {
          if (base < region.size()) next.push_back(Fragment{false, -1, base, region.size() - base});
          break;
        }
        changed = true;
        if (match > base) next.push_back(Fragment{false, -1, base, match - base});
        next.push_back(Fragment{true, id, 0, 0});
        base = match + special.size();
      }
    }
    if (changed) frags.swap(next);
  }
  return frags;
}

std::vector<std::int32_t> Tokenizer::tokenize(std::string_view text, bool add_special, bool parse_special) const {
  std::vector<std::int32_t> out;
  std::vector<Fragment> frags;
  if (!text.empty()) frags = partition_special(text, parse_special);

  if (type_ == VocabType::kSpm) {
    bool is_prev_special = true;  // the first fragment gets the space prefix too
    if (add_special && data_.add_bos) out.push_back(data_.bos_id);
    std::string buf;
    for (const Fragment& f : frags) {
      if (f.is_token) {
        out.push_back(f.token);
        is_prev_special = true;
        continue;
      }
      buf.clear();
      if (data_.add_space_prefix && is_prev_special) buf = " ";
      buf.append(text.substr(f.offset, f.length));
      tokenize_spm(escape_spaces(buf), out);
      is_prev_special = false;
    }
  } else {
    if (add_special && data_.add_bos) out.push_back(data_.bos_id);
    for (const Fragment& f : frags) {
      if (f.is_token) {
        out.push_back(f.token);
      } else {
        tokenize_bpe(text.substr(f.offset, f.length), out);
      }
    }
  }
  if (add_special && data_.add_eos) out.push_back(data_.eos_id);
  return out;
}

}  // namespace greenroute::engine::vocab
