// Q8_K blocks: 256 int8 values, a float scale and per-16 sums (ggml's
// block_q8_K). Only an activation (dot) type: Q4_K and Q6_K weights dot
// against it; bsums let the kernels apply the Q4_K mins without touching qs.
// Thread-safe: pure functions.
#pragma once

#include <cstdint>

namespace greenroute::engine::quant {

inline constexpr int kQK_K = 256;

struct BlockQ8_K {
  float d;
  std::int8_t qs[kQK_K];
  std::int16_t bsums[kQK_K / 16];  // sum of each group of 16 qs
};
static_assert(sizeof(BlockQ8_K) == 292, "block_q8_K layout");

// ggml's quantize_row_q8_K_ref (also what ggml-cpu uses on x86).
void quantize_q8_k_ref(const float* x, void* y, std::int64_t n);
void dequantize_q8_k(const void* x, float* y, std::int64_t n);

}  // namespace greenroute::engine::quant
