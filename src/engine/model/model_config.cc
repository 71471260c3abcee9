// Parsing llama-family hyperparameters from GGUF metadata (llama-hparams).
#include "greenroute/engine/model/model_config.h"

#include <cmath>
#include <string>

namespace greenroute::engine::model {
namespace {

using core::Result;
using core::Status;

// Reads an integer key that must be present and in [lo, hi].
Result<std::int64_t> required_int(const gguf::GgufFile& f, const std::string& key, std::int64_t lo,
                                  std::int64_t hi) {
  auto v = f.get_int(key);
  if (!v.is_ok()) {
    if (v.status().code() == core::StatusCode::kNotFound) {
      return core::corrupt("missing required metadata key '" + key + "'");
    }
    return v.status().with_context("metadata key '" + key + "'");
  }
  if (*v < lo || *v > hi) {
    return core::corrupt("metadata key '" + key + "' = " + std::to_string(*v) + " is out of range [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return *v;
}

// Reads an optional integer key; absent gives `fallback`.
Result<std::int64_t> optional_int(const gguf::GgufFile& f, const std::string& key, std::int64_t fallback,
                                  std::int64_t lo, std::int64_t hi) {
  if (f.find(key) == nullptr) return fallback;
  return required_int(f, key, lo, hi);
}

Result<double> optional_float(const gguf::GgufFile& f, const std::string& key, double fallback) {
  if (f.find(key) == nullptr) return fallback;
  auto v = f.get_float(key);
  if (!v.is_ok()) return v.status().with_context("metadata key '" + key + "'");
  if (!std::isfinite(*v)) return core::corrupt("metadata key '" + key + "' is not finite");
  return *v;
}

constexpr std::int64_t kMaxDim = std::int64_t{1} << 20;

}  // namespace

std::string_view architecture_name(Architecture arch) {
  switch (arch) {
    case Architecture::kLlama: return "llama";
    case Architecture::kQwen2: return "qwen2";
  }
  return "unknown";
}

RopeType rope_type_of(Architecture arch) {
  return arch == Architecture::kQwen2 ? RopeType::kNeox : RopeType::kNorm;
}

core::Result<ModelConfig> parse_model_config(const gguf::GgufFile& file) {
  auto arch_name = file.get_string("general.architecture");
  if (!arch_name.is_ok()) {
    if (arch_name.status().code() == core::StatusCode::kNotFound) {
      return core::corrupt("missing required metadata key 'general.architecture'");
    }
    return arch_name.status();
  }
  ModelConfig c;
  if (*arch_name == "llama") {
    c.arch = Architecture::kLlama;
  } else if (*arch_name == "qwen2") {
    c.arch = Architecture::kQwen2;
  } else {
    return core::unsupported("model architecture '" + *arch_name +
                             "' is not supported (supported: llama, qwen2)");
  }
  const std::string p = *arch_name + ".";

  auto name = file.get_string("general.name");
  c.name = name.is_ok() ? *name : *arch_name;

  GR_ASSIGN_OR_RETURN(c.n_ctx_train, required_int(file, p + "context_length", 1, std::int64_t{1} << 24));
  GR_ASSIGN_OR_RETURN(c.n_embd, required_int(file, p + "embedding_length", 1, kMaxDim));
  GR_ASSIGN_OR_RETURN(c.n_layer, required_int(file, p + "block_count", 1, 4096));
  GR_ASSIGN_OR_RETURN(c.n_ff, required_int(file, p + "feed_forward_length", 1, kMaxDim));
  GR_ASSIGN_OR_RETURN(c.n_head, required_int(file, p + "attention.head_count", 1, 4096));
  GR_ASSIGN_OR_RETURN(c.n_head_kv, optional_int(file, p + "attention.head_count_kv", c.n_head, 1, c.n_head));
  if (c.n_head % c.n_head_kv != 0) {
    return core::corrupt("attention.head_count (" + std::to_string(c.n_head) +
                         ") is not a multiple of attention.head_count_kv (" + std::to_string(c.n_head_kv) +
                         ")");
  }
  const bool has_key_length = file.find(p + "attention.key_length") != nullptr;
  if (!has_key_length && c.n_embd % c.n_head != 0) {
    return core::corrupt("embedding_length (" + std::to_string(c.n_embd) +
                         ") is not a multiple of attention.head_count (" + std::to_string(c.n_head) + ")");
  }
  GR_ASSIGN_OR_RETURN(c.head_dim,
                      optional_int(file, p + "attention.key_length", c.n_embd / c.n_head, 1, kMaxDim));
  GR_ASSIGN_OR_RETURN(std::int64_t value_length,
                      optional_int(file, p + "attention.value_length", c.head_dim, 1, kMaxDim));
  if (value_length != c.head_dim) {
    return core::unsupported("attention.value_length (" + std::to_string(value_length) +
                             ") differs from attention.key_length (" + std::to_string(c.head_dim) + ")");
  }
  GR_ASSIGN_OR_RETURN(c.n_rot, optional_int(file, p + "rope.dimension_count", c.head_dim, 2, c.head_dim));
  if (c.n_rot % 2 != 0) {
    return core::corrupt("rope.dimension_count (" + std::to_string(c.n_rot) + ") is odd");
  }

  GR_ASSIGN_OR_RETURN(double eps, optional_float(file, p + "attention.layer_norm_rms_epsilon", 1e-5));
  if (eps <= 0.0 || eps > 1.0) return core::corrupt("attention.layer_norm_rms_epsilon is out of range");
  c.rms_eps = static_cast<float>(eps);

  GR_ASSIGN_OR_RETURN(double base, optional_float(file, p + "rope.freq_base", 10000.0));
  if (base <= 1.0) return core::corrupt("rope.freq_base must be > 1");
  c.rope_freq_base = static_cast<float>(base);

  // Linear RoPE scaling: positions are multiplied by 1/factor (llama.cpp's
  // rope_freq_scale). Older files use rope.scale_linear.
  double factor = 1.0;
  auto scaling_type = file.get_string(p + "rope.scaling.type");
  if (scaling_type.is_ok()) {
    if (*scaling_type == "linear") {
      GR_ASSIGN_OR_RETURN(factor, optional_float(file, p + "rope.scaling.factor", 1.0));
    } else if (*scaling_type != "none" && *scaling_type != "llama3") {
      return core::unsupported("rope.scaling.type '" + *scaling_type + "' is not supported");
    }
  } else {
    GR_ASSIGN_OR_RETURN(factor, optional_float(file, p + "rope.scale_linear", 1.0));
  }
  if (factor <= 0.0) return core::corrupt("rope scaling factor must be > 0");
  c.rope_freq_scale = static_cast<float>(1.0 / factor);

  auto synthetic = file.get_bool("general.synthetic");
  c.synthetic = synthetic.is_ok() && *synthetic;
  return c;
}

}  // namespace greenroute::engine::model
