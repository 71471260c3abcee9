// Q4_K super-blocks: 256 4-bit values in 8 sub-blocks of 32, each with a
// 6-bit scale and 6-bit min packed into 12 bytes, scaled by fp16 d and dmin
// (ggml's block_q4_K). Its dot type is Q8_K.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/q8_k.h"

namespace greenroute::engine::quant {

inline constexpr int kKScaleSize = 12;

struct BlockQ4_K {
  std::uint16_t d;     // fp16 super-block scale of the scales
  std::uint16_t dmin;  // fp16 super-block scale of the mins
  std::uint8_t scales[kKScaleSize];
  std::uint8_t qs[kQK_K / 2];  // 4 chunks of 64 values: low nibbles first 32, high nibbles next 32
};
static_assert(sizeof(BlockQ4_K) == 144, "block_q4_K layout");

// ggml's get_scale_min_k4: scale and min of sub-block j (0..7).
inline void get_scale_min_k4(int j, const std::uint8_t* q, std::uint8_t* d, std::uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = static_cast<std::uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// ggml's quantize_row_q4_K_ref (make_qkx2_quants per sub-block).
void quantize_q4_k_ref(const float* x, void* y, std::int64_t n);
void dequantize_q4_k(const void* x, float* y, std::int64_t n);
void dot_q4_k_q8_k_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride);

}  // namespace greenroute::engine::quant
