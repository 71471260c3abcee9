// AVX2 + FMA + F16C kernels. Compiled with those flags for this file only
// (sources.cmake); reached only when cpu_features() reports them.
//
// Each dot kernel is a template over the number of tokens N (1..kMaxTile):
// a weight block is loaded and unpacked once, then dotted with N activation
// rows, so batched decode reads the weights once per N tokens.
#include "quant/kernels_simd.h"

#if defined(GREENROUTE_QUANT_X86)

#include <immintrin.h>

#include <cstring>

#include "quant/half.h"
#include "quant/q4_0.h"
#include "quant/q4_k.h"
#include "quant/q6_k.h"
#include "quant/q8_0.h"
#include "quant/q8_k.h"
#include "quant/simd_dispatch.h"

namespace greenroute::engine::quant::avx2 {

namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hsum128(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float h2f(std::uint16_t h) { return half_to_float(h); }

template <typename T>
inline const T* row(const std::uint8_t* act, std::size_t stride, int t) {
  return reinterpret_cast<const T*>(act + static_cast<std::size_t>(t) * stride);
}

// ---- plain float types ------------------------------------------------------

inline __m256 load8_f32(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 load8_f16(const std::uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8_bf16(const std::uint16_t* p) {
  const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}

template <int N, typename Elem, __m256 (*kLoad)(const Elem*), float (*kScalar)(Elem)>
void plain_tile(std::int64_t n, const Elem* w, const std::uint8_t* act, std::size_t stride, float* out,
                std::size_t os) {
  const Elem* a[N];
  __m256 acc0[N];
  __m256 acc1[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<Elem>(act, stride, t);
    acc0[t] = _mm256_setzero_ps();
    acc1[t] = _mm256_setzero_ps();
  }
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 w0 = kLoad(w + i);
    const __m256 w1 = kLoad(w + i + 8);
    for (int t = 0; t < N; ++t) {
      acc0[t] = _mm256_fmadd_ps(w0, kLoad(a[t] + i), acc0[t]);
      acc1[t] = _mm256_fmadd_ps(w1, kLoad(a[t] + i + 8), acc1[t]);
    }
  }
  for (int t = 0; t < N; ++t) {
    float sum = hsum(_mm256_add_ps(acc0[t], acc1[t]));
    for (std::int64_t j = i; j < n; ++j) sum += kScalar(w[j]) * kScalar(a[t][j]);
    out[static_cast<std::size_t>(t) * os] = sum;
  }
}

float scalar_f32(float v) { return v; }
float scalar_f16(std::uint16_t v) { return _cvtsh_ss(v); }
float scalar_bf16(std::uint16_t v) {
  const std::uint32_t u = static_cast<std::uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// ---- Q8_0 / Q4_0 x Q8_0 -----------------------------------------------------

inline __m256i load_q8_0(const BlockQ8_0& b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs)); }

inline __m256i load_q4_0(const BlockQ4_0& b) {
  const __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
  const __m256i bytes = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(tmp, 4), tmp), _mm256_set1_epi8(0x0f));
  return _mm256_sub_epi8(bytes, _mm256_set1_epi8(8));
}

// Signed int8 dot of 32 pairs into 8 int32 lanes. |x| <= 127 keeps the
// int16 pair sums of maddubs from saturating (true of Q8_0 and Q4_0 blocks).
inline __m256i dot_i8(__m256i ax, __m256i x, __m256i y) {
  const __m256i p16 = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(y, x));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

