// KvCache: slots, block growth, caps and reuse.
#include "greenroute/engine/kv_cache/kv_cache.h"

#include <cstring>

#include <gtest/gtest.h>

namespace greenroute::engine::kv_cache {
namespace {

KvCacheConfig config() {
  KvCacheConfig c;
  c.n_layer = 3;
  c.n_embd_kv = 16;
  c.type = quant::GgmlType::kF16;
  c.n_ctx = 200;
  c.max_sequences = 2;
  c.block_tokens = 64;
  return c;
}

TEST(KvCacheTest, SlotsAreReused) {
  auto kv = KvCache::create(config());
  ASSERT_TRUE(kv.is_ok());
  auto a = (*kv)->add_sequence();
  auto b = (*kv)->add_sequence();
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_NE(*a, *b);
  auto c = (*kv)->add_sequence();
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kResourceExhausted);
  (*kv)->remove_sequence(*a);
  EXPECT_EQ((*kv)->live_sequences(), 1);
  auto d = (*kv)->add_sequence();
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(*d, *a);
}

TEST(KvCacheTest, BlocksGrowWithUseAndAreReused) {
  auto kv = KvCache::create(config());
  ASSERT_TRUE(kv.is_ok());
  KvCache& cache = **kv;
  const std::uint64_t block = 3u * 2 * 64 * 16 * 2;
  EXPECT_EQ(cache.block_bytes(), block);
  const int s = *cache.add_sequence();
  EXPECT_EQ(cache.allocated_bytes(), 0u);
  ASSERT_TRUE(cache.reserve(s, 10).is_ok());
  EXPECT_EQ(cache.allocated_bytes(), block);
  cache.set_length(s, 10);
  ASSERT_TRUE(cache.reserve(s, 54).is_ok());  // up to 64: same block
  EXPECT_EQ(cache.allocated_bytes(), block);
  ASSERT_TRUE(cache.reserve(s, 55).is_ok());  // 65 positions: a second block
  EXPECT_EQ(cache.allocated_bytes(), 2 * block);
  cache.set_length(s, 65);

  // Rows are distinct and stable.
  std::memset(cache.k_row(s, 2, 64), 0xAB, 32);
  EXPECT_NE(cache.k_row(s, 2, 64), cache.v_row(s, 2, 64));
  EXPECT_NE(cache.k_row(s, 1, 64), cache.k_row(s, 2, 64));
  EXPECT_EQ(cache.k_row(s, 2, 64)[31], 0xAB);

  cache.remove_sequence(s);
  EXPECT_EQ(cache.used_bytes(), 0u);
  EXPECT_EQ(cache.allocated_bytes(), 2 * block);  // kept for reuse
  const int t = *cache.add_sequence();
  EXPECT_EQ(cache.length(t), 0);
  ASSERT_TRUE(cache.reserve(t, 128).is_ok());
  EXPECT_EQ(cache.allocated_bytes(), 2 * block);  // no new allocation
}

TEST(KvCacheTest, ContextAndByteCapsAreEnforced) {
  KvCacheConfig c = config();
  c.max_bytes = 3u * 2 * 64 * 16 * 2 * 2;  // two blocks
  auto kv = KvCache::create(c);
  ASSERT_TRUE(kv.is_ok());
  KvCache& cache = **kv;
  const int a = *cache.add_sequence();
  const core::Status too_long = cache.reserve(a, 201);
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_EQ(too_long.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(too_long.message().find("context of 200"), std::string::npos) << too_long.message();

  ASSERT_TRUE(cache.reserve(a, 128).is_ok());
  const int b = *cache.add_sequence();
  const core::Status full = cache.reserve(b, 1);
  ASSERT_FALSE(full.is_ok());
  EXPECT_EQ(full.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("KV cache is full"), std::string::npos) << full.message();
}

TEST(KvCacheTest, RejectsUnsupportedTypes) {
  KvCacheConfig c = config();
  c.type = quant::GgmlType::kQ8_0;
  auto kv = KvCache::create(c);
  ASSERT_FALSE(kv.is_ok());
  EXPECT_EQ(kv.status().code(), core::StatusCode::kUnsupported);
  c = config();
  c.n_ctx = 0;
  EXPECT_EQ(KvCache::create(c).status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greenroute::engine::kv_cache
