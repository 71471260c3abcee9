#include "quant/float_rows.h"

#include <array>
#include <bit>
#include <cstring>

#include "greenroute/engine/quant/matmul.h"
#include "quant/half.h"

namespace greenroute::engine::quant {

namespace {

constexpr std::array<float, 65536> make_fp16_table() {
  std::array<float, 65536> t{};
  for (std::uint32_t h = 0; h < 65536u; ++h) t[h] = std::bit_cast<float>(half_to_float_bits(h));
  return t;
}

}  // namespace

constinit const std::array<float, 65536> kFp16ToFp32Table = make_fp16_table();

float fp16_to_fp32(std::uint16_t h) { return half_to_float(h); }
std::uint16_t fp32_to_fp16(float f) { return float_to_half(f); }
float bf16_to_fp32(std::uint16_t h) { return bf16_to_float(h); }
std::uint16_t fp32_to_bf16(float f) { return float_to_bf16(f); }

void copy_f32(const float* x, void* y, std::int64_t n) {
  std::memcpy(y, x, static_cast<std::size_t>(n) * sizeof(float));
}

void to_float_f32(const void* x, float* y, std::int64_t n) {
  std::memcpy(y, x, static_cast<std::size_t>(n) * sizeof(float));
}

void from_float_f16(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<std::uint16_t*>(y);
  for (std::int64_t i = 0; i < n; ++i) out[i] = float_to_half(x[i]);
}

void to_float_f16(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const std::uint16_t*>(x);
  for (std::int64_t i = 0; i < n; ++i) y[i] = half_to_float(in[i]);
}

void from_float_bf16(const float* x, void* y, std::int64_t n) {
  auto* out = static_cast<std::uint16_t*>(y);
  for (std::int64_t i = 0; i < n; ++i) out[i] = float_to_bf16(x[i]);
}

void to_float_bf16(const void* x, float* y, std::int64_t n) {
  const auto* in = static_cast<const std::uint16_t*>(x);
  for (std::int64_t i = 0; i < n; ++i) y[i] = bf16_to_float(in[i]);
}

namespace {

template <typename Elem, float (*kLoad)(Elem)>
void dot_plain(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok, float* out,
               std::size_t out_stride) {
  const auto* wr = static_cast<const Elem*>(w);
  for (int t = 0; t < n_tok; ++t) {
    const auto* ar = reinterpret_cast<const Elem*>(act + static_cast<std::size_t>(t) * act_stride);
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) sum += static_cast<double>(kLoad(wr[i]) * kLoad(ar[i]));
    out[static_cast<std::size_t>(t) * out_stride] = static_cast<float>(sum);
  }
}

float load_f32(float v) { return v; }

}  // namespace

void dot_f32_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                    float* out, std::size_t out_stride) {
  dot_plain<float, load_f32>(n, w, act, act_stride, n_tok, out, out_stride);
}

void dot_f16_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                    float* out, std::size_t out_stride) {
  dot_plain<std::uint16_t, half_to_float>(n, w, act, act_stride, n_tok, out, out_stride);
}

void dot_bf16_scalar(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                     float* out, std::size_t out_stride) {
  dot_plain<std::uint16_t, bf16_to_float>(n, w, act, act_stride, n_tok, out, out_stride);
}

}  // namespace greenroute::engine::quant
