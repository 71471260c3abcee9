// Byte-level BPE against llama.cpp: ids llama.cpp produced for llama.cpp's
// own tokenizer test inputs, on a byte-pair vocabulary, for each
// pre-tokenizer (see data/README.md for how the expected files were made).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bpe_test_vocab.h"
#include "greenroute/engine/vocab/tokenizer.h"
#include "support/test_files.h"

namespace greenroute::engine::vocab {
namespace {

std::vector<std::string> read_inputs(const std::string& path) {
  return ::greenroute::testing::split_llama_vocab_inputs(::greenroute::testing::read_text_file(path));
}

void expect_parity(const std::vector<std::string>& inputs, const std::string& expected_path,
                   const std::string& pre) {
  const auto expected = ::greenroute::testing::read_llama_vocab_ids(expected_path);
  ASSERT_EQ(expected.size(), inputs.size()) << expected_path;
  auto tok = Tokenizer::create(testing::make_pair_vocab(pre));
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
  std::size_t matched = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto ids = (*tok)->tokenize(inputs[i], false, false);
    EXPECT_EQ(ids, expected[i]) << pre << " input #" << i << ": '" << inputs[i] << "'";
    matched += ids == expected[i];
  }
  EXPECT_EQ(matched, inputs.size());
}

const std::string kDataDir = std::string(GREENROUTE_SOURCE_DIR) + "/tests/engine/vocab/data/";

class BpeParity : public ::testing::TestWithParam<const char*> {};

TEST_P(BpeParity, LlamaCppTestInputs) {
  const std::string inp = std::string(GREENROUTE_SHARED_DATA_DIR) + "/models/ggml-vocab-llama-spm.gguf.inp";
  if (!std::filesystem::exists(inp)) GTEST_SKIP() << "shared data absent: " << inp;
  const auto inputs = read_inputs(inp);
  ASSERT_EQ(inputs.size(), 46u);
  expect_parity(inputs, kDataDir + "bpe-pairs-" + GetParam() + ".out", GetParam());
}

TEST_P(BpeParity, RandomUnicode) {
  const auto inputs = read_inputs(kDataDir + "bpe-random.inp");
  ASSERT_EQ(inputs.size(), 40u);
  expect_parity(inputs, kDataDir + "bpe-random-" + GetParam() + ".out", GetParam());
}

std::string pre_test_name(const ::testing::TestParamInfo<const char*>& param_info) {
  std::string name = param_info.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(PreTokenizers, BpeParity, ::testing::Values("gpt-2", "llama-bpe", "qwen2", "smollm", "default"),
                         pre_test_name);

}  // namespace
}  // namespace greenroute::engine::vocab
