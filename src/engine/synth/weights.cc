#include "synth/weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::synth {

namespace {

using quant::GgmlType;

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// Box-Muller, two values per pair of uniforms (Rng::normal() keeps one).
void fill_normal(core::Rng& rng, float* out, std::uint64_t n, float mean, float std) {
  constexpr float kTwoPi = 2.0f * std::numbers::pi_v<float>;
  for (std::uint64_t i = 0; i < n; i += 2) {
    float u1 = static_cast<float>(rng.next_u64() >> 40) * (1.0f / 16777216.0f);
    const float u2 = static_cast<float>(rng.next_u64() >> 40) * (1.0f / 16777216.0f);
    u1 = std::max(u1, 1e-7f);
    const float r = std::sqrt(-2.0f * std::log(u1)) * std;
    out[i] = mean + r * std::cos(kTwoPi * u2);
    if (i + 1 < n) out[i + 1] = mean + r * std::sin(kTwoPi * u2);
  }
}

}  // namespace

GgmlType weight_storage_type(GgmlType requested, std::uint64_t n_in) {
  GgmlType t = requested;
  // llama.cpp's quantize also falls back when rows do not hold whole
  // super-blocks; it picks Q5_0/Q8_0, we pick types greenroute computes with.
  if (!quant::is_valid_row_length(t, n_in)) {
    if (t == GgmlType::kQ4_K) t = GgmlType::kQ4_0;
    if (t == GgmlType::kQ6_K) t = GgmlType::kQ8_0;
  }
  if (!quant::is_valid_row_length(t, n_in)) t = GgmlType::kF16;
  return t;
}

std::vector<float> llama3_rope_factors(const SynthPreset& preset) {
  const Llama3RopeScaling& s = *preset.llama3_rope;
  const std::uint32_t dim = preset.head_dim();
  const float low_wavelen = static_cast<float>(s.original_context) / s.low_freq_factor;
  const float high_wavelen = static_cast<float>(s.original_context) / s.high_freq_factor;
  std::vector<float> factors;
  for (std::uint32_t i = 0; i < dim; i += 2) {
    // float32 throughout, as the converter's torch code computes it.
    const float freq = 1.0f / std::pow(preset.rope_freq_base, static_cast<float>(i) / static_cast<float>(dim));
    const float wavelen = 2.0f * std::numbers::pi_v<float> / freq;
    if (wavelen < high_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      factors.push_back(s.factor);
    } else {
      const float smooth = (static_cast<float>(s.original_context) / wavelen - s.low_freq_factor) /
                           (s.high_freq_factor - s.low_freq_factor);
      factors.push_back(1.0f / ((1.0f - smooth) / s.factor + smooth));
    }
  }
  return factors;
}

std::vector<TensorPlan> plan_tensors(const SynthPreset& p, std::uint32_t n_layer, GgmlType weight_type) {
  const std::uint64_t n_embd = p.n_embd;
  const std::uint64_t n_q = static_cast<std::uint64_t>(p.n_head) * p.head_dim();
  const std::uint64_t n_kv = static_cast<std::uint64_t>(p.n_head_kv) * p.head_dim();
  const std::uint64_t n_ff = p.n_ff;
  const float embd_std = kLogitStd / std::sqrt(static_cast<float>(n_embd));
  // Residual branch scales, chosen so greedy decoding does not lock onto one
  // token. With tied embeddings a token's own logit is e_t . norm(x), which
  // wins every step if the stream x stays close to the input embedding e_t.
  // So the FFN branches (summed over layers: about kFfnRms per element) carry
  // most of the stream: a token-specific random function of e_t, nearly
  // orthogonal to it. Attention branches add about the embedding's own scale,
  // enough for the context (and the KV cache) to move the logits visibly
  // without washing out which token is current.
  constexpr float kFfnRms = 3.0f;
  const float layers = static_cast<float>(n_layer);
  const float attn_branch = embd_std / std::sqrt(layers);
  const float ffn_branch = kFfnRms / std::sqrt(layers);
  constexpr float kSwigluRms = 0.6f;  // RMS of silu(g) * u for g, u ~ N(0, 1)

  std::vector<TensorPlan> out;
  auto matrix = [&](std::string name, std::uint64_t n_in, std::uint64_t rows, float std) {
    out.push_back(TensorPlan{std::move(name), weight_storage_type(weight_type, n_in), n_in, rows, false,
                             Init::kNormal, std});
  };
  auto vec = [&](std::string name, std::uint64_t n, Init init, float std) {
    out.push_back(TensorPlan{std::move(name), GgmlType::kF32, n, 1, true, init, std});
  };
  matrix("token_embd.weight", n_embd, p.n_vocab, embd_std);
  if (p.llama3_rope) vec("rope_freqs.weight", p.head_dim() / 2, Init::kRopeFreqs, 0.0f);
  for (std::uint32_t l = 0; l < n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    const float in_std = 1.0f / std::sqrt(static_cast<float>(n_embd));
    vec(b + "attn_norm.weight", n_embd, Init::kNorm, 0.02f);
    matrix(b + "attn_q.weight", n_embd, n_q, in_std);
    if (p.attn_bias) vec(b + "attn_q.bias", n_q, Init::kNormal, 0.05f);
    matrix(b + "attn_k.weight", n_embd, n_kv, in_std);
    if (p.attn_bias) vec(b + "attn_k.bias", n_kv, Init::kNormal, 0.05f);
    matrix(b + "attn_v.weight", n_embd, n_kv, in_std);
    if (p.attn_bias) vec(b + "attn_v.bias", n_kv, Init::kNormal, 0.05f);
    matrix(b + "attn_output.weight", n_q, n_embd, attn_branch / std::sqrt(static_cast<float>(n_q)));
    vec(b + "ffn_norm.weight", n_embd, Init::kNorm, 0.02f);
    matrix(b + "ffn_gate.weight", n_embd, n_ff, in_std);
    matrix(b + "ffn_up.weight", n_embd, n_ff, in_std);
    matrix(b + "ffn_down.weight", n_ff, n_embd, ffn_branch / kSwigluRms / std::sqrt(static_cast<float>(n_ff)));
  }
  vec("output_norm.weight", n_embd, Init::kNorm, 0.02f);
  if (!p.tied_embeddings) matrix("output.weight", n_embd, p.n_vocab, embd_std);
  return out;
}

