// Dot kernels at every SIMD level this CPU has, called directly: each must
// equal the scalar reference tightly, and the float dot of the dequantized
// operands within float-summation error.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/kernels.h"
#include "test_util.h"

namespace greenroute::engine::quant {
namespace {

using testing::available_levels;
using testing::random_row;

struct KernelCase {
  GgmlType type;
  std::vector<std::int64_t> lengths;  // several block multiples, odd block counts included
};

class KernelTest : public ::testing::TestWithParam<KernelCase> {};

TEST_P(KernelTest, EveryLevelMatchesReferences) {
  const KernelCase& c = GetParam();
  const TypeKernels* k = kernels_for(c.type);
  ASSERT_NE(k, nullptr);
  core::Rng rng(static_cast<std::uint64_t>(c.type) + 100);
  for (std::int64_t n : c.lengths) {
    std::vector<std::uint8_t> w;
    const std::vector<float> wf = random_row(rng, n, 0.3f);
    ASSERT_TRUE(quantize_row(c.type, wf.data(), n, w).is_ok());
    std::vector<float> wdq(static_cast<std::size_t>(n));
    k->dequantize(w.data(), wdq.data(), n);

    // kMaxTile activation rows in the dot type, and their dequantized floats.
    const std::size_t stride = row_bytes(k->dot_type, static_cast<std::uint64_t>(n));
    std::vector<std::uint8_t> act(stride * kMaxTile);
    std::vector<std::vector<float>> adq(kMaxTile, std::vector<float>(static_cast<std::size_t>(n)));
    std::vector<std::vector<float>> af(kMaxTile);
    for (int t = 0; t < kMaxTile; ++t) {
      af[t] = random_row(rng, n, 1.5f);
      act_quantizer(*k, SimdLevel::kScalar)(af[t].data(), act.data() + t * stride, n);
      k->dequantize_act(act.data() + t * stride, adq[t].data(), n);
    }

    for (int n_tok = 1; n_tok <= kMaxTile; ++n_tok) {
      float ref[kMaxTile];
      dot_kernel(*k, SimdLevel::kScalar)(n, w.data(), act.data(), stride, n_tok, ref, 1);
      for (int t = 0; t < n_tok; ++t) {
        double exact = 0;  // dequantized weights . dequantized activations
        double loose = 0;  // dequantized weights . original activations
        double mag = 0;
        for (std::int64_t i = 0; i < n; ++i) {
          exact += static_cast<double>(wdq[i]) * adq[t][i];
          loose += static_cast<double>(wdq[i]) * af[t][i];
          mag += std::fabs(static_cast<double>(wdq[i]) * adq[t][i]);
        }
        const double tight = 2e-6 * mag + 1e-6;
        EXPECT_NEAR(ref[t], exact, tight) << type_name(c.type) << " n=" << n;
        // Activation rounding: at most half a step of 1/127 (Q8) per value.
        EXPECT_NEAR(ref[t], loose, 0.01 * mag + 1e-4) << type_name(c.type) << " n=" << n;
        for (SimdLevel l : available_levels()) {
          float got[2 * kMaxTile];
          for (float& g : got) g = -1.0f;
          // out_stride 2 checks the kernel honours the stride.
          dot_kernel(*k, l)(n, w.data(), act.data(), stride, n_tok, got, 2);
          EXPECT_NEAR(got[2 * t], ref[t], tight)
              << type_name(c.type) << " n=" << n << " n_tok=" << n_tok << " at " << simd_level_name(l);
          EXPECT_EQ(got[2 * t + 1], -1.0f);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, KernelTest,
    ::testing::Values(KernelCase{GgmlType::kF32, {1, 7, 16, 37, 256, 1000}},
                      KernelCase{GgmlType::kF16, {5, 32, 77, 512}},
                      KernelCase{GgmlType::kBF16, {3, 32, 77, 512}},
                      KernelCase{GgmlType::kQ8_0, {32, 96, 256, 2080}},
                      KernelCase{GgmlType::kQ4_0, {32, 96, 256, 2080}},
                      KernelCase{GgmlType::kQ4_K, {256, 768, 2048}},
                      KernelCase{GgmlType::kQ6_K, {256, 768, 2048}}),
    [](const auto& p) { return std::string(type_name(p.param.type)); });

// Extreme but legal inputs: full-range int8 activations and weights at the
// edges of their ranges must not saturate any intermediate.
TEST(KernelEdgeTest, ExtremeValuesDoNotSaturate) {
  for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    const TypeKernels* k = kernels_for(type);
    constexpr std::int64_t kN = 512;
    std::vector<float> wf(kN);
    std::vector<float> af(kN);
    for (std::int64_t i = 0; i < kN; ++i) {
      wf[i] = (i % 2 == 0) ? 1.0f : -1.0f;
      af[i] = (i % 2 == 0) ? 1.0f : -1.0f;  // every product positive: maximal sums
    }
    // Q8_K scales the first extreme (+1) to -127, as ggml does, so -1
    // becomes 127: the kernels see the full range the quantizer produces.
    std::vector<std::uint8_t> w;
    ASSERT_TRUE(quantize_row(type, wf.data(), kN, w).is_ok());
    const std::size_t stride = row_bytes(k->dot_type, kN);
    std::vector<std::uint8_t> act(stride);
    act_quantizer(*k, SimdLevel::kScalar)(af.data(), act.data(), kN);
    std::vector<float> wdq(kN);
    std::vector<float> adq(kN);
    k->dequantize(w.data(), wdq.data(), kN);
    k->dequantize_act(act.data(), adq.data(), kN);
    double exact = 0;
    for (std::int64_t i = 0; i < kN; ++i) exact += static_cast<double>(wdq[i]) * adq[i];
    float ref = 0;
    dot_kernel(*k, SimdLevel::kScalar)(kN, w.data(), act.data(), stride, 1, &ref, 1);
    EXPECT_NEAR(ref, exact, 1e-5 * kN) << type_name(type);
    EXPECT_GT(ref, 0.8f * kN) << type_name(type);  // every product is positive
    for (SimdLevel l : available_levels()) {
      float got = 0;
      dot_kernel(*k, l)(kN, w.data(), act.data(), stride, 1, &got, 1);
      EXPECT_NEAR(got, ref, 1e-5f * kN) << type_name(type) << " at " << simd_level_name(l);
    }
  }
}

}  // namespace
}  // namespace greenroute::engine::quant
