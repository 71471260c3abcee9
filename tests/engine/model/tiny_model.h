// Test fixture: writes tiny llama / qwen2 GGUF models with seeded random
// weights and a minimal SentencePiece vocabulary, so model, context and batch
// tests need no downloaded files. Knobs produce the broken files the error
// tests need (a missing tensor, an unsupported tensor type, an unknown arch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/model_config.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::testing {

struct TinyModelSpec {
  model::Architecture arch = model::Architecture::kLlama;
  std::int64_t n_vocab = 96;
  std::int64_t n_embd = 32;
  std::int64_t n_layer = 2;
  std::int64_t n_head = 4;
  std::int64_t n_head_kv = 2;
  std::int64_t n_ff = 48;
  std::int64_t n_ctx_train = 256;
  float rope_base = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied_output = false;
  bool rope_freqs = false;          // write a llama3-style rope_freqs.weight
  std::uint64_t seed = 1;
  std::int32_t eos_id = 2;          // tokenizer.ggml.eos_token_id
  // Fault injection for error tests.
  std::string omit_tensor;          // leave this tensor out
  std::string q5_0_tensor;          // store this matrix as q5_0 (unsupported)
  std::string arch_name_override;   // general.architecture value to write
};

// Builds the GGUF bytes of a tiny model.
std::vector<std::uint8_t> tiny_model_bytes(const TinyModelSpec& spec);
// Writes it under the test temp dir and returns the path.
std::string write_tiny_model(const TinyModelSpec& spec, const std::string& file_name);

// The shared data directory's stories260K model, or "" when absent.
std::string stories260k_path();

}  // namespace greenroute::engine::testing
