// The BPE pre-tokenizer splits, piece by piece, for each variant. Expected
// pieces are worked out by hand from the regexes llama.cpp uses
// (src/llama-vocab.cpp) with leftmost-first alternation.
#include <gtest/gtest.h>

#include "vocab/pre_tokenizer.h"

namespace greenroute::engine::vocab {
namespace {

using Pieces = std::vector<std::string>;

TEST(PreTokenizer, Gpt2) {
  EXPECT_EQ(split_words("Hello world's 12345  end\n\nok", PreTokenizer::kGpt2),
            (Pieces{"Hello", " world", "'s", " 12345", " ", " end", "\n", "\n", "ok"}));
  // Contractions are case-sensitive here.
  EXPECT_EQ(split_words("IT'S it's", PreTokenizer::kGpt2), (Pieces{"IT", "'", "S", " it", "'s"}));
  EXPECT_EQ(split_words("x!!\n\ny", PreTokenizer::kGpt2), (Pieces{"x", "!!", "\n", "\n", "y"}));
  EXPECT_EQ(split_words("a \t\nb", PreTokenizer::kGpt2), (Pieces{"a", " \t", "\n", "b"}));
  EXPECT_EQ(split_words("a  ", PreTokenizer::kGpt2), (Pieces{"a", "  "}));
  // é is a letter, CJK ideographs are letters, 🦙 is a symbol.
  EXPECT_EQ(split_words("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\xa6\x99!", PreTokenizer::kGpt2),
            (Pieces{"caf\xc3\xa9", " \xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\xa6\x99!"}));
  // A combining mark (U+0301) is neither letter nor number.
  EXPECT_EQ(split_words("cafe\xcc\x81s", PreTokenizer::kGpt2), (Pieces{"cafe", "\xcc\x81", "s"}));
}

TEST(PreTokenizer, Llama3) {
  EXPECT_EQ(split_words("Hello world's 12345  end\n\nok", PreTokenizer::kLlama3),
            (Pieces{"Hello", " world", "'s", " ", "123", "45", " ", " end", "\n\n", "ok"}));
  EXPECT_EQ(split_words("IT'S it's", PreTokenizer::kLlama3), (Pieces{"IT", "'S", " it", "'s"}));
  EXPECT_EQ(split_words("x!!\n\ny", PreTokenizer::kLlama3), (Pieces{"x", "!!\n\n", "y"}));
  EXPECT_EQ(split_words("a \t\nb", PreTokenizer::kLlama3), (Pieces{"a", " \t\n", "b"}));
  EXPECT_EQ(split_words("a   b", PreTokenizer::kLlama3), (Pieces{"a", "  ", " b"}));
  EXPECT_EQ(split_words("cafe\xcc\x81s", PreTokenizer::kLlama3), (Pieces{"cafe", "\xcc\x81s"}));
  EXPECT_EQ(split_words("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\xa6\x99!", PreTokenizer::kLlama3),
            (Pieces{"caf\xc3\xa9", " \xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\xa6\x99!"}));
  EXPECT_EQ(split_words("1234567", PreTokenizer::kLlama3), (Pieces{"123", "456", "7"}));
  EXPECT_EQ(split_words("(x) = 1;", PreTokenizer::kLlama3), (Pieces{"(x", ")", " =", " ", "1", ";"}));
}

TEST(PreTokenizer, Qwen2SplitsDigitsOneByOne) {
  EXPECT_EQ(split_words("Hello world's 12345  end\n\nok", PreTokenizer::kQwen2),
            (Pieces{"Hello", " world", "'s", " ", "1", "2", "3", "4", "5", " ", " end", "\n\n", "ok"}));
  // Unicode digits (Arabic-Indic) count as \p{N}.
  EXPECT_EQ(split_words("x\xd9\xa1\xd9\xa2", PreTokenizer::kQwen2), (Pieces{"x", "\xd9\xa1", "\xd9\xa2"}));
}

TEST(PreTokenizer, SmollmIsolatesDigitsThenGpt2) {
  EXPECT_EQ(split_words("Hello world's 12345  end\n\nok", PreTokenizer::kSmollm),
            (Pieces{"Hello", " world", "'s", " ", "1", "2", "3", "4", "5", " ", " end", "\n", "\n", "ok"}));
  EXPECT_EQ(split_words("a1b", PreTokenizer::kSmollm), (Pieces{"a", "1", "b"}));
}

TEST(PreTokenizer, DefaultChain) {
  // Punctuation runs first ("..." and "$+" stay whole, ` does not count),
  // then GPT-2 inside the rest, then number runs, then ASCII digit triples.
  EXPECT_EQ(split_words("a...b $+12345`x", PreTokenizer::kDefault),
            (Pieces{"a", "...", "b", " ", "$+", "123", "45", "`", "x"}));
}

TEST(PreTokenizer, InvalidUtf8IsReplaced) {
  EXPECT_EQ(split_words("\xff" "a", PreTokenizer::kGpt2), (Pieces{"\xef\xbf\xbd", "a"}));
  EXPECT_TRUE(split_words("", PreTokenizer::kLlama3).empty());
}

TEST(PreTokenizer, ByteEncoding) {
  // ' ' -> 'Ġ' (U+0120), '\n' -> 'Ċ' (U+010A), printable ASCII unchanged.
  EXPECT_EQ(pre_tokenize(" a\n", PreTokenizer::kGpt2), (Pieces{"\xc4\xa0" "a", "\xc4\x8a"}));
}

TEST(PreTokenizer, KnownNames) {
  ASSERT_NE(find_pre_tokenizer("llama-bpe"), nullptr);
  EXPECT_EQ(find_pre_tokenizer("llama-bpe")->pre, PreTokenizer::kLlama3);
  EXPECT_TRUE(find_pre_tokenizer("llama-bpe")->ignore_merges);
  EXPECT_EQ(find_pre_tokenizer("qwen2")->pre, PreTokenizer::kQwen2);
  EXPECT_EQ(find_pre_tokenizer("smollm")->pre, PreTokenizer::kSmollm);
  EXPECT_EQ(find_pre_tokenizer("gpt-2")->pre, PreTokenizer::kGpt2);
  EXPECT_EQ(find_pre_tokenizer("default")->pre, PreTokenizer::kDefault);
  EXPECT_EQ(find_pre_tokenizer("")->pre, PreTokenizer::kDefault);  // key absent
  EXPECT_EQ(find_pre_tokenizer("no-such-pre"), nullptr);
}

}  // namespace
}  // namespace greenroute::engine::vocab
