// ggml-compatible row kernels (see ops.h for the rounding each one follows).
#include "context/ops.h"

#include <cmath>

#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::context {

void rms_norm_row(const float* x, const float* w, std::int64_t n, float eps, float* out) {
  // ggml_compute_forward_rms_norm_f32: products in f32, summed in double.
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  // llama.cpp applies the weight as a separate ggml_mul, after the scale.
  for (std::int64_t i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
}

void rope_factors(const RopeParams& p, std::int64_t pos, float* cs) {
  const std::int64_t half = p.n_rot / 2;
  const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_rot));
  float theta = static_cast<float>(pos);
  for (std::int64_t i = 0; i < half; ++i) {
    const float ff = p.freq_factors != nullptr ? p.freq_factors[i] : 1.0f;
    const float t = p.freq_scale * (theta / ff);
    cs[i] = std::cos(t);
    cs[half + i] = std::sin(t);
    theta *= theta_scale;
  }
}

void rope_apply(const RopeParams& p, const float* cs, std::int64_t n_heads, float* x) {
  const std::int64_t half = p.n_rot / 2;
  for (std::int64_t h = 0; h < n_heads; ++h) {
    float* v = x + h * p.head_dim;
    for (std::int64_t i = 0; i < half; ++i) {
      const float c = cs[i];
      const float s = cs[half + i];
      // kNorm pairs adjacent dimensions; kNeox pairs i with i + n_rot/2.
      const std::int64_t a = p.type == model::RopeType::kNorm ? 2 * i : i;
      const std::int64_t b = p.type == model::RopeType::kNorm ? 2 * i + 1 : i + half;
      const float x0 = v[a];
      const float x1 = v[b];
      v[a] = x0 * c - x1 * s;
      v[b] = x0 * s + x1 * c;
    }
  }
}

void swiglu_row(float* gate, const float* up, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

std::vector<float> make_f16_table() {
  std::vector<float> t(65536);
  for (std::uint32_t i = 0; i < 65536; ++i) t[i] = quant::fp16_to_fp32(static_cast<std::uint16_t>(i));
  return t;
}

}  // namespace greenroute::engine::context
