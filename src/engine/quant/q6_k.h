// Q6_K super-blocks: 256 6-bit values (offset 32) in 16 sub-blocks of 16,
// each with an int8 scale, times one fp16 d (ggml's block_q6_K). Low 4 bits
// live in ql, high 2 bits in qh. Its dot type is Q8_K.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/q8_k.h"

namespace greenroute::engine::quant {

struct BlockQ6_K {
  std::uint8_t ql[kQK_K / 2];
  std::uint8_t qh[kQK_K / 4];
  std::int8_t scales[kQK_K / 16];
  std::uint16_t d;  // fp16
};
static_assert(sizeof(BlockQ6_K) == 210, "block_q6_K layout");

// ggml's quantize_row_q6_K_ref (make_qx_quants per sub-block).
void quantize_q6_k_ref(const float* x, void* y, std::int64_t n);
void dequantize_q6_k(const void* x, float* y, std::int64_t n);
// Unpacks one super-block to 256 values in [0, 63] (element order), shared
// by the scalar dot and the tests.
void unpack_q6_k(const BlockQ6_K& b, std::int8_t* q);
void dot_q6_k_q8_k_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride);

}  // namespace greenroute::engine::quant
