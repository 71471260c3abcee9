// Declarations of the SIMD kernels, compiled in kernels_avx2.cc /
// kernels_avx512.cc with per-file ISA flags (see sources.cmake). Only the
// traits table calls them, and only after checking the CPU supports the level.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace greenroute::engine::quant {

#if defined(__x86_64__)
#define GREENROUTE_QUANT_X86 1

#define GREENROUTE_QUANT_DOT_DECL(name)                                                                  \
  void name(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, \
            float* out, std::size_t out_stride)

namespace avx2 {
GREENROUTE_QUANT_DOT_DECL(dot_f32);
GREENROUTE_QUANT_DOT_DECL(dot_f16);
GREENROUTE_QUANT_DOT_DECL(dot_bf16);
GREENROUTE_QUANT_DOT_DECL(dot_q8_0);
GREENROUTE_QUANT_DOT_DECL(dot_q4_0);
GREENROUTE_QUANT_DOT_DECL(dot_q4_k);
GREENROUTE_QUANT_DOT_DECL(dot_q6_k);
void quantize_q8_0_act(const float* x, void* y, std::int64_t n);
void from_float_f16(const float* x, void* y, std::int64_t n);
}  // namespace avx2

namespace avx512 {
GREENROUTE_QUANT_DOT_DECL(dot_f32);
GREENROUTE_QUANT_DOT_DECL(dot_f16);
GREENROUTE_QUANT_DOT_DECL(dot_q8_0);
GREENROUTE_QUANT_DOT_DECL(dot_q4_0);
GREENROUTE_QUANT_DOT_DECL(dot_q4_k);
GREENROUTE_QUANT_DOT_DECL(dot_q6_k);
}  // namespace avx512

#undef GREENROUTE_QUANT_DOT_DECL
#endif

}  // namespace greenroute::engine::quant
