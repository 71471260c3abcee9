// AVX-512 (F/BW/VL) + VNNI kernels. Compiled with those flags for this file
// only (sources.cmake); reached only when cpu_features() reports them.
//
// Q4_K/Q6_K work on 64 values per 512-bit register (a Q4_K chunk's low and
// high nibbles, or half of a Q6_K half-block, match 64 contiguous Q8_K
// values). Q8_0/Q4_0 blocks are 32 values, so they stay 256-bit but use
// VNNI's vpdpbusd instead of the maddubs+madd pair.
#include "quant/kernels_simd.h"

#if defined(GREENROUTE_QUANT_X86)

#include <immintrin.h>

#include <cstring>

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the merge operand of
// unmasked builtins (cvtph2ps, extract), which -Wmaybe-uninitialized flags
// (or -Wuninitialized) at every inlined use. The operand is ignored.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "quant/half.h"
#include "quant/q4_0.h"
#include "quant/q4_k.h"
#include "quant/q6_k.h"
#include "quant/q8_0.h"
#include "quant/q8_k.h"
#include "quant/simd_dispatch.h"

namespace greenroute::engine::quant::avx512 {

namespace {

inline float hsum256(__m256 v) {
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

inline __m512 load16_f32(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load16_f16(const std::uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

template <int N, typename Elem, __m512 (*kLoad)(const Elem*), float (*kScalar)(Elem)>
void plain_tile(std::int64_t n, const Elem* w, const std::uint8_t* act, std::size_t stride, float* out,
                std::size_t os) {
  const Elem* a[N];
  __m512 acc0[N];
  __m512 acc1[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<Elem>(act, stride, t);
    acc0[t] = _mm512_setzero_ps();
    acc1[t] = _mm512_setzero_ps();
  }
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 w0 = kLoad(w + i);
    const __m512 w1 = kLoad(w + i + 16);
    for (int t = 0; t < N; ++t) {
      acc0[t] = _mm512_fmadd_ps(w0, kLoad(a[t] + i), acc0[t]);
      acc1[t] = _mm512_fmadd_ps(w1, kLoad(a[t] + i + 16), acc1[t]);
    }
  }
  for (int t = 0; t < N; ++t) {
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0[t], acc1[t]));
    for (std::int64_t j = i; j < n; ++j) sum += kScalar(w[j]) * kScalar(a[t][j]);
    out[static_cast<std::size_t>(t) * os] = sum;
  }
}

float scalar_f32(float v) { return v; }
float scalar_f16(std::uint16_t v) { return _cvtsh_ss(v); }

// ---- Q8_0 / Q4_0 x Q8_0 -----------------------------------------------------

inline __m256i load_q8_0(const BlockQ8_0& b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs)); }

inline __m256i load_q4_0(const BlockQ4_0& b) {
  const __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
  const __m256i bytes = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(tmp, 4), tmp), _mm256_set1_epi8(0x0f));
  return _mm256_sub_epi8(bytes, _mm256_set1_epi8(8));
}

