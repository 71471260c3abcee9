// Hand-built blocks with known values: pins every block layout to ggml's
// (nibble order, K-quant scale packing, Q6_K bit planes) independently of
// our own quantizers.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "greenroute/engine/quant/matmul.h"
#include "quant/q4_0.h"
#include "quant/q4_k.h"
#include "quant/q6_k.h"
#include "quant/q8_0.h"
#include "quant/q8_k.h"

namespace greenroute::engine::quant {
namespace {

constexpr std::uint16_t kHalfOne = 0x3c00;
constexpr std::uint16_t kHalfHalf = 0x3800;  // 0.5

TEST(LayoutTest, TypeSizesMatchTraits) {
  EXPECT_EQ(traits(GgmlType::kQ4_0).type_size, sizeof(BlockQ4_0));
  EXPECT_EQ(traits(GgmlType::kQ8_0).type_size, sizeof(BlockQ8_0));
  EXPECT_EQ(traits(GgmlType::kQ4_K).type_size, sizeof(BlockQ4_K));
  EXPECT_EQ(traits(GgmlType::kQ6_K).type_size, sizeof(BlockQ6_K));
  EXPECT_EQ(traits(GgmlType::kQ8_K).type_size, sizeof(BlockQ8_K));
}

TEST(LayoutTest, Q4_0NibbleOrder) {
  BlockQ4_0 b{};
  b.d = kHalfHalf;
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<std::uint8_t>(j | ((15 - j) << 4));
  const WeightView w{GgmlType::kQ4_0, &b, 32, 1};
  float out[32];
  dequantize_row(w, 0, out);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[j], 0.5f * static_cast<float>(j - 8)) << j;              // low nibble of qs[j]
    EXPECT_EQ(out[j + 16], 0.5f * static_cast<float>(7 - j)) << j + 16;   // high nibble of qs[j]
  }
}

TEST(LayoutTest, Q8_0Values) {
  BlockQ8_0 b{};
  b.d = kHalfHalf;
  for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<std::int8_t>(j * 8 - 127);
  float out[32];
  dequantize_row(WeightView{GgmlType::kQ8_0, &b, 32, 1}, 0, out);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(out[j], 0.5f * static_cast<float>(j * 8 - 127));
}

TEST(LayoutTest, Q4_KScalePacking) {
  BlockQ4_K b{};
  b.d = kHalfOne;
  b.dmin = kHalfOne;
  // Sub-block 1 (packed directly): scale 5, min 7.
  b.scales[1] = 5;
  b.scales[5] = 7;
  // Sub-block 5: low 4 bits in scales[9], top 2 bits in scales[1] / scales[5]
  // bits 6-7: scale = 1 | 1 << 4 = 17, min = 2 | 2 << 4 = 34.
  b.scales[9] = 0x21;
  b.scales[1] |= 0x40;
  b.scales[5] |= 0x80;
  std::memset(b.qs, 0x30, sizeof b.qs);  // low nibble 0, high nibble 3
  float out[256];
  dequantize_row(WeightView{GgmlType::kQ4_K, &b, 256, 1}, 0, out);
  for (int l = 0; l < 32; ++l) {
    EXPECT_EQ(out[32 + l], 5.0f * 3 - 7) << l;    // sub-block 1 = high nibbles of qs[0..31]
    EXPECT_EQ(out[160 + l], 17.0f * 3 - 34) << l;  // sub-block 5 = high nibbles of qs[64..95]
    EXPECT_EQ(out[l], 0.0f);                      // sub-block 0: scale 0, min 0
  }
  std::uint8_t sc;
  std::uint8_t m;
  get_scale_min_k4(5, b.scales, &sc, &m);
  EXPECT_EQ(sc, 17);
  EXPECT_EQ(m, 34);
}

