// ModelConfig: the hyperparameters of a llama-family model, parsed once from
// GGUF metadata into a validated struct.
//
// Keys follow llama.cpp's naming ("<arch>.embedding_length", ...). A missing
// required key or a value out of range is an error that names the key, so a
// bad file is diagnosed at load time rather than as a crash in the forward pass.
//
// Thread contract: plain values; parse_model_config() is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"

namespace greenroute::engine::model {

enum class Architecture { kLlama, kQwen2 };

// How RoPE pairs dimensions (ggml's rope modes): kNorm rotates adjacent pairs
// (x[2i], x[2i+1]); kNeox rotates (x[i], x[i + n_rot/2]).
enum class RopeType { kNorm, kNeox };

std::string_view architecture_name(Architecture arch);
RopeType rope_type_of(Architecture arch);

struct ModelConfig {
  Architecture arch = Architecture::kLlama;
  std::string name;            // general.name, or the architecture name when absent
  std::int64_t n_vocab = 0;    // rows of token_embd
  std::int64_t n_ctx_train = 0;
  std::int64_t n_embd = 0;
  std::int64_t n_layer = 0;
  std::int64_t n_head = 0;
  std::int64_t n_head_kv = 0;
  std::int64_t head_dim = 0;   // n_embd / n_head unless attention.key_length says otherwise
  std::int64_t n_rot = 0;      // rotated dimensions per head (rope.dimension_count)
  std::int64_t n_ff = 0;
  float rms_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling
  bool tied_output = false;      // output.weight absent: the embedding is reused
  bool attn_bias = false;        // q/k/v projections carry biases (qwen2)
  bool has_rope_freqs = false;   // rope_freqs.weight present (llama3 scaling)
  bool synthetic = false;        // general.synthetic: random weights from `model synth`

  RopeType rope_type() const { return rope_type_of(arch); }
  std::int64_t n_embd_q() const { return n_head * head_dim; }
  std::int64_t n_embd_kv() const { return n_head_kv * head_dim; }
};

// Parses the hyperparameters. n_vocab is left 0: it comes from the embedding
// tensor's shape (Model fills it in). Unknown architectures are kUnsupported.
core::Result<ModelConfig> parse_model_config(const gguf::GgufFile& file);

}  // namespace greenroute::engine::model
