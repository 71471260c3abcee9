// Q4_0 blocks: 32 4-bit values (offset 8) with one fp16 scale (ggml's
// block_q4_0). Element j < 16 is the low nibble of qs[j], element j >= 16 the
// high nibble of qs[j - 16]. Its dot type is Q8_0.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace greenroute::engine::quant {

inline constexpr int kQK4_0 = 32;

struct BlockQ4_0 {
  std::uint16_t d;  // fp16 scale
  std::uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "block_q4_0 layout");

// ggml's quantize_row_q4_0_ref.
void quantize_q4_0_ref(const float* x, void* y, std::int64_t n);
void dequantize_q4_0(const void* x, float* y, std::int64_t n);
// Weights Q4_0, activations Q8_0.
void dot_q4_0_q8_0_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride);

}  // namespace greenroute::engine::quant