TEST(LayoutTest, Q6_KBitPlanes) {
  BlockQ6_K b{};
  b.d = kHalfOne;
  std::memset(b.ql, 0x21, sizeof b.ql);  // low nibble 1, high nibble 2
  std::memset(b.qh, 0xe4, sizeof b.qh);  // bit pairs 0,1,2,3 from the bottom
  for (int g = 0; g < 16; ++g) b.scales[g] = static_cast<std::int8_t>(g + 1);
  float out[256];
  dequantize_row(WeightView{GgmlType::kQ6_K, &b, 256, 1}, 0, out);
  // Within each 128-value half: value l uses ql low + qh bits 0-1, l+32 ql low
  // + bits 2-3, l+64 ql high + bits 4-5, l+96 ql high + bits 6-7.
  const int q_by_quarter[4] = {(1 | 0 << 4) - 32, (1 | 1 << 4) - 32, (2 | 2 << 4) - 32, (2 | 3 << 4) - 32};
  for (int i = 0; i < 256; ++i) {
    const int quarter = (i % 128) / 32;
    EXPECT_EQ(out[i], static_cast<float>((i / 16 + 1) * q_by_quarter[quarter])) << i;
  }
}

// ggml's quantize_row_q8_K_ref maps the signed extreme to -127 (iscale =
// -127 / max), not -128. Regression: with -128 every K-quant matmul saw
// activations on a 128/127 finer grid than llama.cpp's, and TinyLlama-shaped
// Q4_K/Q6_K logits differed from llama.cpp by up to 0.39.
TEST(LayoutTest, Q8_KFromQuantizer) {
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(i % 17) - 4.0f;  // -4 .. 12
  x[100] = -64.0f;  // the signed extreme: iscale = 127/64 = 1.984375 (exact)
  x[0] = 48.0f;     // 95.25: 95 here, 96 on a -128 grid
  x[1] = 63.0f;     // 125.015625: 125 here, 126 on a -128 grid
  x[2] = -32.0f;    // -63.5: a tie, rounds to even (-64) as nearest_int does
  BlockQ8_K b{};
  quantize_q8_k_ref(x.data(), &b, 256);
  EXPECT_EQ(b.d, 1.0f / 1.984375f);  // ggml stores 1/iscale
  EXPECT_EQ(b.qs[100], -127);
  EXPECT_EQ(b.qs[0], 95);
  EXPECT_EQ(b.qs[1], 125);
  EXPECT_EQ(b.qs[2], -64);
  // The rest: v * 1.984375 = 2v - v/64 and |v/64| < 0.5 for v in -4..12.
  for (int i = 3; i < 256; ++i) {
    if (i != 100) {
      EXPECT_EQ(b.qs[i], static_cast<std::int8_t>(2 * x[i])) << i;
    }
  }
  for (int g = 0; g < 16; ++g) {
    int sum = 0;
    for (int j = 0; j < 16; ++j) sum += b.qs[g * 16 + j];
    EXPECT_EQ(b.bsums[g], sum);
  }
}

// Q8_0 weights use ggml's reference rounding (half away from zero), Q8_0
// activations ggml-cpu's x86 rounding (half to even): 62.5 tells them apart.
TEST(LayoutTest, Q8_0RefAndActivationRounding) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = 62.5f;
  x[2] = -62.5f;
  x[3] = 61.5f;
  BlockQ8_0 ref{};
  BlockQ8_0 act{};
  quantize_q8_0_ref(x.data(), &ref, 32);
  quantize_q8_0_act(x.data(), &act, 32);
  EXPECT_EQ(ref.d, kHalfOne);
  EXPECT_EQ(act.d, kHalfOne);
  EXPECT_EQ(ref.qs[1], 63);
  EXPECT_EQ(ref.qs[2], -63);
  EXPECT_EQ(ref.qs[3], 62);
  EXPECT_EQ(act.qs[1], 62);
  EXPECT_EQ(act.qs[2], -62);
  EXPECT_EQ(act.qs[3], 62);
  EXPECT_EQ(act.qs[0], 127);
}

TEST(LayoutTest, Q4_0RefQuantizerKnownBlock) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16) - 8.0f;  // max |x| = -8
  BlockQ4_0 b{};
  quantize_q4_0_ref(x.data(), &b, 32);
  EXPECT_EQ(b.d, kHalfOne);  // d = max / -8 = 1
  // d = 1 and id = 1: x + 8.5 truncated is j % 16, except -8 maps to 0.
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b.qs[j], static_cast<std::uint8_t>(j | (j << 4))) << j;
}

}  // namespace
}  // namespace greenroute::engine::quant
