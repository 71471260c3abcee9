// Byte-level BPE on a hand-made vocabulary: merges by rank, pre-tokenizer
// variants, special tokens, detokenization, GGUF loading and round trips.
#include <gtest/gtest.h>

#include <random>

#include "bpe_test_vocab.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/vocab/tokenizer.h"

namespace greenroute::engine::vocab {
namespace {

using testing::make_bpe_vocab;
using Ids = std::vector<std::int32_t>;

std::unique_ptr<Tokenizer> make(const std::string& pre, bool add_bos = false) {
  VocabData d = make_bpe_vocab(pre);
  d.add_bos = add_bos;
  auto t = Tokenizer::create(std::move(d));
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : nullptr;
}

Ids bytes_of(std::string_view s) {
  Ids ids;
  for (const char c : s) ids.push_back(static_cast<std::uint8_t>(c));
  return ids;
}

TEST(BpeTokenizer, MergesApplyInRankOrder) {
  auto tok = make("gpt-2");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->tokenize(" the", false, false), (Ids{testing::kSpaceThe}));
  EXPECT_EQ(tok->tokenize("hello", false, false), (Ids{testing::kHello}));
  EXPECT_EQ(tok->tokenize("the", false, false), (Ids{'t', testing::kHe}));
  // Equal ranks merge leftmost first: 1 2 3 1 2 3 -> 12 3 12 3 -> 123 123.
  EXPECT_EQ(tok->tokenize("123123", false, false), (Ids{testing::k123, testing::k123}));
  EXPECT_EQ(tok->tokenize("it's", false, false), (Ids{'i', 't', testing::kApostropheS}));
  EXPECT_EQ(tok->token_to_piece(testing::kSpaceThe), " the");
}

TEST(BpeTokenizer, DigitRunsFollowThePreTokenizer) {
  auto gpt2 = make("gpt-2");
  auto llama3 = make("llama-bpe");
  auto qwen2 = make("qwen2");
  auto smollm = make("smollm");
  ASSERT_TRUE(gpt2 && llama3 && qwen2 && smollm);
  EXPECT_EQ(gpt2->tokenize("12345", false, false), (Ids{testing::k123, '4', '5'}));
  EXPECT_EQ(llama3->tokenize("12345", false, false), (Ids{testing::k123, '4', '5'}));
  EXPECT_EQ(llama3->tokenize("1234123", false, false), (Ids{testing::k123, '4', testing::k12, '3'}));
  EXPECT_EQ(qwen2->tokenize("12345", false, false), (Ids{'1', '2', '3', '4', '5'}));
  EXPECT_EQ(smollm->tokenize("12345", false, false), (Ids{'1', '2', '3', '4', '5'}));
  // gpt-2 keeps a digit run whole: "4123" is one piece, 12 merges inside it.
  EXPECT_EQ(gpt2->tokenize("4123", false, false), (Ids{'4', testing::k123}));
}

TEST(BpeTokenizer, SpecialTokensArePartitionedFirst) {
  auto tok = make("llama3", /*add_bos=*/true);
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->tokenize("<|endoftext|>he", false, true), (Ids{testing::kEndOfText, testing::kHe}));
  Ids plain = bytes_of("<|endoftext|>");
  plain.push_back(testing::kHe);
  EXPECT_EQ(tok->tokenize("<|endoftext|>he", false, false), plain);
  // USER_DEFINED tokens are split out even without parse_special.
  EXPECT_EQ(tok->tokenize("a<tool>b", false, false), (Ids{'a', testing::kTool, 'b'}));
  EXPECT_EQ(tok->tokenize("he", true, false), (Ids{testing::kImStart, testing::kHe}));
  EXPECT_TRUE(tok->is_eog(testing::kEndOfText));
  EXPECT_FALSE(tok->is_eog(testing::kImStart));
  EXPECT_TRUE(tok->is_control(testing::kImStart));
  EXPECT_EQ(tok->token_to_piece(testing::kEndOfText), "");
  EXPECT_EQ(tok->token_to_piece(testing::kEndOfText, true), "<|endoftext|>");
  EXPECT_EQ(tok->token_to_piece(testing::kTool), "<tool>");
  EXPECT_EQ(tok->eot(), testing::kEndOfText);  // detected from its text
}

