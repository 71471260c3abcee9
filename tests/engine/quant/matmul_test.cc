// matmul() at every SIMD level: equals the scalar level, equals a float
// reference, and gives identical bits for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/kernels.h"
#include "quant/matmul_internal.h"
#include "test_util.h"

namespace greenroute::engine::quant {
namespace {

using testing::available_levels;
using testing::make_matrix;
using testing::random_row;
using testing::TestMatrix;

struct MatmulCase {
  GgmlType type;
  std::int64_t n_in;
};

class MatmulTest : public ::testing::TestWithParam<MatmulCase> {};

std::vector<float> run(const TestMatrix& m, const std::vector<float>& x, std::int64_t n_tokens, int threads,
                       SimdLevel level) {
  core::ThreadPool pool(threads);
  MatmulScratch scratch;
  std::vector<float> y(static_cast<std::size_t>(n_tokens * m.n_out), -7.0f);
  matmul_at_level(m.view(), x.data(), n_tokens, y.data(), pool, scratch, level);
  return y;
}

TEST_P(MatmulTest, MatchesReferencesAtEveryLevel) {
  const MatmulCase c = GetParam();
  core::Rng rng(static_cast<std::uint64_t>(c.type) * 31 + static_cast<std::uint64_t>(c.n_in));
  // 70 rows: not a multiple of any chunk size, so the last chunk is partial.
  const TestMatrix m = make_matrix(rng, c.type, c.n_in, 70);
  ASSERT_EQ(m.bytes.size(), row_bytes(c.type, c.n_in) * 70);
  for (std::int64_t n_tokens : {1, 3, 8, 17}) {
    const std::vector<float> x = random_row(rng, n_tokens * c.n_in);
    const std::vector<float> ref = run(m, x, n_tokens, 1, SimdLevel::kScalar);
    for (std::int64_t t = 0; t < n_tokens; ++t) {
      for (std::int64_t o = 0; o < m.n_out; ++o) {
        double dot = 0;
        double mag = 0;
        for (std::int64_t i = 0; i < c.n_in; ++i) {
          const double p = static_cast<double>(m.dequant[o * c.n_in + i]) * x[t * c.n_in + i];
          dot += p;
          mag += std::fabs(p);
        }
        ASSERT_NEAR(ref[t * m.n_out + o], dot, 0.01 * mag + 1e-4) << "t=" << t << " o=" << o;
      }
    }
    for (SimdLevel l : available_levels()) {
      const std::vector<float> y1 = run(m, x, n_tokens, 1, l);
      for (std::size_t i = 0; i < y1.size(); ++i) {
        ASSERT_NEAR(y1[i], ref[i], 2e-5 * (std::fabs(ref[i]) + 1.0))
            << type_name(c.type) << " tokens=" << n_tokens << " i=" << i << " at " << simd_level_name(l);
      }
      // Thread-count independence: identical bits.
      for (int threads : {2, 3}) {
        const std::vector<float> yt = run(m, x, n_tokens, threads, l);
        ASSERT_EQ(std::memcmp(yt.data(), y1.data(), y1.size() * sizeof(float)), 0)
            << type_name(c.type) << " tokens=" << n_tokens << " threads=" << threads << " at "
            << simd_level_name(l);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatmulTest,
                         ::testing::Values(MatmulCase{GgmlType::kF32, 96}, MatmulCase{GgmlType::kF16, 96},
                                           MatmulCase{GgmlType::kBF16, 96}, MatmulCase{GgmlType::kQ8_0, 96},
                                           MatmulCase{GgmlType::kQ8_0, 512}, MatmulCase{GgmlType::kQ4_0, 96},
                                           MatmulCase{GgmlType::kQ4_0, 512}, MatmulCase{GgmlType::kQ4_K, 256},
                                           MatmulCase{GgmlType::kQ4_K, 768}, MatmulCase{GgmlType::kQ6_K, 256},
                                           MatmulCase{GgmlType::kQ6_K, 768}),
                         [](const auto& p) {
                           return std::string(type_name(p.param.type)) + "_" + std::to_string(p.param.n_in);
                         });

TEST(MatmulPublicTest, UsesEffectiveLevelAndReusesScratch) {
  core::Rng rng(42);
  const TestMatrix m = make_matrix(rng, GgmlType::kQ4_0, 256, 100);
  core::ThreadPool pool(2);
  MatmulScratch scratch;
  const std::vector<float> x = random_row(rng, 5 * 256);
  std::vector<float> y(5 * 100);
  matmul(m.view(), x.data(), 5, y.data(), pool, scratch);
  const std::vector<float> expect = run(m, x, 5, 1, effective_level());
  EXPECT_EQ(y, expect);
  const std::size_t cap = scratch.bytes.capacity();
  matmul(m.view(), x.data(), 1, y.data(), pool, scratch);  // smaller: no reallocation
  EXPECT_EQ(scratch.bytes.capacity(), cap);
  for (std::int64_t o = 0; o < 100; ++o) EXPECT_EQ(y[o], expect[o]);
}

TEST(MatmulPublicTest, ZeroTokensWritesNothing) {
  core::Rng rng(1);
  const TestMatrix m = make_matrix(rng, GgmlType::kQ8_0, 64, 4);
  core::ThreadPool pool(1);
  MatmulScratch scratch;
  float y = 3.0f;
  matmul(m.view(), nullptr, 0, &y, pool, scratch);
  EXPECT_EQ(y, 3.0f);
}

TEST(MatmulPublicTest, DequantizeRowMatchesTypeDecoder) {
  core::Rng rng(2);
  const TestMatrix m = make_matrix(rng, GgmlType::kQ6_K, 512, 3);
  std::vector<float> row(512);
  dequantize_row(m.view(), 2, row.data());
  for (int i = 0; i < 512; ++i) EXPECT_EQ(row[i], m.dequant[2 * 512 + i]);
}

}  // namespace
}  // namespace greenroute::engine::quant