template <int N, typename Block, __m256i (*kLoad)(const Block&)>
void q8_family_tile(std::int64_t nb, const Block* w, const std::uint8_t* act, std::size_t stride, float* out,
                    std::size_t os) {
  const BlockQ8_0* a[N];
  __m256 acc0[N];
  __m256 acc1[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<BlockQ8_0>(act, stride, t);
    acc0[t] = _mm256_setzero_ps();
    acc1[t] = _mm256_setzero_ps();
  }
  std::int64_t b = 0;
  // Two blocks per step into separate accumulators hide the FMA latency.
  for (; b + 2 <= nb; b += 2) {
    const __m256i x0 = kLoad(w[b]);
    const __m256i x1 = kLoad(w[b + 1]);
    const __m256i ax0 = _mm256_sign_epi8(x0, x0);
    const __m256i ax1 = _mm256_sign_epi8(x1, x1);
    const float d0 = h2f(w[b].d);
    const float d1 = h2f(w[b + 1].d);
    for (int t = 0; t < N; ++t) {
      const __m256i p0 = dot_i8(ax0, x0, load_q8_0(a[t][b]));
      const __m256i p1 = dot_i8(ax1, x1, load_q8_0(a[t][b + 1]));
      acc0[t] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * h2f(a[t][b].d)), _mm256_cvtepi32_ps(p0), acc0[t]);
      acc1[t] = _mm256_fmadd_ps(_mm256_set1_ps(d1 * h2f(a[t][b + 1].d)), _mm256_cvtepi32_ps(p1), acc1[t]);
    }
  }
  if (b < nb) {
    const __m256i x0 = kLoad(w[b]);
    const __m256i ax0 = _mm256_sign_epi8(x0, x0);
    const float d0 = h2f(w[b].d);
    for (int t = 0; t < N; ++t) {
      const __m256i p0 = dot_i8(ax0, x0, load_q8_0(a[t][b]));
      acc0[t] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * h2f(a[t][b].d)), _mm256_cvtepi32_ps(p0), acc0[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum(_mm256_add_ps(acc0[t], acc1[t]));
}

// ---- Q4_K x Q8_K ------------------------------------------------------------

// Unpacks the 12 packed bytes into 8 scales (bytes 0..7) and 8 mins (8..15),
// as ggml's kmask trick does.
inline void unpack_k4_scales(const std::uint8_t* packed, std::uint32_t utmp[4]) {
  constexpr std::uint32_t kMask1 = 0x3f3f3f3f;
  constexpr std::uint32_t kMask2 = 0x0f0f0f0f;
  constexpr std::uint32_t kMask3 = 0x03030303;
  std::memcpy(utmp, packed, 12);
  utmp[3] = ((utmp[2] >> 4) & kMask2) | (((utmp[1] >> 6) & kMask3) << 4);
  const std::uint32_t uaux = utmp[1] & kMask1;
  utmp[1] = (utmp[2] & kMask2) | (((utmp[0] >> 6) & kMask3) << 4);
  utmp[2] = uaux;
  utmp[0] &= kMask1;
}

template <int N>
void q4_k_tile(std::int64_t nb, const BlockQ4_K* w, const std::uint8_t* act, std::size_t stride, float* out,
               std::size_t os) {
  const BlockQ8_K* a[N];
  __m256 acc[N];
  __m128 accm[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<BlockQ8_K>(act, stride, t);
    acc[t] = _mm256_setzero_ps();
    accm[t] = _mm_setzero_ps();
  }
  const __m256i m4 = _mm256_set1_epi8(0x0f);
  for (std::int64_t b = 0; b < nb; ++b) {
    std::uint32_t utmp[4];
    unpack_k4_scales(w[b].scales, utmp);
    std::uint8_t sc[16];
    std::memcpy(sc, utmp, 16);
    const __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc + 8)));
    const float dw = h2f(w[b].d);
    const float dminw = h2f(w[b].dmin);
    __m256i sumi[N];
    for (int t = 0; t < N; ++t) sumi[t] = _mm256_setzero_si256();
    for (int j = 0; j < kQK_K / 64; ++j) {
      const __m256i q4bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs + 32 * j));
      const __m256i q4l = _mm256_and_si256(q4bits, m4);
      const __m256i q4h = _mm256_and_si256(_mm256_srli_epi16(q4bits, 4), m4);
      const __m256i scl = _mm256_set1_epi16(sc[2 * j]);
      const __m256i sch = _mm256_set1_epi16(sc[2 * j + 1]);
      for (int t = 0; t < N; ++t) {
        const std::int8_t* q8 = a[t][b].qs + 64 * j;
        const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8));
        const __m256i y1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32));
        const __m256i pl = _mm256_madd_epi16(scl, _mm256_maddubs_epi16(q4l, y0));
        const __m256i ph = _mm256_madd_epi16(sch, _mm256_maddubs_epi16(q4h, y1));
        sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(pl, ph));
      }
    }
    for (int t = 0; t < N; ++t) {
      const float ad = a[t][b].d;
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * ad), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
      const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t][b].bsums));
      const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
      accm[t] = _mm_fmadd_ps(_mm_set1_ps(dminw * ad), _mm_cvtepi32_ps(_mm_madd_epi16(mins, q8s)), accm[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum(acc[t]) - hsum128(accm[t]);
}

// ---- Q6_K x Q8_K ------------------------------------------------------------

// Shuffle controls that spread scale pair (2m, 2m+1) over bytes 0-7 / 8-15.
alignas(16) constexpr std::uint8_t kScalePairShuffle[8][16] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3},
    {4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5},
    {6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7},
    {8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9},
    {10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11},
    {12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13},
    {14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15},
};

