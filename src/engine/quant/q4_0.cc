#include "quant/q4_0.h"

#include <algorithm>
#include <cmath>

#include "quant/half.h"
#include "quant/q8_0.h"

namespace greenroute::engine::quant {

void quantize_q4_0_ref(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ4_0*>(y);
  for (std::int64_t b = 0; b < n / kQK4_0; ++b) {
    const float* xb = x + b * kQK4_0;
    float amax = 0.0f;
    float max = 0.0f;  // the signed value of largest magnitude
    for (int j = 0; j < kQK4_0; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = float_to_half(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      // Truncation after +8.5 is ggml's rounding; values stay in [0, 16].
      const int lo = std::min(15, static_cast<int>(static_cast<std::int8_t>(xb[j] * id + 8.5f)));
      const int hi = std::min(15, static_cast<int>(static_cast<std::int8_t>(xb[j + kQK4_0 / 2] * id + 8.5f)));
      out[b].qs[j] = static_cast<std::uint8_t>(lo | (hi << 4));
    }
  }
}

void dequantize_q4_0(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const BlockQ4_0*>(x);
  for (std::int64_t b = 0; b < n / kQK4_0; ++b) {
    const float d = half_to_float(in[b].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      y[b * kQK4_0 + j] = static_cast<float>((in[b].qs[j] & 0x0f) - 8) * d;
      y[b * kQK4_0 + j + kQK4_0 / 2] = static_cast<float>((in[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void dot_q4_0_q8_0_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride) {
  const auto* wb = static_cast<const BlockQ4_0*>(w);
  for (int t = 0; t < n_tok; ++t) {
    const auto* ab = reinterpret_cast<const BlockQ8_0*>(act + static_cast<std::size_t>(t) * act_stride);
    float sum = 0.0f;
    for (std::int64_t b = 0; b < n / kQK4_0; ++b) {
      int isum = 0;
      for (int j = 0; j < kQK4_0 / 2; ++j) {
        isum += ((wb[b].qs[j] & 0x0f) - 8) * ab[b].qs[j];
        isum += ((wb[b].qs[j] >> 4) - 8) * ab[b].qs[j + kQK4_0 / 2];
      }
      sum += static_cast<float>(isum) * (half_to_float(wb[b].d) * half_to_float(ab[b].d));
    }
    out[static_cast<std::size_t>(t) * out_stride] = sum;
  }
}

}  // namespace greenroute::engine::quant
