// Row-wise kernels of the forward pass, written to round like ggml's CPU ops:
// RMSNorm (double sum of squares, f32 scale), RoPE (iterated f32 theta, as
// ggml_rope_cache_init), SwiGLU (x / (1 + expf(-x)) * up), and an F16 table.
//
// Thread contract: pure functions over caller-owned buffers.
#pragma once

#include <cstdint>
#include <vector>

#include "greenroute/engine/model/model_config.h"

namespace greenroute::engine::context {

// out = x / sqrt(mean(x^2) + eps) * w, one row of n.
void rms_norm_row(const float* x, const float* w, std::int64_t n, float eps, float* out);

// Per-position rotation factors for RoPE: cos/sin for each of n_rot/2 pairs.
struct RopeParams {
  model::RopeType type = model::RopeType::kNorm;
  std::int64_t n_rot = 0;
  std::int64_t head_dim = 0;
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;
  const float* freq_factors = nullptr;  // [n_rot/2] divides theta (llama3), or null
};

// Fills cs[0..n_rot/2) with cos and cs[n_rot/2..n_rot) with sin for `pos`.
void rope_factors(const RopeParams& p, std::int64_t pos, float* cs);
// Rotates n_heads heads of head_dim laid out contiguously in `x`.
void rope_apply(const RopeParams& p, const float* cs, std::int64_t n_heads, float* x);

// gate[i] = silu(gate[i]) * up[i].
void swiglu_row(float* gate, const float* up, std::int64_t n);

// fp16 -> fp32 for every half value (65536 entries), bit-exact with ggml.
std::vector<float> make_f16_table();

}  // namespace greenroute::engine::context
