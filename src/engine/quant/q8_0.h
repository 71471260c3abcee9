// Q8_0 blocks: 32 int8 values with one fp16 scale (ggml's block_q8_0). Q8_0
// is both a weight type and the dot type of Q8_0 and Q4_0 weights.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace greenroute::engine::quant {

inline constexpr int kQK8_0 = 32;

struct BlockQ8_0 {
  std::uint16_t d;  // fp16 scale
  std::int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "block_q8_0 layout");

// ggml's quantize_row_q8_0_ref (d = amax/127, round half away from zero):
// what llama-quantize writes for Q8_0 weights.
void quantize_q8_0_ref(const float* x, void* y, std::int64_t n);
// ggml-cpu's x86 quantize_row_q8_0 (id = 127/amax, round half to even): how
// llama.cpp converts activations on this platform, hence our matmul too.
void quantize_q8_0_act(const float* x, void* y, std::int64_t n);
void dequantize_q8_0(const void* x, float* y, std::int64_t n);
void dot_q8_0_q8_0_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                          float* out, std::size_t out_stride);

}  // namespace greenroute::engine::quant
