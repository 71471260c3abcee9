// Model loading: hyperparameters, tensor mapping, and the errors a bad file gives.
#include "greenroute/engine/model/model.h"

#include <gtest/gtest.h>

#include "engine/model/tiny_model.h"

namespace greenroute::engine::model {
namespace {

using testing::TinyModelSpec;
using testing::write_tiny_model;

core::Result<std::unique_ptr<Model>> load_spec(const TinyModelSpec& spec, const std::string& name) {
  const std::string path = write_tiny_model(spec, name);
  EXPECT_FALSE(path.empty());
  return Model::load(path);
}

TEST(ModelTest, LoadsTinyLlama) {
  TinyModelSpec spec;
  auto m = load_spec(spec, "model_llama.gguf");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const ModelConfig& c = (*m)->config();
  EXPECT_EQ(c.arch, Architecture::kLlama);
  EXPECT_EQ(c.rope_type(), RopeType::kNorm);
  EXPECT_EQ(c.name, "tiny-llama");
  EXPECT_EQ(c.n_vocab, 96);
  EXPECT_EQ(c.n_embd, 32);
  EXPECT_EQ(c.n_layer, 2);
  EXPECT_EQ(c.n_head, 4);
  EXPECT_EQ(c.n_head_kv, 2);
  EXPECT_EQ(c.head_dim, 8);
  EXPECT_EQ(c.n_rot, 8);
  EXPECT_EQ(c.n_ff, 48);
  EXPECT_EQ(c.n_ctx_train, 256);
  EXPECT_FALSE(c.tied_output);
  EXPECT_FALSE(c.attn_bias);
  EXPECT_FALSE(c.synthetic);
  EXPECT_EQ((*m)->tokenizer().n_vocab(), 96);
  EXPECT_EQ((*m)->weights().layers.size(), 2u);
  EXPECT_EQ((*m)->layer(1).wq.n_in, 32);
  EXPECT_EQ((*m)->layer(1).wk.n_out, 16);
  // Every tensor is F32: bytes = 4 x parameters.
  std::uint64_t params = 96 * 32 * 2 + 32;
  params += 2 * (32 + 32 * 32 + 2 * 32 * 16 + 32 * 32 + 32 + 3 * 32 * 48);
  EXPECT_EQ((*m)->weight_bytes(), params * 4);
}

TEST(ModelTest, LoadsTinyQwen2WithTiedOutput) {
  TinyModelSpec spec;
  spec.arch = Architecture::kQwen2;
  spec.tied_output = true;
  auto m = load_spec(spec, "model_qwen2.gguf");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const ModelConfig& c = (*m)->config();
  EXPECT_EQ(c.arch, Architecture::kQwen2);
  EXPECT_EQ(c.rope_type(), RopeType::kNeox);
  EXPECT_TRUE(c.tied_output);
  EXPECT_TRUE(c.attn_bias);
  EXPECT_EQ((*m)->weights().output.data, (*m)->weights().token_embd.data);
  EXPECT_NE((*m)->layer(0).bq, nullptr);
}

TEST(ModelTest, MissingTensorIsCorruptAndNamed) {
  TinyModelSpec spec;
  spec.omit_tensor = "blk.1.ffn_up.weight";
  auto m = load_spec(spec, "model_missing.gguf");
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find("blk.1.ffn_up.weight"), std::string::npos) << m.status().message();
}

TEST(ModelTest, UnsupportedTensorTypeNamesTensorAndType) {
  TinyModelSpec spec;
  spec.q5_0_tensor = "blk.0.attn_v.weight";
  auto m = load_spec(spec, "model_q5.gguf");
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("blk.0.attn_v.weight"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("q5_0"), std::string::npos) << m.status().message();
}

TEST(ModelTest, UnsupportedArchitectureIsNamed) {
  TinyModelSpec spec;
  spec.arch_name_override = "mamba";
  auto m = load_spec(spec, "model_mamba.gguf");
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("mamba"), std::string::npos) << m.status().message();
}

TEST(ModelTest, MissingFileIsAnError) {
  auto m = Model::load("/nonexistent/greenroute/model.gguf");
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.status().message().find("/nonexistent/greenroute/model.gguf"), std::string::npos);
}

TEST(ModelTest, Stories260KConfig) {
  const std::string path = testing::stories260k_path();
  if (path.empty()) GTEST_SKIP() << "shared data absent: stories260K.gguf not found";
  auto m = Model::load(path);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const ModelConfig& c = (*m)->config();
  EXPECT_EQ(c.n_vocab, 512);
  EXPECT_EQ(c.n_embd, 64);
  EXPECT_EQ(c.n_layer, 5);
  EXPECT_EQ(c.n_head, 8);
  EXPECT_EQ(c.n_head_kv, 4);
  EXPECT_EQ(c.head_dim, 8);
  EXPECT_EQ(c.n_ff, 172);
  EXPECT_EQ(c.n_ctx_train, 2048);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-5f);
}

}  // namespace
}  // namespace greenroute::engine::model
