// Matrix multiplication of quantized weights with float activations, and the
// row conversions (quantize / dequantize) the rest of the engine needs.
//
// Numerics follow ggml's CPU backend so greenroute's outputs match llama.cpp:
// activations are converted to the weight type's "dot type" first (F16 for
// F16 weights, BF16 for BF16, Q8_0 for Q4_0/Q8_0, Q8_K for Q4_K/Q6_K, F32 for
// F32), then dotted block by block. SIMD kernels (AVX2, AVX-512) are chosen at
// run time by engine::simd_level(); the scalar kernels are the reference.
//
// Thread contract: functions are thread-safe; matmul() uses the given pool
// from the calling thread (the pool's single owner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::quant {

// A weight matrix as stored in GGUF: n_out rows of n_in elements, row-major,
// each row row_bytes(type, n_in) bytes. (GGUF shape = [n_in, n_out].)
struct WeightView {
  GgmlType type = GgmlType::kF32;
  const void* data = nullptr;
  std::int64_t n_in = 0;
  std::int64_t n_out = 0;
};

// Reusable scratch for activation conversion; one per inference context.
struct MatmulScratch {
  std::vector<std::uint8_t> bytes;
};

// y[t * n_out + o] = sum_i W[o][i] * x[t * n_in + i], for t in [0, n_tokens).
// Precondition: w.type is supported and n_in is a multiple of its block size.
void matmul(const WeightView& w, const float* x, std::int64_t n_tokens, float* y,
            core::ThreadPool& pool, MatmulScratch& scratch);

// Decodes row `row` of w into out[0..n_in).
void dequantize_row(const WeightView& w, std::int64_t row, float* out);

// Encodes n floats (n a multiple of the block size) into `type`, appending
// row_bytes(type, n) bytes to out. Supported for F32, F16, BF16, Q8_0, Q4_0,
// Q4_K, Q6_K (the types `model synth` writes and the tests round-trip).
core::Status quantize_row(GgmlType type, const float* x, std::int64_t n, std::vector<std::uint8_t>& out);

// Half-precision conversions, bit-exact with ggml's.
float fp16_to_fp32(std::uint16_t h);
std::uint16_t fp32_to_fp16(float f);
float bf16_to_fp32(std::uint16_t h);
std::uint16_t fp32_to_bf16(float f);

}  // namespace greenroute::engine::quant
