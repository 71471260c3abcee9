// SentencePiece-style vocabulary ("llama" tokenizer model), as llama.cpp's
// SPM tokenizer expects it: <unk>, <s>, </s>, the 256 byte-fallback tokens,
// single characters, then merged pieces scored so earlier merges win.
#include <algorithm>
#include <cstdio>
#include <map>

#include "synth/bpe_trainer.h"
#include "synth/corpus.h"
#include "synth/fillers.h"
#include "synth/vocab_builder.h"

namespace greenroute::engine::synth {

namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space marker

std::map<std::string, long> spm_word_counts() {
  std::map<std::string, long> counts;
  const std::string_view text = training_corpus();
  std::string word;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!word.empty()) ++counts[word];
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) ++counts[word];
  return counts;
}

}  // namespace

core::Result<SynthVocab> build_spm_vocab(const SynthPreset& preset) {
  SynthVocab v;
  v.model = "llama";
  auto add = [&v](std::string text, float score, TokenType type) {
    v.tokens.push_back(std::move(text));
    v.scores.push_back(score);
    v.types.push_back(static_cast<std::int32_t>(type));
  };
  add("<unk>", 0.0f, TokenType::kUnknown);
  add("<s>", 0.0f, TokenType::kControl);
  add("</s>", 0.0f, TokenType::kControl);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    add(name, 0.0f, TokenType::kByte);
  }

  // Words as SentencePiece sees them: a space marker, then the characters.
  std::vector<TrainingWord> words;
  std::map<std::string, long> char_counts;
  for (const auto& [word, count] : spm_word_counts()) {
    TrainingWord w;
    w.symbols.push_back(kSpace);
    for (std::string& ch : utf8_chars(word)) w.symbols.push_back(std::move(ch));
    for (const std::string& ch : w.symbols) char_counts[ch] += count;
    w.count = count;
    words.push_back(std::move(w));
  }
  std::vector<std::pair<long, std::string>> chars;
  for (const auto& [ch, count] : char_counts) chars.emplace_back(-count, ch);
  std::sort(chars.begin(), chars.end());

  const std::size_t fixed = v.tokens.size() + chars.size();
  if (preset.n_vocab < fixed) {
    return core::invalid_argument("n_vocab " + std::to_string(preset.n_vocab) + " cannot hold the " +
                                  std::to_string(fixed) + " fixed SentencePiece tokens");
  }
  std::vector<std::string> initial;
  for (const auto& c : chars) initial.push_back(c.second);
  const std::vector<BpeMerge> merges = train_bpe(std::move(words), initial, preset.n_vocab - fixed, 1);
  std::size_t n_pieces = 0;
  for (const BpeMerge& m : merges) n_pieces += m.new_symbol ? 1 : 0;

  // Characters rank below every merged piece; pieces in merge order.
  for (std::size_t i = 0; i < chars.size(); ++i) {
    add(chars[i].second, -static_cast<float>(n_pieces + i), TokenType::kNormal);
  }
  std::size_t rank = 0;
  for (const BpeMerge& m : merges) {
    if (!m.new_symbol) continue;
    add(m.left + m.right, -static_cast<float>(rank++), TokenType::kNormal);
  }
  v.n_learned = chars.size() + n_pieces;
  // Beyond what the corpus supports: visible word-salad fillers (fillers.h),
  // scored below every learned piece, that tokenization never produces.
  if (v.tokens.size() < preset.n_vocab) {
    FillerNamer namer(v.tokens, kSpace, " ");
    v.first_filler = v.tokens.size();
    v.n_fillers = preset.n_vocab - v.tokens.size();
    for (std::size_t k = 0; v.tokens.size() < preset.n_vocab; ++k) {
      add(namer.next(), -static_cast<float>(v.n_learned + k), TokenType::kNormal);
    }
  }
  v.unk = 0;
  v.bos = 1;
  v.eos = 2;
  v.add_bos = true;
  v.add_eos = false;
  v.chat_template = chat_template_for(preset.vocab_family);
  return v;
}

}  // namespace greenroute::engine::synth