template <int N>
void q6_k_tile(std::int64_t nb, const BlockQ6_K* w, const std::uint8_t* act, std::size_t stride, float* out,
               std::size_t os) {
  const BlockQ8_K* a[N];
  __m256 acc[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<BlockQ8_K>(act, stride, t);
    acc[t] = _mm256_setzero_ps();
  }
  const __m256i m4 = _mm256_set1_epi8(0x0f);
  const __m256i m32 = _mm256_set1_epi8(32);
  for (std::int64_t b = 0; b < nb; ++b) {
    const __m128i scales = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales));
    __m256i sumi[N];
    for (int t = 0; t < N; ++t) sumi[t] = _mm256_setzero_si256();
    for (int j = 0; j < 2; ++j) {
      const auto* ql = reinterpret_cast<const __m256i*>(w[b].ql + 64 * j);
      const __m256i bits1 = _mm256_loadu_si256(ql);
      const __m256i bits2 = _mm256_loadu_si256(ql + 1);
      const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qh + 32 * j));
      __m256i q[4];
      q[0] = _mm256_or_si256(_mm256_and_si256(bits1, m4), _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(0x03)), 4));
      q[1] = _mm256_or_si256(_mm256_and_si256(bits2, m4), _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(0x0c)), 2));
      q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits1, 4), m4),
                             _mm256_and_si256(hb, _mm256_set1_epi8(0x30)));
      q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits2, 4), m4),
                             _mm256_srli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(static_cast<char>(0xc0))), 2));
      __m256i s[4];
      for (int k = 0; k < 4; ++k) {
        const __m128i ctrl = _mm_load_si128(reinterpret_cast<const __m128i*>(kScalePairShuffle[4 * j + k]));
        s[k] = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, ctrl));
      }
      for (int t = 0; t < N; ++t) {
        const auto* q8 = reinterpret_cast<const __m256i*>(a[t][b].qs + 128 * j);
        __m256i sum = sumi[t];
        for (int k = 0; k < 4; ++k) {
          // The -32 offset is taken off each pair of products in int16, as
          // ggml's AVX2 kernel does: every int32 lane then holds exactly
          // ggml's partial sum, so the float accumulation rounds alike
          // (applying it per block through bsums spreads it over other lanes).
          const __m256i y = _mm256_loadu_si256(q8 + k);
          const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], y), _mm256_maddubs_epi16(m32, y));
          sum = _mm256_add_epi32(sum, _mm256_madd_epi16(s[k], p));
        }
        sumi[t] = sum;
      }
    }
    const float dw = h2f(w[b].d);
    for (int t = 0; t < N; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * a[t][b].d), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum(acc[t]);
}

}  // namespace

void dot_f32(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
             std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((plain_tile<kN, float, load8_f32, scalar_f32>), n, static_cast<const float*>(w));
}

void dot_f16(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
             std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((plain_tile<kN, std::uint16_t, load8_f16, scalar_f16>), n,
                                 static_cast<const std::uint16_t*>(w));
}

void dot_bf16(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
              std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((plain_tile<kN, std::uint16_t, load8_bf16, scalar_bf16>), n,
                                 static_cast<const std::uint16_t*>(w));
}

void dot_q8_0(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
              std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((q8_family_tile<kN, BlockQ8_0, load_q8_0>), n / kQK8_0,
                                 static_cast<const BlockQ8_0*>(w));
}

void dot_q4_0(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
              std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((q8_family_tile<kN, BlockQ4_0, load_q4_0>), n / kQK4_0,
                                 static_cast<const BlockQ4_0*>(w));
}

void dot_q4_k(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
              std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH(q4_k_tile<kN>, n / kQK_K, static_cast<const BlockQ4_K*>(w));
}

void dot_q6_k(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
              std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH(q6_k_tile<kN>, n / kQK_K, static_cast<const BlockQ6_K*>(w));
}

void quantize_q8_0_act(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<BlockQ8_0*>(y);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  for (std::int64_t b = 0; b < n / kQK8_0; ++b) {
    const float* xb = x + b * kQK8_0;
    __m256 v[4];
    __m256 max_abs = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(xb + 8 * k);
      max_abs = _mm256_max_ps(max_abs, _mm256_andnot_ps(sign_bit, v[k]));
    }
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(max_abs, 1), _mm256_castps256_ps128(max_abs));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    out[b].d = _cvtss_sh(amax / 127.0f, _MM_FROUND_TO_NEAREST_INT);
    const __m256 mul = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) {
      const __m256 r = _mm256_round_ps(_mm256_mul_ps(v[k], mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      q[k] = _mm256_cvtps_epi32(r);
    }
    // packs interleave 128-bit lanes; the permute restores element order.
    const __m256i p01 = _mm256_packs_epi32(q[0], q[1]);
    const __m256i p23 = _mm256_packs_epi32(q[2], q[3]);
    const __m256i p = _mm256_packs_epi16(p01, p23);
    const __m256i ordered = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].qs), ordered);
  }
}

void from_float_f16(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<std::uint16_t*>(y);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

}  // namespace greenroute::engine::quant::avx2

#endif  // GREENROUTE_QUANT_X86
