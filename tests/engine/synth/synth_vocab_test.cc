#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "greenroute/engine/synth/synth.h"
#include "synth/vocab_builder.h"

namespace greenroute::engine::synth {
namespace {

constexpr auto kNormal = static_cast<std::int32_t>(TokenType::kNormal);
constexpr auto kControl = static_cast<std::int32_t>(TokenType::kControl);
constexpr auto kByte = static_cast<std::int32_t>(TokenType::kByte);

SynthVocab build(std::string_view preset) {
  auto v = build_vocab(*find_synth_preset(preset));
  EXPECT_TRUE(v.is_ok()) << v.status().to_string();
  return v.is_ok() ? std::move(v).value() : SynthVocab{};
}

// Every structural property llama.cpp relies on.
void expect_well_formed(const SynthVocab& v, std::uint32_t n_vocab) {
  ASSERT_EQ(v.tokens.size(), n_vocab);
  ASSERT_EQ(v.types.size(), n_vocab);
  if (v.model == "llama") {
    ASSERT_EQ(v.scores.size(), n_vocab);
  }
  std::unordered_map<std::string, std::size_t> ids;
  for (std::size_t i = 0; i < v.tokens.size(); ++i) {
    EXPECT_FALSE(v.tokens[i].empty()) << i;
    EXPECT_TRUE(ids.emplace(v.tokens[i], i).second) << "duplicate token text '" << v.tokens[i] << "'";
    EXPECT_GE(v.types[i], 1);
    EXPECT_LE(v.types[i], 6);
  }
  for (const std::int32_t id : {v.bos, v.eos}) {
    ASSERT_GE(id, 0);
    ASSERT_LT(static_cast<std::size_t>(id), n_vocab);
    EXPECT_EQ(v.types[static_cast<std::size_t>(id)], kControl) << v.tokens[static_cast<std::size_t>(id)];
  }
  for (const std::string& m : v.merges) {
    const std::size_t sp = m.find(' ', 1);
    ASSERT_NE(sp, std::string::npos) << m;
    const std::string left = m.substr(0, sp), right = m.substr(sp + 1);
    EXPECT_TRUE(ids.count(left)) << "merge '" << m << "' left side is not a token";
    EXPECT_TRUE(ids.count(right)) << "merge '" << m << "' right side is not a token";
    EXPECT_TRUE(ids.count(left + right)) << "merge '" << m << "' result is not a token";
  }
  EXPECT_FALSE(v.chat_template.empty());
}

TEST(SynthVocabTest, SpmHasByteFallbackAndScoredPieces) {
  const SynthVocab v = build("tiny");
  expect_well_formed(v, 512);
  EXPECT_EQ(v.model, "llama");
  EXPECT_EQ(v.tokens[0], "<unk>");
  EXPECT_EQ(v.tokens[1], "<s>");
  EXPECT_EQ(v.tokens[2], "</s>");
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    EXPECT_EQ(v.tokens[static_cast<std::size_t>(3 + b)], name);
    EXPECT_EQ(v.types[static_cast<std::size_t>(3 + b)], kByte);
  }
  // All of tiny's 512 ids are learned pieces: the corpus supports more.
  EXPECT_EQ(v.n_learned, 512u - 259u);
  std::set<std::string> pieces(v.tokens.begin(), v.tokens.end());
  EXPECT_TRUE(pieces.count("\xE2\x96\x81the")) << "a common word is one piece";
  EXPECT_TRUE(pieces.count("e"));
  // Characters come first, then merged pieces with scores falling in merge
  // order; every merged piece outranks every character.
  std::size_t first_merge = 259;
  while (first_merge < v.tokens.size() && v.scores[first_merge] != 0.0f) ++first_merge;
  ASSERT_LT(first_merge, v.tokens.size());
  float lowest_merge = 0.0f;
  for (std::size_t i = first_merge + 1; i < v.tokens.size(); ++i) {
    EXPECT_LT(v.scores[i], v.scores[i - 1]) << v.tokens[i];
    lowest_merge = v.scores[i];
  }
  for (std::size_t i = 259; i < first_merge; ++i) EXPECT_LT(v.scores[i], lowest_merge) << v.tokens[i];
}

TEST(SynthVocabTest, SpmFillsLargeVocabulariesWithVisibleLowScoredFillers) {
  const SynthVocab v = build("tinyllama-1.1b");
  expect_well_formed(v, 32000);
  EXPECT_GT(v.n_learned, 1000u);
  const std::size_t first_filler = v.first_filler;
  EXPECT_EQ(first_filler, 3 + 256 + v.n_learned);
  EXPECT_EQ(v.n_fillers, v.tokens.size() - first_filler);
  ASSERT_LT(first_filler, v.tokens.size());
  float lowest_learned = 0.0f;
  for (std::size_t i = 259; i < first_filler; ++i) lowest_learned = std::min(lowest_learned, v.scores[i]);
  for (std::size_t i = first_filler; i < v.tokens.size(); ++i) {
    ASSERT_EQ(v.types[i], kNormal) << i;
    ASSERT_LT(v.scores[i], lowest_learned) << v.tokens[i];
    // "▁word word[ word]": a space marker, then words joined by raw spaces,
    // which SentencePiece tokenization never produces (it escapes ' ').
    ASSERT_EQ(v.tokens[i].rfind("\xE2\x96\x81", 0), 0u) << v.tokens[i];
    ASSERT_NE(v.tokens[i].find(' '), std::string::npos) << v.tokens[i];
  }
}

TEST(SynthVocabTest, Gpt2HasTheFullByteAlphabet) {
  const SynthVocab v = build("tiny-bpe");
  expect_well_formed(v, 512);
  EXPECT_EQ(v.model, "gpt2");
  EXPECT_EQ(v.pre, "qwen2");
  const auto& bytes = gpt2_byte_symbols();
  std::set<std::string> distinct(bytes.begin(), bytes.end());
  EXPECT_EQ(distinct.size(), 256u);
  for (std::size_t b = 0; b < 256; ++b) {
    EXPECT_EQ(v.tokens[b], bytes[b]);
    EXPECT_EQ(v.types[b], kNormal);
  }
  EXPECT_EQ(bytes[' '], "\xC4\xA0");  // U+0120 'Ġ'
  EXPECT_EQ(bytes['A'], "A");
  EXPECT_EQ(v.tokens[static_cast<std::size_t>(v.bos)], "<|endoftext|>");
  EXPECT_EQ(v.tokens[static_cast<std::size_t>(v.eos)], "<|im_end|>");
  EXPECT_EQ(v.tokens[512 - 22], "<|endoftext|>");
  std::set<std::string> pieces(v.tokens.begin(), v.tokens.end());
  EXPECT_TRUE(pieces.count("\xC4\xA0the"));  // " the"
}

TEST(SynthVocabTest, RealSizedFamiliesPutSpecialTokensAtTheRealIds) {
  {
    const SynthVocab v = build("llama-3.2-1b");
    expect_well_formed(v, 128256);
    EXPECT_EQ(v.pre, "llama-bpe");
    EXPECT_EQ(v.bos, 128000);
    EXPECT_EQ(v.eos, 128009);
    EXPECT_EQ(v.tokens[128006], "<|start_header_id|>");
    EXPECT_EQ(v.tokens[128007], "<|end_header_id|>");
    EXPECT_EQ(v.tokens[128001], "<|end_of_text|>");
    EXPECT_EQ(v.tokens[128255], "<|reserved_special_token_247|>");
    EXPECT_TRUE(v.add_bos);
  }
  {
    const SynthVocab v = build("qwen2.5-0.5b");
    expect_well_formed(v, 151936);
    EXPECT_EQ(v.bos, 151643);
    EXPECT_EQ(v.tokens[151644], "<|im_start|>");
    EXPECT_EQ(v.eos, 151645);
    EXPECT_EQ(v.tokens[151664], "<|file_sep|>");
    EXPECT_EQ(v.tokens[151665], "[PAD151665]");  // the real model's embedding padding
    EXPECT_EQ(v.types[151665], static_cast<std::int32_t>(TokenType::kUnused));
    EXPECT_EQ(v.types[151642], kNormal);  // a filler just before the specials
    EXPECT_FALSE(v.add_bos);
  }
  {
    const SynthVocab v = build("smollm2-135m");
    expect_well_formed(v, 49152);
    EXPECT_EQ(v.pre, "smollm");
    EXPECT_EQ(v.tokens[0], "<|endoftext|>");
    EXPECT_EQ(v.bos, 1);
    EXPECT_EQ(v.eos, 2);
  }
}

TEST(SynthVocabTest, DeterministicAcrossBuilds) {
  const SynthVocab a = build("tiny-bpe");
  const SynthVocab b = build("tiny-bpe");
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.merges, b.merges);
}

}  // namespace
}  // namespace greenroute::engine::synth