// vpdpbusd multiplies unsigned by signed bytes: move x's sign onto y.
inline __m256i dot_i8(__m256i ax, __m256i x, __m256i y) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), ax, _mm256_sign_epi8(y, x));
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
  for (; b + 2 <= nb; b += 2) {
    const __m256i x0 = kLoad(w[b]);
    const __m256i x1 = kLoad(w[b + 1]);
    const __m256i ax0 = _mm256_abs_epi8(x0);
    const __m256i ax1 = _mm256_abs_epi8(x1);
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
    const __m256i ax0 = _mm256_abs_epi8(x0);
    const float d0 = h2f(w[b].d);
    for (int t = 0; t < N; ++t) {
      const __m256i p0 = dot_i8(ax0, x0, load_q8_0(a[t][b]));
      acc0[t] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * h2f(a[t][b].d)), _mm256_cvtepi32_ps(p0), acc0[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum256(_mm256_add_ps(acc0[t], acc1[t]));
}

// ---- Q4_K x Q8_K ------------------------------------------------------------

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

// The K-quant kernels keep 16 int32 partial sums per block where ggml's AVX2
// kernels (the ones llama.cpp runs on every x86 CPU; ggml has no AVX-512
// K-quant dot) keep 8. Lane i + 8 holds the same byte positions of the next
// 32-value chunk as lane i, so adding the halves (exact, in integers) gives
// ggml's 8 lanes; the float accumulation over blocks then rounds exactly as
// ggml's does. Accumulating 16 float lanes instead differs in the last bits,
// which attention can amplify into visible logit differences.
inline __m256i fold_lanes(__m512i v) {
  return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
}

// Index vector for vpermw: int16 lanes 0-15 take element `lo`, 16-31 `lo+1`.
inline __m512i pair_index(int lo) {
  return _mm512_inserti64x4(_mm512_zextsi256_si512(_mm256_set1_epi16(static_cast<short>(lo))),
                            _mm256_set1_epi16(static_cast<short>(lo + 1)), 1);
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
  const __m512i m4 = _mm512_set1_epi8(0x0f);
  const __m512i idx[4] = {pair_index(0), pair_index(2), pair_index(4), pair_index(6)};
  for (std::int64_t b = 0; b < nb; ++b) {
    std::uint32_t utmp[4];
    unpack_k4_scales(w[b].scales, utmp);
    const __m128i sc_mins = _mm_loadu_si128(reinterpret_cast<const __m128i*>(utmp));
    const __m512i scales16 = _mm512_zextsi128_si512(_mm_cvtepu8_epi16(sc_mins));
    const __m128i mins = _mm_cvtepu8_epi16(_mm_srli_si128(sc_mins, 8));
    const float dw = h2f(w[b].d);
    const float dminw = h2f(w[b].dmin);
    __m512i sumi[N];
    for (int t = 0; t < N; ++t) sumi[t] = _mm512_setzero_si512();
    for (int j = 0; j < kQK_K / 64; ++j) {
      const __m256i q4bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs + 32 * j));
      // [low nibbles | high nibbles] = values 64j .. 64j+63 in order.
      const __m512i q4 = _mm512_and_si512(
          _mm512_inserti64x4(_mm512_zextsi256_si512(q4bits), _mm256_srli_epi16(q4bits, 4), 1), m4);
      const __m512i sc = _mm512_permutexvar_epi16(idx[j], scales16);
      for (int t = 0; t < N; ++t) {
        const __m512i y = _mm512_loadu_si512(a[t][b].qs + 64 * j);
        sumi[t] = _mm512_add_epi32(sumi[t], _mm512_madd_epi16(sc, _mm512_maddubs_epi16(q4, y)));
      }
    }
    for (int t = 0; t < N; ++t) {
      const float ad = a[t][b].d;
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * ad), _mm256_cvtepi32_ps(fold_lanes(sumi[t])), acc[t]);
      const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t][b].bsums));
      const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
      accm[t] = _mm_fmadd_ps(_mm_set1_ps(dminw * ad), _mm_cvtepi32_ps(_mm_madd_epi16(mins, q8s)), accm[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum256(acc[t]) - hsum128(accm[t]);
}

// ---- Q6_K x Q8_K ------------------------------------------------------------

// vpermw index: int16 lane i takes scale 4m + i/8 (each scale covers 16
// values = 8 maddubs pairs).
inline __m512i quad_index(int m) {
  alignas(64) std::int16_t v[32];
  for (int i = 0; i < 32; ++i) v[i] = static_cast<std::int16_t>(4 * m + i / 8);
  return _mm512_load_si512(v);
}

template <int N>
void q6_k_tile(std::int64_t nb, const BlockQ6_K* w, const std::uint8_t* act, std::size_t stride, float* out,
               std::size_t os) {
  const BlockQ8_K* a[N];
  __m256 acc[N];
  for (int t = 0; t < N; ++t) {
    a[t] = row<BlockQ8_K>(act, stride, t);
    acc[t] = _mm256_setzero_ps();
  }
  const __m512i m4 = _mm512_set1_epi8(0x0f);
  const __m512i m32 = _mm512_set1_epi8(32);
  // High-bit masks/shifts: the lower 256 bits serve values l (qh bits 0-1) or
  // l+64 (bits 4-5), the upper 256 bits values l+32 (bits 2-3) or l+96 (6-7).
  const __m512i mask_lo = _mm512_inserti64x4(_mm512_set1_epi8(0x03), _mm256_set1_epi8(0x0c), 1);
  const __m512i shl_lo = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
  const __m512i mask_hi =
      _mm512_inserti64x4(_mm512_set1_epi8(0x30), _mm256_set1_epi8(static_cast<char>(0xc0)), 1);
  const __m512i shr_hi = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
  const __m512i idx[4] = {quad_index(0), quad_index(1), quad_index(2), quad_index(3)};
  for (std::int64_t b = 0; b < nb; ++b) {
    const __m512i scales16 =
        _mm512_zextsi256_si512(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales))));
    __m512i sumi[N];
    for (int t = 0; t < N; ++t) sumi[t] = _mm512_setzero_si512();
    for (int j = 0; j < 2; ++j) {
      const __m512i ql = _mm512_loadu_si512(w[b].ql + 64 * j);
      const __m512i hb =
          _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qh + 32 * j)));
      const __m512i q_lo = _mm512_or_si512(_mm512_and_si512(ql, m4),
                                           _mm512_sllv_epi16(_mm512_and_si512(hb, mask_lo), shl_lo));
      const __m512i q_hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                           _mm512_srlv_epi16(_mm512_and_si512(hb, mask_hi), shr_hi));
      const __m512i s_lo = _mm512_permutexvar_epi16(idx[2 * j], scales16);
      const __m512i s_hi = _mm512_permutexvar_epi16(idx[2 * j + 1], scales16);
      for (int t = 0; t < N; ++t) {
        const std::int8_t* q8 = a[t][b].qs + 128 * j;
        const __m512i y_lo = _mm512_loadu_si512(q8);
        const __m512i y_hi = _mm512_loadu_si512(q8 + 64);
        // The -32 offset comes off each pair of products in int16, as in
        // ggml's AVX2 kernel, so each lane holds ggml's partial sum exactly.
        const __m512i p_lo = _mm512_sub_epi16(_mm512_maddubs_epi16(q_lo, y_lo), _mm512_maddubs_epi16(m32, y_lo));
        const __m512i p_hi = _mm512_sub_epi16(_mm512_maddubs_epi16(q_hi, y_hi), _mm512_maddubs_epi16(m32, y_hi));
        sumi[t] = _mm512_add_epi32(sumi[t], _mm512_add_epi32(_mm512_madd_epi16(s_lo, p_lo),
                                                             _mm512_madd_epi16(s_hi, p_hi)));
      }
    }
    const float dw = h2f(w[b].d);
    for (int t = 0; t < N; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * a[t][b].d), _mm256_cvtepi32_ps(fold_lanes(sumi[t])), acc[t]);
    }
  }
  for (int t = 0; t < N; ++t) out[static_cast<std::size_t>(t) * os] = hsum256(acc[t]);
}

}  // namespace

void dot_f32(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
             std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((plain_tile<kN, float, load16_f32, scalar_f32>), n, static_cast<const float*>(w));
}

void dot_f16(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
             std::size_t out_stride) {
  GREENROUTE_QUANT_TILE_DISPATCH((plain_tile<kN, std::uint16_t, load16_f16, scalar_f16>), n,
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

}  // namespace greenroute::engine::quant::avx512

#endif  // GREENROUTE_QUANT_X86
