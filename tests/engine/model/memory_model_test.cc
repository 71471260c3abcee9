// MemoryModel figures for a known configuration.
#include "greenroute/engine/model/memory_model.h"

#include <gtest/gtest.h>

namespace greenroute::engine::model {
namespace {

ModelConfig llama_1b_like() {
  ModelConfig c;
  c.n_vocab = 32000;
  c.n_embd = 2048;
  c.n_layer = 22;
  c.n_head = 32;
  c.n_head_kv = 4;
  c.head_dim = 64;
  c.n_rot = 64;
  c.n_ff = 5632;
  return c;
}

MemoryParams params() {
  MemoryParams p;
  p.kv_type = quant::GgmlType::kF16;
  p.max_batch_tokens = 512;
  p.max_outputs = 8;
  p.n_threads = 2;
  p.n_ctx = 2048;
  return p;
}

TEST(MemoryModelTest, KvBytesPerTokenIsExact) {
  const MemoryModel m = MemoryModel::create(llama_1b_like(), 1000, params());
  // 22 layers x (K + V) x 4 heads x 64 dims x 2 bytes.
  EXPECT_EQ(m.kv_bytes_per_token, 22u * 2 * 256 * 2);
  EXPECT_EQ(m.kv_bytes(1), 64u * m.kv_bytes_per_token);    // one whole block
  EXPECT_EQ(m.kv_bytes(64), 64u * m.kv_bytes_per_token);
  EXPECT_EQ(m.kv_bytes(65), 128u * m.kv_bytes_per_token);
  EXPECT_EQ(m.kv_bytes(0), 0u);

  MemoryParams p32 = params();
  p32.kv_type = quant::GgmlType::kF32;
  EXPECT_EQ(MemoryModel::create(llama_1b_like(), 0, p32).kv_bytes_per_token, 22u * 2 * 256 * 4);
}

TEST(MemoryModelTest, ComputeBytesMatchTheScratchFormula) {
  const MemoryModel m = MemoryModel::create(llama_1b_like(), 0, params());
  const std::uint64_t per_token = (2 * 2048 + 2 * 2048 + 2 * 256 + 2 * 5632) * 4;
  const std::uint64_t conv = 512u * 5632 * 2;
  const std::uint64_t logits = 8u * 32000 * 4;
  const std::uint64_t per_thread = 2048u * 4 + 64 * 10;
  const std::uint64_t fixed = 65536 * 4 + 8 * 9;
  EXPECT_EQ(m.compute_bytes(), 512 * per_token + conv + logits + fixed + 2 * per_thread);
  EXPECT_LT(m.compute_bytes(1), m.compute_bytes());
}

TEST(MemoryModelTest, BytesForAndMaxSequencesAgree) {
  const MemoryModel m = MemoryModel::create(llama_1b_like(), 1'000'000'000, params());
  const std::uint64_t one = m.bytes_for(1, 2048);
  EXPECT_EQ(one, 1'000'000'000 + m.kv_bytes(2048) + m.compute_bytes());
  EXPECT_EQ(m.bytes_for(4, 2048) - m.bytes_for(3, 2048), m.kv_bytes(2048));
  const std::uint64_t budget = m.bytes_for(5, 2048) + m.kv_bytes(2048) / 2;
  EXPECT_EQ(m.max_sequences(budget, 2048), 5);
  EXPECT_EQ(m.max_sequences(m.bytes_for(5, 2048), 2048), 5);
  EXPECT_EQ(m.max_sequences(500, 2048), 0);
}

TEST(MemoryModelTest, RefusalMessageCarriesTheFigures) {
  const MemoryModel m = MemoryModel::create(llama_1b_like(), 1'200'000'000, params());
  const std::uint64_t budget = m.bytes_for(4, 2048);
  EXPECT_TRUE(m.check_fits(4, 2048, budget).is_ok());
  EXPECT_TRUE(m.check_fits(1000, 2048, 0).is_ok());  // no limit
  const core::Status st = m.check_fits(8, 2048, budget);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
  const std::string& msg = st.message();
  EXPECT_NE(msg.find("batch of 8 sequences x 2048 tokens needs " + format_bytes(m.bytes_for(8, 2048))),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("weights " + format_bytes(1'200'000'000)), std::string::npos) << msg;
  EXPECT_NE(msg.find("KV " + format_bytes(8 * m.kv_bytes(2048))), std::string::npos) << msg;
  EXPECT_NE(msg.find("memory limit is " + format_bytes(budget)), std::string::npos) << msg;
  EXPECT_NE(msg.find("at most 4 fit"), std::string::npos) << msg;
}

TEST(MemoryModelTest, FormatBytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(3u << 20), "3.00 MiB");
  EXPECT_EQ(format_bytes((5ull << 30) / 2), "2.50 GiB");
}

}  // namespace
}  // namespace greenroute::engine::model
