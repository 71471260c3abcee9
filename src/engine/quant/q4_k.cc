#include "quant/q4_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/half.h"

namespace greenroute::engine::quant {

namespace {

// ggml's make_qkx2_quants with use_mad = false: asymmetric quantization of n
// values to [0, nmax] searching scale/min over nstep candidate scales.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L, float* the_min,
                       std::uint8_t* Laux, float rmin, float rdelta, int nstep) {
  float min = x[0];
  float max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.0f;
  }
  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearest_int(iscale * (x[i] - min));
    L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
    const float diff = scale * L[i] + min - x[i];
    best_error += weights[i] * diff * diff;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
    float sum_l = 0;
    float sum_l2 = 0;
    float sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearest_int(iscale * (x[i] - min));
      l = std::max(0, std::min(nmax, l));
      Laux[i] = static_cast<std::uint8_t>(l);
      const float w = weights[i];
      const float fl = static_cast<float>(l);
      sum_l += w * fl;
      sum_l2 += w * fl * fl;
      sum_xl += w * fl * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        const float diff = this_scale * Laux[i] + this_min - x[i];
        cur_error += weights[i] * diff * diff;
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = Laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

}  // namespace

void quantize_q4_k_ref(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ4_K*>(y);
  std::uint8_t L[kQK_K];
  std::uint8_t Laux[32];
  float weights[32];
  float mins[kQK_K / 32];
  float scales[kQK_K / 32];
  for (std::int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    BlockQ4_K& blk = out[b];
    std::memset(&blk, 0, sizeof blk);
    float max_scale = 0;
    float max_min = 0;
    for (int j = 0; j < kQK_K / 32; ++j) {
      float sum_x2 = 0;
      for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
      const float av_x = std::sqrt(sum_x2 / 32);
      for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
      scales[j] = make_qkx2_quants(32, 15, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -1.0f, 0.1f, 20);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    for (int j = 0; j < kQK_K / 32; ++j) {
      const auto ls = static_cast<std::uint8_t>(std::min(63, nearest_int(inv_scale * scales[j])));
      const auto lm = static_cast<std::uint8_t>(std::min(63, nearest_int(inv_min * mins[j])));
      if (j < 4) {
        blk.scales[j] = ls;
        blk.scales[j + 4] = lm;
      } else {
        blk.scales[j + 4] = static_cast<std::uint8_t>((ls & 0x0f) | ((lm & 0x0f) << 4));
        blk.scales[j - 4] = static_cast<std::uint8_t>(blk.scales[j - 4] | ((ls >> 4) << 6));
        blk.scales[j] = static_cast<std::uint8_t>(blk.scales[j] | ((lm >> 4) << 6));
      }
    }
    blk.d = float_to_half(max_scale / 63.0f);
    blk.dmin = float_to_half(max_min / 63.0f);
    for (int j = 0; j < kQK_K / 32; ++j) {
      std::uint8_t sc;
      std::uint8_t m;
      get_scale_min_k4(j, blk.scales, &sc, &m);
      const float d = half_to_float(blk.d) * sc;
      if (d == 0.0f) continue;
      const float dm = half_to_float(blk.dmin) * m;
      for (int ii = 0; ii < 32; ++ii) {
        const int l = nearest_int((x[32 * j + ii] + dm) / d);
        L[32 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(15, l)));
      }
    }
    for (int j = 0; j < kQK_K; j += 64) {
      for (int l = 0; l < 32; ++l) blk.qs[j / 2 + l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
    }
  }
}

void dequantize_q4_k(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const BlockQ4_K*>(x);
  for (std::int64_t b = 0; b < n / kQK_K; ++b) {
    const float d = half_to_float(in[b].d);
    const float dmin = half_to_float(in[b].dmin);
    const std::uint8_t* q = in[b].qs;
    for (int j = 0; j < kQK_K / 64; ++j, q += 32) {
      std::uint8_t sc;
      std::uint8_t m;
      get_scale_min_k4(2 * j, in[b].scales, &sc, &m);
      const float d1 = d * sc;
      const float m1 = dmin * m;
      get_scale_min_k4(2 * j + 1, in[b].scales, &sc, &m);
      const float d2 = d * sc;
      const float m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0x0f) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void dot_q4_k_q8_k_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride) {
  const auto* wb = static_cast<const BlockQ4_K*>(w);
  for (int t = 0; t < n_tok; ++t) {
    const auto* ab = reinterpret_cast<const BlockQ8_K*>(act + static_cast<std::size_t>(t) * act_stride);
    float sum = 0.0f;
    for (std::int64_t b = 0; b < n / kQK_K; ++b) {
      int isum = 0;   // sum over sub-blocks of scale * (q4 . q8)
      int imins = 0;  // sum over sub-blocks of min * (sum of q8)
      for (int j = 0; j < kQK_K / 32; ++j) {
        std::uint8_t sc;
        std::uint8_t m;
        get_scale_min_k4(j, wb[b].scales, &sc, &m);
        const std::uint8_t* q = wb[b].qs + (j / 2) * 32;
        const int shift = (j % 2) * 4;
        const std::int8_t* a = ab[b].qs + j * 32;
        int dot = 0;
        for (int l = 0; l < 32; ++l) dot += ((q[l] >> shift) & 0x0f) * a[l];
        isum += sc * dot;
        imins += m * (ab[b].bsums[2 * j] + ab[b].bsums[2 * j + 1]);
      }
      const float d = half_to_float(wb[b].d) * ab[b].d;
      const float dmin = half_to_float(wb[b].dmin) * ab[b].d;
      sum += d * static_cast<float>(isum) - dmin * static_cast<float>(imins);
    }
    out[static_cast<std::size_t>(t) * out_stride] = sum;
  }
}

}  // namespace greenroute::engine::quant
