// The K-quant dot kernels must round exactly as llama.cpp's: on x86 ggml runs
// its AVX2 K-quant kernels (also on AVX-512 CPUs), which keep 8 int32 partial
// sums per block, accumulate them into 8 float lanes with one FMA per block,
// and add the lanes in a fixed tree. The references below restate that order
// element by element (independently of our SIMD code), and every SIMD level
// must match them bit for bit. Regression: the AVX-512 kernels accumulated 16
// float lanes and the Q6_K kernels spread the -32 offset over other lanes, and
// a 1-layer TinyLlama-shaped Q6_K model then differed from llama.cpp by 0.18
// in its logits after a 9-token prompt (attention amplified the last bits).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/half.h"
#include "quant/kernels.h"
#include "quant/q4_k.h"
#include "quant/q6_k.h"
#include "quant/q8_k.h"
#include "test_util.h"

namespace greenroute::engine::quant {
namespace {

using testing::random_row;

// ggml's hsum_float_8: (upper half + lower half), then pairs (0+2, 1+3), then 0+1.
float ggml_hsum8(const float acc[8]) {
  float s4[4];
  for (int i = 0; i < 4; ++i) s4[i] = acc[i + 4] + acc[i];
  const float s0 = s4[0] + s4[2];
  const float s1 = s4[1] + s4[3];
  return s0 + s1;
}

// Int32 lane i of a 256-bit maddubs/madd product over a 32-value chunk holds
// the chunk's positions 4i .. 4i+3.
int lane_of(int pos_in_chunk) { return pos_in_chunk / 4; }

// ggml_vec_dot_q6_K_q8_K, __AVX2__ branch.
float ggml_q6_k_dot(const BlockQ6_K* w, const BlockQ8_K* a, std::int64_t nb) {
  float acc[8] = {};
  for (std::int64_t b = 0; b < nb; ++b) {
    std::int8_t q[kQK_K];
    unpack_q6_k(w[b], q);
    std::int32_t lane[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      lane[lane_of(e % 32)] += static_cast<std::int32_t>(w[b].scales[e / 16]) * (q[e] - 32) * a[b].qs[e];
    }
    const float d = a[b].d * half_to_float(w[b].d);
    for (int i = 0; i < 8; ++i) acc[i] = std::fma(d, static_cast<float>(lane[i]), acc[i]);
  }
  return ggml_hsum8(acc);
}

// ggml_vec_dot_q4_K_q8_K, __AVX2__ branch (mins through bsums, in 4 lanes).
float ggml_q4_k_dot(const BlockQ4_K* w, const BlockQ8_K* a, std::int64_t nb) {
  float acc[8] = {};
  float acc_m[4] = {};
  for (std::int64_t b = 0; b < nb; ++b) {
    std::uint8_t sc[8];
    std::uint8_t mn[8];
    for (int j = 0; j < 8; ++j) get_scale_min_k4(j, w[b].scales, &sc[j], &mn[j]);
    std::int32_t lane[8] = {};
    for (int e = 0; e < kQK_K; ++e) {
      const int group = e / 64;
      const int p = e % 64;
      const std::uint8_t byte = w[b].qs[32 * group + p % 32];
      const int q = p < 32 ? (byte & 0x0f) : (byte >> 4);
      lane[lane_of(p % 32)] += static_cast<std::int32_t>(sc[e / 32]) * q * a[b].qs[e];
    }
    const float d = a[b].d * half_to_float(w[b].d);
    const float dmin = -a[b].d * half_to_float(w[b].dmin);
    for (int i = 0; i < 8; ++i) acc[i] = std::fma(d, static_cast<float>(lane[i]), acc[i]);
    // _mm_hadd_epi16 of the two bsums halves pairs sub-blocks (2k, 2k+1) of
    // 16 values, i.e. one 32-value sub-block k; madd_epi16 then pairs k.
    for (int i = 0; i < 4; ++i) {
      const std::int32_t s0 = a[b].bsums[4 * i] + a[b].bsums[4 * i + 1];
      const std::int32_t s1 = a[b].bsums[4 * i + 2] + a[b].bsums[4 * i + 3];
      const std::int32_t prod = mn[2 * i] * s0 + mn[2 * i + 1] * s1;
      acc_m[i] = std::fma(dmin, static_cast<float>(prod), acc_m[i]);
    }
  }
  const float m = (acc_m[0] + acc_m[2]) + (acc_m[1] + acc_m[3]);
  return ggml_hsum8(acc) + m;
}

void expect_levels_match_ggml(GgmlType type) {
  const TypeKernels* k = kernels_for(type);
  ASSERT_NE(k, nullptr);
  core::Rng rng(static_cast<std::uint64_t>(type) + 7);
  constexpr std::int64_t kN = 11 * kQK_K;  // enough blocks for float rounding to show
  int compared = 0;
  for (int trial = 0; trial < 24; ++trial) {
    std::vector<std::uint8_t> w;
    const std::vector<float> wf = random_row(rng, kN, 0.3f);
    ASSERT_TRUE(quantize_row(type, wf.data(), kN, w).is_ok());
    const std::size_t stride = row_bytes(GgmlType::kQ8_K, kN);
    std::vector<std::uint8_t> act(stride * kMaxTile);
    for (int t = 0; t < kMaxTile; ++t) {
      std::vector<float> x = random_row(rng, kN, 1.0f + static_cast<float>(t));
      // Heavy tails (as after SwiGLU) make the per-block sums vary widely.
      if (t % 2 == 1) {
        for (float& v : x) v = v * v * v;
      }
      quantize_q8_k_ref(x.data(), act.data() + static_cast<std::size_t>(t) * stride, kN);
    }
    const std::int64_t nb = kN / kQK_K;
    float want[kMaxTile];
    for (int t = 0; t < kMaxTile; ++t) {
      const auto* at = reinterpret_cast<const BlockQ8_K*>(act.data() + static_cast<std::size_t>(t) * stride);
      want[t] = type == GgmlType::kQ6_K ? ggml_q6_k_dot(reinterpret_cast<const BlockQ6_K*>(w.data()), at, nb)
                                         : ggml_q4_k_dot(reinterpret_cast<const BlockQ4_K*>(w.data()), at, nb);
    }
    for (SimdLevel l : testing::available_levels()) {
      if (l == SimdLevel::kScalar) continue;  // the scalar kernel follows ggml's generic C order
      for (int n_tok = 1; n_tok <= kMaxTile; ++n_tok) {
        float got[kMaxTile];
        dot_kernel(*k, l)(kN, w.data(), act.data(), stride, n_tok, got, 1);
        for (int t = 0; t < n_tok; ++t) {
          EXPECT_EQ(got[t], want[t]) << type_name(type) << " at " << simd_level_name(l) << ", trial " << trial
                                     << ", tile " << n_tok << ", token " << t;
          ++compared;
        }
      }
    }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU has no SIMD level to check";
}

TEST(GgmlOrderTest, Q6_KKernelsRoundAsGgmlAvx2) { expect_levels_match_ggml(GgmlType::kQ6_K); }

TEST(GgmlOrderTest, Q4_KKernelsRoundAsGgmlAvx2) { expect_levels_match_ggml(GgmlType::kQ4_K); }

}  // namespace
}  // namespace greenroute::engine::quant
