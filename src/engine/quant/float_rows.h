// Row converters and scalar dot kernels for the plain float types F32, F16
// and BF16 (each is its own dot type, as in ggml's CPU backend).
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace greenroute::engine::quant {

void copy_f32(const float* x, void* y, std::int64_t n);
void to_float_f32(const void* x, float* y, std::int64_t n);
void from_float_f16(const float* x, void* y, std::int64_t n);
void to_float_f16(const void* x, float* y, std::int64_t n);
void from_float_bf16(const float* x, void* y, std::int64_t n);
void to_float_bf16(const void* x, float* y, std::int64_t n);

// Scalar references accumulate in double, as ggml's scalar paths do.
void dot_f32_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                    float* out, std::size_t out_stride);
void dot_f16_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                    float* out, std::size_t out_stride);
void dot_bf16_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                     float* out, std::size_t out_stride);

}  // namespace greenroute::engine::quant
