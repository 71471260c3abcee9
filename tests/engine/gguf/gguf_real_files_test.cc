// Opens the real GGUF files in the shared data directory (skipped when it is
// absent) and checks metadata and tensors against PROVENANCE.md.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "greenroute/engine/gguf/gguf_file.h"
#include "support/test_files.h"

namespace greenroute::engine::gguf {
namespace {

std::string model_path(const char* name) {
  return std::string(GREENROUTE_SHARED_DATA_DIR) + "/models/" + name;
}

// Writing back everything the reader found must reproduce the file exactly
// (both files were written by ggml's own writer).
void expect_rewrites_identically(const GgufFile& f) {
  GgufWriter w;
  for (const KeyValue& kv : f.metadata()) w.set(kv.key, kv.value);
  for (const TensorInfo& t : f.tensors()) {
    const std::uint8_t* p = f.tensor_data(t);
    ASSERT_TRUE(w.add_tensor(t.name, t.type, t.shape, std::vector<std::uint8_t>(p, p + t.n_bytes)).is_ok());
  }
  const std::vector<std::uint8_t> bytes = w.serialize();
  ASSERT_EQ(bytes.size(), f.file_size());
  const std::vector<std::uint8_t> original = ::greenroute::testing::read_file_bytes(f.path());
  EXPECT_TRUE(bytes == original);
}

TEST(GgufRealFiles, Stories260K) {
  const std::string path = model_path("stories260K.gguf");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto r = GgufFile::open(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const GgufFile& f = *r.value();
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.file_size(), 1185376u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.get_string("general.architecture").value(), "llama");
  EXPECT_EQ(f.get_uint("llama.block_count").value(), 5u);
  EXPECT_EQ(f.get_uint("llama.embedding_length").value(), 64u);
  EXPECT_EQ(f.get_uint("llama.feed_forward_length").value(), 172u);
  EXPECT_EQ(f.get_uint("llama.attention.head_count").value(), 8u);
  EXPECT_EQ(f.get_uint("llama.attention.head_count_kv").value(), 4u);
  EXPECT_EQ(f.get_uint("llama.context_length").value(), 2048u);
  EXPECT_NEAR(f.get_float("llama.attention.layer_norm_rms_epsilon").value(), 1e-5, 1e-9);
  EXPECT_EQ(f.get_string("tokenizer.ggml.model").value(), "llama");
  EXPECT_EQ(f.get_uint("tokenizer.ggml.bos_token_id").value(), 1u);
  EXPECT_EQ(f.get_uint("tokenizer.ggml.eos_token_id").value(), 2u);
  auto tokens = f.get_array("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.is_ok());
  ASSERT_EQ(tokens.value()->size(), 512u);
  EXPECT_EQ(tokens.value()->strings[0], "<unk>");
  EXPECT_EQ(tokens.value()->strings[1], "<s>");
  EXPECT_EQ(tokens.value()->strings[2], "</s>");
  EXPECT_EQ(f.get_array("tokenizer.ggml.scores").value()->floats.size(), 512u);
  EXPECT_EQ(f.get_array("tokenizer.ggml.token_type").value()->element_type, ValueType::kInt32);

  ASSERT_EQ(f.tensors().size(), 48u);
  std::uint64_t params = 0;
  std::uint64_t end = 0;
  for (const TensorInfo& t : f.tensors()) {
    EXPECT_EQ(t.type, quant::GgmlType::kF32) << t.name;
    params += t.n_elements;
    end = std::max(end, f.data_offset() + t.offset + t.n_bytes);
  }
  EXPECT_EQ(params, 292800u);
  EXPECT_LE(end, f.file_size());
  const TensorInfo* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->shape, (std::vector<std::uint64_t>{64, 512}));
  EXPECT_EQ(emb->n_bytes, 64u * 512u * 4u);
  const TensorInfo* down = f.find_tensor("blk.4.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->shape, (std::vector<std::uint64_t>{172, 64}));
  // output.weight is a separate copy of the tied embedding (PROVENANCE.md).
  const TensorInfo* out = f.find_tensor("output.weight");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(out->n_bytes, emb->n_bytes);
  EXPECT_EQ(std::memcmp(f.tensor_data(*out), f.tensor_data(*emb), emb->n_bytes), 0);
  expect_rewrites_identically(f);
}

TEST(GgufRealFiles, VocabOnlyLlamaSpm) {
  const std::string path = model_path("ggml-vocab-llama-spm.gguf");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto r = GgufFile::open(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const GgufFile& f = *r.value();
  EXPECT_EQ(f.version(), 3u);
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_EQ(f.metadata().size(), 22u);
  EXPECT_EQ(f.get_string("general.architecture").value(), "llama");
  EXPECT_EQ(f.get_uint("llama.block_count").value(), 32u);
  EXPECT_EQ(f.get_uint("llama.embedding_length").value(), 4096u);
  EXPECT_EQ(f.get_uint("llama.feed_forward_length").value(), 11008u);
  EXPECT_EQ(f.get_uint("llama.vocab_size").value(), 32000u);
  EXPECT_TRUE(f.get_bool("tokenizer.ggml.add_bos_token").value());
  EXPECT_FALSE(f.get_bool("tokenizer.ggml.add_eos_token").value());
  const ArrayValue* tokens = f.get_array("tokenizer.ggml.tokens").value();
  ASSERT_EQ(tokens->size(), 32000u);
  EXPECT_EQ(tokens->strings[0], "<unk>");
  EXPECT_EQ(tokens->strings[3], "<0x00>");
  const ArrayValue* types = f.get_array("tokenizer.ggml.token_type").value();
  ASSERT_EQ(types->ints.size(), 32000u);
  EXPECT_EQ(types->ints[0], 2);
  EXPECT_EQ(types->ints[3], 6);
  expect_rewrites_identically(f);
}

}  // namespace
}  // namespace greenroute::engine::gguf
