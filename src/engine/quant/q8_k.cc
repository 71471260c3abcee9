#include "quant/q8_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/half.h"

namespace greenroute::engine::quant {

void quantize_q8_k_ref(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ8_K*>(y);
  for (std::int64_t b = 0; b < n / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    float max = 0.0f;
    float amax = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(xb[j]);
      if (ax > amax) {
        amax = ax;
        max = xb[j];
      }
    }
    if (amax == 0.0f) {
      out[b].d = 0.0f;
      std::memset(out[b].qs, 0, sizeof out[b].qs);
      std::memset(out[b].bsums, 0, sizeof out[b].bsums);
      continue;
    }
    // ggml's quantize_row_q8_K_ref scales the signed extreme to -127, not
    // -128 (changed upstream for the IQ2_XXS AVX kernels; every K-quant dot
    // sees these activations). With -128 every block's step is 127/128 of
    // ggml's, so Q4_K/Q6_K logits drifted from llama.cpp by the activation
    // quantization noise itself (up to 0.39 on a TinyLlama-shaped layer).
    const float iscale = -127.0f / max;
    for (int j = 0; j < kQK_K; ++j) {
      out[b].qs[j] = static_cast<std::int8_t>(std::min(127, nearest_int(iscale * xb[j])));
    }
    for (int g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) sum += out[b].qs[g * 16 + j];
      out[b].bsums[g] = static_cast<std::int16_t>(sum);
    }
    out[b].d = 1.0f / iscale;
  }
}

void dequantize_q8_k(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const BlockQ8_K*>(x);
  for (std::int64_t b = 0; b < n / kQK_K; ++b) {
    for (int j = 0; j < kQK_K; ++j) y[b * kQK_K + j] = in[b].d * static_cast<float>(in[b].qs[j]);
  }
}

}  // namespace greenroute::engine::quant