TEST(BpeTokenizer, Llama3IgnoresMergesForWholeTokens) {
  VocabData d = make_bpe_vocab("llama3");
  // "hel" is a token but no merge produces it: llama3 takes a whole piece
  // that is a token as is; gpt-2 merges from characters.
  d.tokens.push_back("hel");
  d.token_types.push_back(1);
  const auto hel = static_cast<std::int32_t>(d.tokens.size() - 1);
  auto llama3 = Tokenizer::create(d);
  d.pre = "gpt-2";
  auto gpt2 = Tokenizer::create(d);
  ASSERT_TRUE(llama3.is_ok() && gpt2.is_ok());
  EXPECT_EQ((*llama3)->tokenize("hel", false, false), (Ids{hel}));
  EXPECT_EQ((*gpt2)->tokenize("hel", false, false), (Ids{testing::kHe, 'l'}));
}

TEST(BpeTokenizer, CleanSpacesOnlyWhereLlamaCppDoes) {
  auto gpt2 = make("gpt-2");
  auto qwen2 = make("qwen2");
  ASSERT_TRUE(gpt2 && qwen2);
  const std::string text = "a , b 's";
  EXPECT_EQ(gpt2->detokenize(gpt2->tokenize(text, false, false)), "a, b's");
  EXPECT_EQ(qwen2->detokenize(qwen2->tokenize(text, false, false)), text);
}

TEST(BpeTokenizer, InvalidUtf8BecomesReplacementCharacter) {
  auto tok = make("qwen2");
  ASSERT_NE(tok, nullptr);
  const auto ids = tok->tokenize("a\xff" "b\xc3", false, false);
  EXPECT_EQ(tok->detokenize(ids), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
}

std::string random_utf8(std::mt19937& rng, int n_cpts) {
  // Mostly ASCII with spaces, digits and punctuation, plus Latin-1, CJK,
  // emoji and combining marks.
  static const std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges = {
      {0x20, 0x7E}, {0x20, 0x20}, {0x0A, 0x0A}, {0x09, 0x0D}, {'0', '9'}, {0xA0, 0xFF},
      {0x300, 0x36F}, {0x4E00, 0x4FFF}, {0x1F300, 0x1F64F}, {0x2000, 0x206F}, {0x3000, 0x3000}};
  std::uniform_int_distribution<std::size_t> pick(0, ranges.size() - 1);
  std::string s;
  for (int i = 0; i < n_cpts; ++i) {
    const auto& [lo, hi] = ranges[pick(rng)];
    const std::uint32_t c = std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (c >> 6)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (c >> 12)));
      s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (c >> 18)));
      s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return s;
}

TEST(BpeTokenizer, RoundTripsArbitraryUtf8) {
  std::mt19937 rng(1234);
  for (const char* pre : {"qwen2", "smollm", "llama3", "gpt-2"}) {
    auto tok = make(pre);
    ASSERT_NE(tok, nullptr);
    for (int i = 0; i < 200; ++i) {
      std::string text = random_utf8(rng, 1 + i % 40);
      auto ids = tok->tokenize(text, false, false);
      std::string back = tok->detokenize(ids);
      if (tok->pre_tokenizer() == PreTokenizer::kGpt2 || tok->pre_tokenizer() == PreTokenizer::kLlama3) {
        // These pre-tokenizers clean " ," " 's" ... on the way back: compare
        // piece by piece instead.
        back.clear();
        for (const auto id : ids) back += tok->token_to_piece(id);
      }
      ASSERT_EQ(back, text) << pre << " case " << i;
    }
  }
}

