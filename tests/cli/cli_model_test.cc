// `greenroute model synth` and `greenroute model info` on real files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_greenroute;

class CliModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("greenroute_cli_model_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(CliModelTest, SynthThenInfoDescribesShapeTypesAndMemory) {
  const std::string model = (dir_ / "t.gguf").string();
  auto synth = run_greenroute({"model", "synth", "--preset", "tiny-bpe", "--type", "q4_0", "--seed", "4", "--out", model}, dir_);
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  EXPECT_NE(synth.out.find("synthetic"), std::string::npos);

  auto info = run_greenroute({"model", "info", model, "--json", "--ctx", "256", "--memory-limit", "4MiB"}, dir_);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["architecture"], "qwen2");
  EXPECT_TRUE(j["synthetic"].get<bool>());
  EXPECT_TRUE(j["runnable"].get<bool>());
  EXPECT_EQ(j["tokenizer"]["model"], "gpt2");
  EXPECT_EQ(j["tokenizer"]["pre"], "qwen2");
  EXPECT_TRUE(j["tensor_types"].contains("q4_0"));
  EXPECT_TRUE(j["tensor_types"].contains("f32"));  // norms and biases stay f32
  const auto& h = j["hparams"];
  const auto& mem = j["memory"];
  // KV bytes per token: layers x (K + V) x kv heads x head dim x 2 bytes (f16).
  EXPECT_EQ(mem["kv_bytes_per_token_f16"].get<std::uint64_t>(),
            h["n_layer"].get<std::uint64_t>() * 2 * h["n_head_kv"].get<std::uint64_t>() *
                h["head_dim"].get<std::uint64_t>() * 2);
  EXPECT_EQ(mem["context"], 256);
  EXPECT_GE(mem["max_full_sequences_in_limit"].get<int>(), 1);

  // Same seed, same bytes; --force is needed to overwrite.
  auto again = run_greenroute({"model", "synth", "--preset", "tiny-bpe", "--type", "q4_0", "--seed", "4", "--out", model,
                               "--force"},
                              dir_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(CliModelTest, InfoOnAVocabularyOnlyFileSaysWhyItCannotRun) {
  const fs::path vocab = fs::path(GREENROUTE_SHARED_DATA_DIR) / "models" / "ggml-vocab-llama-spm.gguf";
  if (!fs::exists(vocab)) GTEST_SKIP() << "shared data not present: " << vocab;
  auto info = run_greenroute({"model", "info", vocab.string(), "--json"}, dir_);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto j = nlohmann::json::parse(info.out);
  EXPECT_FALSE(j["runnable"].get<bool>());
  EXPECT_NE(j["not_runnable_because"].get<std::string>().find("vocabulary-only"), std::string::npos);
  EXPECT_EQ(j["tokenizer"]["vocab_size"], 32000);
}

}  // namespace
}  // namespace greenroute::cli
