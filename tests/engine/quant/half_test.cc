// Known-answer tests for the fp16 / bf16 conversions (ggml / F16C semantics).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/kernels.h"

namespace greenroute::engine::quant {
namespace {

float from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

std::uint32_t to_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

TEST(HalfTest, Fp32ToFp16KnownValues) {
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(fp32_to_fp16(0.1f), 0x2e66);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);   // largest finite half
  EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7bff);  // just below the rounding midpoint
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);   // midpoint ties to even: infinity
  EXPECT_EQ(fp32_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(fp32_to_fp16(0x1p-14f), 0x0400);  // smallest normal
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);  // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);  // tie between 0 and 1 ulp: even is 0
  EXPECT_EQ(fp32_to_fp16(0x1.8p-24f), 0x0002);  // 1.5 ulp ties to even 2
  EXPECT_EQ(fp32_to_fp16(0x1.4p-24f), 0x0001);  // 1.25 ulp rounds down
  EXPECT_EQ(fp32_to_fp16(-0x1p-24f), 0x8001);
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f), 0x3c00);        // tie, even mantissa below
  EXPECT_EQ(fp32_to_fp16(1.0f + 3 * 0x1p-11f), 0x3c02);    // tie, even mantissa above
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // above the tie
  EXPECT_EQ(fp32_to_fp16(0x1.ffcp-15f), 0x0400);  // largest subnormal + carry into normal
}

TEST(HalfTest, Fp32ToFp16NanStaysQuietNan) {
  EXPECT_EQ(fp32_to_fp16(from_bits(0x7fc00000u)), 0x7e00);
  EXPECT_EQ(fp32_to_fp16(from_bits(0xffc00000u)), 0xfe00);
  // A signalling NaN is quietened; the top payload bits are kept.
  EXPECT_EQ(fp32_to_fp16(from_bits(0x7f802000u)), 0x7e01);
  EXPECT_EQ(fp32_to_fp16(from_bits(0x7f800001u)), 0x7e00);
}

TEST(HalfTest, Fp16ToFp32KnownValues) {
  EXPECT_EQ(fp16_to_fp32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_fp32(0xc000), -2.0f);
  EXPECT_EQ(fp16_to_fp32(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x03ff), 1023 * 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x0400), 0x1p-14f);
  EXPECT_EQ(fp16_to_fp32(0x3555), 0.333251953125f);
  EXPECT_EQ(to_bits(fp16_to_fp32(0x8000)), 0x80000000u);
  EXPECT_EQ(fp16_to_fp32(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(fp16_to_fp32(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(to_bits(fp16_to_fp32(0x7e00)), 0x7fc00000u);
  EXPECT_EQ(to_bits(fp16_to_fp32(0x7c01)), 0x7fc02000u);  // quietened, payload kept
}

TEST(HalfTest, EveryHalfRoundTrips) {
  for (std::uint32_t h = 0; h < 0x10000u; ++h) {
    const auto hh = static_cast<std::uint16_t>(h);
    const bool nan = (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
    if (nan) {
      EXPECT_TRUE(std::isnan(fp16_to_fp32(hh)));
      EXPECT_EQ(fp32_to_fp16(fp16_to_fp32(hh)), hh | 0x0200u);
    } else {
      ASSERT_EQ(fp32_to_fp16(fp16_to_fp32(hh)), hh) << std::hex << h;
    }
  }
}

// The software conversion must match the F16C instruction bit for bit; the
// AVX2 activation converter uses the instruction.
TEST(HalfTest, SoftwareMatchesF16cOnRandomBits) {
  if (!level_available(SimdLevel::kAvx2)) GTEST_SKIP() << "no F16C on this CPU";
  const TypeKernels* k = kernels_for(GgmlType::kF16);
  ASSERT_NE(k, nullptr);
  const FromFloatFn hw = k->quantize_act[static_cast<int>(SimdLevel::kAvx2)];
  ASSERT_NE(hw, nullptr);
  core::Rng rng(7);
  std::vector<float> x(1 << 16);
  for (auto& v : x) v = from_bits(static_cast<std::uint32_t>(rng.next_u64()));
  std::vector<std::uint16_t> got(x.size());
  hw(x.data(), got.data(), static_cast<std::int64_t>(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(fp32_to_fp16(x[i]), got[i]) << std::hex << to_bits(x[i]);
  }
}

TEST(HalfTest, Bf16KnownValues) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(fp32_to_bf16(-2.0f), 0xc000);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f808000u)), 0x3f80);  // tie, even below
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f818000u)), 0x3f82);  // tie, even above
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x7f7fffffu)), 0x7f80);  // FLT_MAX rounds to inf
  EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x00018000u)), 0x0002);  // subnormals are kept, not flushed
  EXPECT_EQ(fp32_to_bf16(from_bits(0x7f800001u)), 0x7fc0);  // NaN forced quiet
  EXPECT_EQ(fp32_to_bf16(from_bits(0xffc00000u)), 0xffc0);
  EXPECT_EQ(bf16_to_fp32(0x3f80), 1.0f);
  EXPECT_EQ(to_bits(bf16_to_fp32(0x7fc1)), 0x7fc10000u);
  for (std::uint32_t h = 0; h < 0x10000u; ++h) {
    const auto hh = static_cast<std::uint16_t>(h);
    if ((h & 0x7f80u) == 0x7f80u && (h & 0x7fu) != 0) continue;  // NaNs
    ASSERT_EQ(fp32_to_bf16(bf16_to_fp32(hh)), hh);
  }
}

}  // namespace
}  // namespace greenroute::engine::quant
