// ModelWeights: views of a llama-family model's tensors inside a mapped GGUF
// file, found by llama.cpp's tensor names and checked for shape and type.
//
// Matrices are quant::WeightView (n_out rows of n_in elements). Norm weights,
// biases and rope_freqs must be F32, as llama.cpp's converters write them.
//
// Thread contract: immutable after map_weights(); thread-safe to read. The
// views point into the GgufFile, which must outlive them.
#pragma once

#include <cstdint>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/model_config.h"
#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::model {

struct LayerWeights {
  const float* attn_norm = nullptr;  // [n_embd]
  quant::WeightView wq;              // n_embd -> n_head * head_dim
  quant::WeightView wk;              // n_embd -> n_head_kv * head_dim
  quant::WeightView wv;              // n_embd -> n_head_kv * head_dim
  quant::WeightView wo;              // n_head * head_dim -> n_embd
  const float* bq = nullptr;         // optional biases (qwen2), F32
  const float* bk = nullptr;
  const float* bv = nullptr;
  const float* ffn_norm = nullptr;   // [n_embd]
  quant::WeightView w_gate;          // n_embd -> n_ff
  quant::WeightView w_up;            // n_embd -> n_ff
  quant::WeightView w_down;          // n_ff -> n_embd
};

struct ModelWeights {
  quant::WeightView token_embd;         // row t = embedding of token t (n_in = n_embd, n_out = n_vocab)
  const float* output_norm = nullptr;   // [n_embd]
  quant::WeightView output;             // n_embd -> n_vocab (token_embd when tied)
  const float* rope_freqs = nullptr;    // [n_rot / 2] or null
  std::vector<LayerWeights> layers;
};

// Finds and validates every tensor the config calls for. Fills in
// config.n_vocab (from token_embd), config.tied_output, config.attn_bias and
// config.has_rope_freqs. A missing tensor is kCorrupt naming it; a tensor of a
// type greenroute cannot compute with is kUnsupported naming tensor and type.
core::Result<ModelWeights> map_weights(const gguf::GgufFile& file, ModelConfig& config);

}  // namespace greenroute::engine::model
