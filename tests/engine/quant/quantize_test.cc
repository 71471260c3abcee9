// quantize_row -> dequantize_row round trips: error bounds per type, argument
// validation, and identical activation bytes from every SIMD level.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/kernels.h"
#include "quant/q8_k.h"
#include "test_util.h"

namespace greenroute::engine::quant {
namespace {

using testing::available_levels;
using testing::random_row;

struct ErrorCase {
  GgmlType type;
  double max_rel_rmse;  // RMSE of the round trip / RMS of the input
};

class RoundTripTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RoundTripTest, ErrorWithinBound) {
  const ErrorCase c = GetParam();
  core::Rng rng(11);
  constexpr std::int64_t kN = 1024;
  const std::vector<float> x = random_row(rng, kN, 2.0f);
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(quantize_row(c.type, x.data(), kN, bytes).is_ok());
  ASSERT_EQ(bytes.size(), row_bytes(c.type, kN));
  std::vector<float> y(kN);
  dequantize_row(WeightView{c.type, bytes.data(), kN, 1}, 0, y.data());
  double err2 = 0;
  double ref2 = 0;
  for (std::int64_t i = 0; i < kN; ++i) {
    err2 += (static_cast<double>(y[i]) - x[i]) * (static_cast<double>(y[i]) - x[i]);
    ref2 += static_cast<double>(x[i]) * x[i];
  }
  const double rel = std::sqrt(err2 / ref2);
  EXPECT_LE(rel, c.max_rel_rmse) << type_name(c.type);
  if (c.type == GgmlType::kF32) {
    EXPECT_EQ(rel, 0.0);
  }
}

// Bounds from each format's step size on Gaussian data (ggml's own tests use
// similar thresholds); all of them fail by orders of magnitude if a layout
// or scale is wrong.
INSTANTIATE_TEST_SUITE_P(AllTypes, RoundTripTest,
                         ::testing::Values(ErrorCase{GgmlType::kF32, 0.0}, ErrorCase{GgmlType::kF16, 5e-4},
                                           ErrorCase{GgmlType::kBF16, 4e-3}, ErrorCase{GgmlType::kQ8_0, 8e-3},
                                           ErrorCase{GgmlType::kQ4_0, 0.13}, ErrorCase{GgmlType::kQ4_K, 0.10},
                                           ErrorCase{GgmlType::kQ6_K, 0.03}),
                         [](const auto& p) { return std::string(type_name(p.param.type)); });

TEST(QuantizeTest, ZeroRowsStayZero) {
  const std::vector<float> x(512, 0.0f);
  for (GgmlType t : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(quantize_row(t, x.data(), 512, bytes).is_ok());
    std::vector<float> y(512, 1.0f);
    dequantize_row(WeightView{t, bytes.data(), 512, 1}, 0, y.data());
    for (float v : y) ASSERT_EQ(v, 0.0f) << type_name(t);
  }
}

TEST(QuantizeTest, AppendsAndValidates) {
  core::Rng rng(3);
  const std::vector<float> x = random_row(rng, 512);
  std::vector<std::uint8_t> bytes(5, 0xab);
  ASSERT_TRUE(quantize_row(GgmlType::kQ4_K, x.data(), 512, bytes).is_ok());
  EXPECT_EQ(bytes.size(), 5 + 2 * 144u);
  EXPECT_EQ(bytes[4], 0xab);

  const core::Status bad_len = quantize_row(GgmlType::kQ4_0, x.data(), 40, bytes);
  EXPECT_EQ(bad_len.code(), core::StatusCode::kInvalidArgument);
  const core::Status bad_type = quantize_row(GgmlType::kQ5_K, x.data(), 256, bytes);
  EXPECT_EQ(bad_type.code(), core::StatusCode::kUnsupported);
  EXPECT_EQ(bytes.size(), 5 + 2 * 144u);  // failures append nothing
}

// Every level's activation converter must produce the same bytes, so the
// SIMD level never changes what the dot kernels see.
TEST(QuantizeTest, ActivationBytesIdenticalAcrossLevels) {
  core::Rng rng(5);
  for (GgmlType t : {GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_K}) {
    const TypeKernels* k = kernels_for(t);
    ASSERT_NE(k, nullptr);
    constexpr std::int64_t kN = 2048;
    std::vector<float> x = random_row(rng, kN, 3.0f);
    for (int i = 0; i < 32; ++i) x[static_cast<std::size_t>(i)] = 0.0f;  // an all-zero block
    x[100] = 62.5f;                                                      // rounding ties
    const std::size_t bytes = row_bytes(k->dot_type, kN);
    std::vector<std::uint8_t> ref(bytes);
    act_quantizer(*k, SimdLevel::kScalar)(x.data(), ref.data(), kN);
    for (SimdLevel l : available_levels()) {
      std::vector<std::uint8_t> got(bytes);
      act_quantizer(*k, l)(x.data(), got.data(), kN);
      EXPECT_EQ(got, ref) << type_name(t) << " at " << simd_level_name(l);
    }
  }
}

TEST(QuantizeTest, Q8_KActivationsCloseToInput) {
  core::Rng rng(9);
  const std::vector<float> x = random_row(rng, 512);
  std::vector<BlockQ8_K> b(2);
  quantize_q8_k_ref(x.data(), b.data(), 512);
  std::vector<float> y(512);
  dequantize_q8_k(b.data(), y.data(), 512);
  for (int blk = 0; blk < 2; ++blk) {
    for (int i = 0; i < 256; ++i) {
      // Error at most half a step (plus float rounding of the scale), or one
      // step where +128 had to be clamped to 127.
      const float steps = b[blk].qs[i] == 127 ? 1.0f : 0.5f;
      EXPECT_LE(std::fabs(y[blk * 256 + i] - x[blk * 256 + i]), steps * std::fabs(b[blk].d) * 1.001f);
    }
  }
}

}  // namespace
}  // namespace greenroute::engine::quant
