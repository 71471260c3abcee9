#include "quant/q6_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/half.h"

namespace greenroute::engine::quant {

namespace {

constexpr float kGroupMaxEps = 1e-15f;

// ggml's make_qx_quants with rmse_type 1 and no importance weights: symmetric
// quantization to [-nmax, nmax-1], refining the scale over 18 candidates.
float make_qx_quants(int n, int nmax, const float* x, std::int8_t* L) {
  float max = 0;
  float amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  const float fnmax = static_cast<float>(nmax);
  float iscale = -fnmax / max;
  float sumlx = 0;
  float suml2 = 0;
  for (int i = 0; i < n; ++i) {
    int l = nearest_int(iscale * x[i]);
    l = std::max(-nmax, std::min(nmax - 1, l));
    L[i] = static_cast<std::int8_t>(l + nmax);
    const float w = x[i] * x[i];
    const float fl = static_cast<float>(l);
    sumlx += w * x[i] * fl;
    suml2 += w * fl * fl;
  }
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(fnmax + 0.1f * static_cast<float>(is)) / max;
    sumlx = 0;
    suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearest_int(iscale * x[i]);
      l = std::max(-nmax, std::min(nmax - 1, l));
      const float w = x[i] * x[i];
      const float fl = static_cast<float>(l);
      sumlx += w * x[i] * fl;
      suml2 += w * fl * fl;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        const int l = nearest_int(iscale * x[i]);
        L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

}  // namespace

void quantize_q6_k_ref(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ6_K*>(y);
  std::int8_t L[kQK_K];
  float scales[kQK_K / 16];
  for (std::int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ6_K& blk = out[b];
    float max_scale = 0;
    float max_abs_scale = 0;
    for (int ib = 0; ib < kQK_K / 16; ++ib) {
      const float scale = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib);
      scales[ib] = scale;
      if (std::fabs(scale) > max_abs_scale) {
        max_abs_scale = std::fabs(scale);
        max_scale = scale;
      }
    }
    std::memset(&blk, 0, sizeof blk);
    if (max_abs_scale < kGroupMaxEps) continue;  // all zero: d = 0
    const float iscale = -128.0f / max_scale;
    blk.d = float_to_half(1 / iscale);
    for (int ib = 0; ib < kQK_K / 16; ++ib) {
      blk.scales[ib] = static_cast<std::int8_t>(std::min(127, nearest_int(iscale * scales[ib])));
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      const float d = half_to_float(blk.d) * blk.scales[j];
      if (d == 0.0f) continue;
      for (int ii = 0; ii < 16; ++ii) {
        int l = nearest_int(x[16 * j + ii] / d);
        l = std::max(-32, std::min(31, l));
        L[16 * j + ii] = static_cast<std::int8_t>(l + 32);
      }
    }
    std::uint8_t* ql = blk.ql;
    std::uint8_t* qh = blk.qh;
    for (int j = 0; j < kQK_K; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = L[j + l] & 0x0f;
        const int q2 = L[j + l + 32] & 0x0f;
        const int q3 = L[j + l + 64] & 0x0f;
        const int q4 = L[j + l + 96] & 0x0f;
        ql[l] = static_cast<std::uint8_t>(q1 | (q3 << 4));
        ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
        qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) |
                                          ((L[j + l + 96] >> 4) << 6));
      }
    }
  }
}

void unpack_q6_k(const BlockQ6_K& b, std::int8_t* q) {
  const std::uint8_t* ql = b.ql;
  const std::uint8_t* qh = b.qh;
  for (int n = 0; n < kQK_K; n += 128, ql += 64, qh += 32, q += 128) {
    for (int l = 0; l < 32; ++l) {
      q[l] = static_cast<std::int8_t>((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4));
      q[l + 32] = static_cast<std::int8_t>((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4));
      q[l + 64] = static_cast<std::int8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      q[l + 96] = static_cast<std::int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
  }
}

void dequantize_q6_k(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const BlockQ6_K*>(x);
  std::int8_t q[kQK_K];
  for (std::int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
    const float d = half_to_float(in[b].d);
    unpack_q6_k(in[b], q);
    for (int i = 0; i < kQK_K; ++i) y[i] = d * static_cast<float>(in[b].scales[i / 16]) * static_cast<float>(q[i] - 32);
  }
}

void dot_q6_k_q8_k_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride) {
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  std::int8_t q[kQK_K];
  for (int t = 0; t < n_tok; ++t) {
    const auto* ab = reinterpret_cast<const BlockQ8_K*>(act + static_cast<std::size_t>(t) * act_stride);
    float sum = 0.0f;
    for (std::int64_t b = 0; b < n / kQK_K; ++b) {
      unpack_q6_k(wb[b], q);
      int isum = 0;
      for (int g = 0; g < kQK_K / 16; ++g) {
        int dot = 0;
        for (int l = 0; l < 16; ++l) dot += (q[g * 16 + l] - 32) * ab[b].qs[g * 16 + l];
        isum += wb[b].scales[g] * dot;
      }
      sum += half_to_float(wb[b].d) * ab[b].d * static_cast<float>(isum);
    }
    out[static_cast<std::size_t>(t) * out_stride] = sum;
  }
}

}  // namespace greenroute::engine::quant
