#include "quant/q8_0.h"

#include <cmath>

#include "quant/half.h"

namespace greenroute::engine::quant {

void quantize_q8_0_ref(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ8_0*>(y);
  for (std::int64_t b = 0; b < n / kQK8_0; ++b) {
    const float* xb = x + b * kQK8_0;
    float amax = 0.0f;
    for (int j = 0; j < kQK8_0; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = float_to_half(d);
    for (int j = 0; j < kQK8_0; ++j) out[b].qs[j] = static_cast<std::int8_t>(std::round(xb[j] * id));
  }
}

void quantize_q8_0_act(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ8_0*>(y);
  for (std::int64_t b = 0; b < n / kQK8_0; ++b) {
    const float* xb = x + b * kQK8_0;
    float amax = 0.0f;
    for (int j = 0; j < kQK8_0; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    out[b].d = float_to_half(amax / 127.0f);
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    // |x * id| <= 127, so nearest_int (ties to even, like vroundps) is exact.
    for (int j = 0; j < kQK8_0; ++j) out[b].qs[j] = static_cast<std::int8_t>(nearest_int(xb[j] * id));
  }
}

void dequantize_q8_0(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const BlockQ8_0*>(x);
  for (std::int64_t b = 0; b < n / kQK8_0; ++b) {
    const float d = half_to_float(in[b].d);
    for (int j = 0; j < kQK8_0; ++j) y[b * kQK8_0 + j] = static_cast<float>(in[b].qs[j]) * d;
  }
}

void dot_q8_0_q8_0_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride) {
  const auto* wb = static_cast<const BlockQ8_0*>(w);
  for (int t = 0; t < n_tok; ++t) {
    const auto* ab = reinterpret_cast<const BlockQ8_0*>(act + static_cast<std::size_t>(t) * act_stride);
    float sum = 0.0f;
    for (std::int64_t b = 0; b < n / kQK8_0; ++b) {
      int isum = 0;
      for (int j = 0; j < kQK8_0; ++j) isum += wb[b].qs[j] * ab[b].qs[j];
      sum += static_cast<float>(isum) * (half_to_float(wb[b].d) * half_to_float(ab[b].d));
    }
    out[static_cast<std::size_t>(t) * out_stride] = sum;
  }
}

}  // namespace greenroute::engine::quant