TEST(BpeTokenizer, RandomBytesNeverBreakIt) {
  // Arbitrary bytes (invalid UTF-8, NULs, stray special-token texts) must
  // tokenize and detokenize without tripping the sanitizers, and BPE output
  // must re-tokenize stably.
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  for (const char* pre : {"gpt-2", "llama3", "qwen2", "smollm", "default"}) {
    auto tok = make(pre);
    ASSERT_NE(tok, nullptr);
    for (int i = 0; i < 100; ++i) {
      std::string text;
      for (int j = 0; j < i % 50; ++j) text.push_back(static_cast<char>(byte(rng)));
      if (i % 7 == 0) text += "<|endoftext|>";
      const auto ids = tok->tokenize(text, true, i % 2 == 0);
      for (const auto id : ids) ASSERT_TRUE(id >= 0 && id < tok->n_vocab());
      const std::string back = tok->detokenize(ids, false, true);
      if (tok->pre_tokenizer() == PreTokenizer::kQwen2 || tok->pre_tokenizer() == PreTokenizer::kSmollm) {
        // Invalid bytes became U+FFFD once; valid UTF-8 now, so stable.
        EXPECT_EQ(tok->detokenize(tok->tokenize(back, false, i % 2 == 0), false, true), back) << pre << " " << i;
      }
    }
  }
}

TEST(BpeTokenizer, RejectsBadVocabularies) {
  VocabData d = make_bpe_vocab("no-such-pre");
  auto r = Tokenizer::create(d);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnsupported);
  d = make_bpe_vocab("gpt-2");
  d.tokens[5] = d.tokens[6];
  EXPECT_EQ(Tokenizer::create(d).status().code(), core::StatusCode::kCorrupt);
  d = make_bpe_vocab("gpt-2");
  d.eos_id = 100000;
  EXPECT_EQ(Tokenizer::create(d).status().code(), core::StatusCode::kInvalidArgument);
  d = make_bpe_vocab("gpt-2");
  d.model = "bert";
  EXPECT_EQ(Tokenizer::create(d).status().code(), core::StatusCode::kUnsupported);
}

TEST(BpeTokenizer, LoadsFromGguf) {
  const VocabData src = make_bpe_vocab("llama-bpe");
  gguf::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "llama-bpe");
  w.set_string_array("tokenizer.ggml.tokens", src.tokens);
  w.set_int32_array("tokenizer.ggml.token_type", src.token_types);
  w.set_string_array("tokenizer.ggml.merges", src.merges);
  w.set_uint32("tokenizer.ggml.bos_token_id", testing::kImStart);
  w.set_uint32("tokenizer.ggml.eos_token_id", testing::kEndOfText);
  w.set_string("tokenizer.chat_template", "{{ '<|im_start|>' }}");
  const std::vector<std::uint8_t> bytes = w.serialize();
  auto file = gguf::GgufFile::from_memory(bytes);
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  auto data = load_vocab_data(**file);
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  EXPECT_EQ(data->tokens, src.tokens);
  EXPECT_EQ(data->merges, src.merges);
  EXPECT_EQ(data->token_types, src.token_types);
  EXPECT_EQ(data->bos_id, testing::kImStart);
  EXPECT_EQ(data->eos_id, testing::kEndOfText);
  EXPECT_EQ(data->unk_id, -1);
  EXPECT_TRUE(data->add_bos);  // llama.cpp's default for the llama3 family
  EXPECT_FALSE(data->add_space_prefix);
  EXPECT_EQ(data->chat_template, "{{ '<|im_start|>' }}");
  auto tok = Tokenizer::create(std::move(data).value());
  ASSERT_TRUE(tok.is_ok());
  EXPECT_EQ((*tok)->tokenize(" the", true, false), (Ids{testing::kImStart, testing::kSpaceThe}));
}

}  // namespace
}  // namespace greenroute::engine::vocab