core::Result<std::vector<std::uint8_t>> generate_tensor(const TensorPlan& plan, const SynthPreset& preset,
                                                        std::uint64_t seed, core::ThreadPool& pool) {
  const std::size_t row_bytes = quant::row_bytes(plan.type, plan.n_in);
  std::vector<std::uint8_t> data(row_bytes * plan.n_out);

  if (plan.init == Init::kRopeFreqs) {
    const std::vector<float> factors = llama3_rope_factors(preset);
    if (factors.size() != plan.n_in) return core::internal_error("rope_freqs size mismatch");
    std::memcpy(data.data(), factors.data(), data.size());
    return data;
  }

  const std::uint64_t tensor_seed = mix64(seed ^ mix64(fnv1a(plan.name)));
  // Tasks of about 64K elements balance well and keep scratch small.
  const std::uint64_t rows_per_task = std::max<std::uint64_t>(1, (std::uint64_t{1} << 16) / plan.n_in);
  const std::uint64_t n_tasks = (plan.n_out + rows_per_task - 1) / rows_per_task;
  std::vector<std::vector<float>> row_scratch(static_cast<std::size_t>(pool.size()));
  std::vector<std::vector<std::uint8_t>> byte_scratch(static_cast<std::size_t>(pool.size()));
  std::mutex error_mu;
  core::Status error;

  pool.parallel_for(n_tasks, [&](std::size_t task, int thread) {
    std::vector<float>& values = row_scratch[static_cast<std::size_t>(thread)];
    std::vector<std::uint8_t>& bytes = byte_scratch[static_cast<std::size_t>(thread)];
    values.resize(plan.n_in);
    const std::uint64_t first = task * rows_per_task;
    const std::uint64_t last = std::min(plan.n_out, first + rows_per_task);
    for (std::uint64_t row = first; row < last; ++row) {
      core::Rng rng(mix64(tensor_seed ^ mix64(row)));
      const float mean = plan.init == Init::kNorm ? 1.0f : 0.0f;
      fill_normal(rng, values.data(), plan.n_in, mean, plan.std);
      bytes.clear();
      const core::Status st =
          quant::quantize_row(plan.type, values.data(), static_cast<std::int64_t>(plan.n_in), bytes);
      if (!st.is_ok() || bytes.size() != row_bytes) {
        const std::lock_guard<std::mutex> lock(error_mu);
        if (error.is_ok()) {
          error = st.is_ok() ? core::internal_error("quantize_row wrote an unexpected number of bytes") : st;
        }
        return;
      }
      std::memcpy(data.data() + row * row_bytes, bytes.data(), row_bytes);
    }
  });
  if (!error.is_ok()) return error.with_context("tensor " + plan.name);
  return data;
}

}  // namespace greenroute::engine::synth
