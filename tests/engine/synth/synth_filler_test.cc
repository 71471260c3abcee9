// The fillers of large synthetic vocabularies: visible, distinct text through
// the engine's own detokenizer, and never produced by tokenization.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "greenroute/engine/synth/synth.h"
#include "greenroute/engine/vocab/tokenizer.h"
#include "greenroute/engine/vocab/vocab_data.h"
#include "synth/fillers.h"
#include "synth/vocab_builder.h"

namespace greenroute::engine::synth {
namespace {

// The metadata a written file carries, as load_vocab_data() would read it.
vocab::VocabData to_vocab_data(const SynthVocab& v) {
  vocab::VocabData d;
  d.model = v.model;
  d.pre = v.pre;
  d.tokens = v.tokens;
  d.scores = v.scores;
  d.token_types = v.types;
  d.merges = v.merges;
  d.bos_id = v.bos;
  d.eos_id = v.eos;
  d.unk_id = v.unk.value_or(-1);
  d.pad_id = v.pad.value_or(-1);
  d.eot_id = v.eot.value_or(-1);
  d.add_bos = v.add_bos;
  d.add_eos = v.add_eos;
  d.add_space_prefix = v.model == "llama";
  d.chat_template = v.chat_template;
  return d;
}

struct Built {
  SynthVocab vocab;
  std::unique_ptr<vocab::Tokenizer> tokenizer;
};

Built build(std::string_view preset) {
  Built b;
  auto v = build_vocab(*find_synth_preset(preset));
  EXPECT_TRUE(v.is_ok()) << v.status().to_string();
  if (!v.is_ok()) return b;
  b.vocab = std::move(v).value();
  auto t = vocab::Tokenizer::create(to_vocab_data(b.vocab));
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  if (t.is_ok()) b.tokenizer = std::move(t).value();
  return b;
}

bool is_filler(const SynthVocab& v, std::int32_t id) {
  const auto i = static_cast<std::size_t>(id);
  return i >= v.first_filler && i < v.first_filler + v.n_fillers;
}

class SynthFillerTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SynthFillerTest, MostOfTheVocabularyDetokenizesToDistinctVisibleText) {
  const Built b = build(GetParam());
  ASSERT_NE(b.tokenizer, nullptr);
  const std::int32_t n = b.tokenizer->n_vocab();
  std::size_t visible = 0, fillers = 0;
  std::unordered_set<std::string> filler_pieces;
  for (std::int32_t id = 0; id < n; ++id) {
    const std::string piece = b.tokenizer->token_to_piece(id);
    if (!piece.empty()) ++visible;
    if (!is_filler(b.vocab, id)) continue;
    ++fillers;
    EXPECT_EQ(b.vocab.types[static_cast<std::size_t>(id)], static_cast<std::int32_t>(TokenType::kNormal));
    // " word word": a leading space, two or three words, no empty word.
    ASSERT_GE(piece.size(), 5u) << id;
    EXPECT_EQ(piece[0], ' ') << piece;
    EXPECT_EQ(piece.find("  "), std::string::npos) << piece;
    EXPECT_NE(piece.find(' ', 1), std::string::npos) << piece;
    EXPECT_TRUE(filler_pieces.insert(piece).second) << "duplicate filler text '" << piece << "'";
  }
  EXPECT_GT(fillers, static_cast<std::size_t>(n) / 2) << "a large vocabulary is mostly fillers";
  EXPECT_GT(visible, static_cast<std::size_t>(n) * 99 / 100);
}

TEST_P(SynthFillerTest, TokenizationNeverProducesFillers) {
  const Built b = build(GetParam());
  ASSERT_NE(b.tokenizer, nullptr);
  // Adjacent words that fillers are made of, text with many spaces, and
  // mixed punctuation: every piece must still be a learned one.
  const std::string texts[] = {
      "the solar grid and the wind farm share the energy of the city",
      "  Many   spaces\tand\nnew lines, numbers 12345 and symbols!? (ok)",
      "inference routing carbon battery cluster edge node model token",
  };
  for (const std::string& text : texts) {
    const std::vector<std::int32_t> ids = b.tokenizer->tokenize(text, false, false);
    ASSERT_FALSE(ids.empty());
    std::string round_trip;
    for (const std::int32_t id : ids) {
      EXPECT_FALSE(is_filler(b.vocab, id)) << "'" << text << "' produced filler " << id << " '"
                                            << b.vocab.tokens[static_cast<std::size_t>(id)] << "'";
      round_trip += b.tokenizer->token_to_piece(id);
    }
    // SentencePiece adds a space prefix; the text itself must survive.
    EXPECT_NE(round_trip.find(text.substr(2, 10)), std::string::npos) << round_trip;
  }
}

INSTANTIATE_TEST_SUITE_P(LargePresets, SynthFillerTest,
                         ::testing::Values("tinyllama-1.1b", "smollm2-135m", "qwen2.5-0.5b", "llama-3.2-1b"));

TEST(SynthFillerNamerTest, DeterministicUniqueAndNeverAnExistingToken) {
  const std::vector<std::string> tokens = {"\xE2\x96\x81" "solar", "\xE2\x96\x81" "grid", "\xE2\x96\x81" "a",
                                           "x", "\xE2\x96\x81" "solar grid"};
  FillerNamer a(tokens, "\xE2\x96\x81", " ");
  FillerNamer b(tokens, "\xE2\x96\x81", " ");
  EXPECT_EQ(a.word_count(), 2u);  // "▁a" is too short to be a word, "x" has no marker
  std::unordered_set<std::string> seen(tokens.begin(), tokens.end());
  // Two words give three new pairs; the rest must come from triples.
  for (int k = 0; k < 10; ++k) {
    const std::string text = a.next();
    EXPECT_EQ(text, b.next());
    EXPECT_TRUE(seen.insert(text).second) << text;
    EXPECT_EQ(text.rfind("\xE2\x96\x81", 0), 0u);
  }
}

}  // namespace
}  // namespace greenroute::engine::synth
