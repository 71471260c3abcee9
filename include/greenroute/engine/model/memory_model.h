// MemoryModel: how many bytes a context needs for a batch, so work that does
// not fit is refused up front with the figures, instead of failing midway.
//
//   bytes_for(n, t) = weights + n * kv_bytes(t) + compute_bytes()
// where kv_bytes(t) rounds t up to the KV cache's allocation block (the cache
// allocates whole blocks) and compute_bytes() is exactly the scratch the
// Context preallocates for its parameters (activations for max_batch_tokens,
// logits for max_outputs rows, per-thread attention rows, an fp16 table) plus a bound on the
// matmul activation-conversion scratch (2 bytes per input element).
//
// Thread contract: a plain value; all methods are const and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "greenroute/core/status.h"
#include "greenroute/engine/model/model_config.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::model {

// Tokens per KV cache allocation block (see kv_cache/kv_cache.h).
inline constexpr std::int64_t kKvBlockTokens = 64;

struct MemoryParams {
  quant::GgmlType kv_type = quant::GgmlType::kF16;
  std::int64_t max_batch_tokens = 512;  // tokens per forward pass
  int max_outputs = 1;                  // logit rows per forward pass (the sequence count)
  int n_threads = 1;
  std::int64_t n_ctx = 4096;            // longest sequence
};

struct MemoryModel {
  std::uint64_t weight_bytes = 0;
  std::uint64_t kv_bytes_per_token = 0;  // one sequence, all layers, K and V, at the KV type
  std::int64_t kv_block_tokens = kKvBlockTokens;
  ModelConfig config;
  MemoryParams params;

  static MemoryModel create(const ModelConfig& config, std::uint64_t weight_bytes, const MemoryParams& params);

  // Activation, logits and attention scratch for a pass of max_batch_tokens.
  std::uint64_t compute_bytes(std::int64_t max_batch_tokens) const;
  std::uint64_t compute_bytes() const { return compute_bytes(params.max_batch_tokens); }
  // KV bytes of one sequence of `tokens` tokens, rounded up to whole blocks.
  std::uint64_t kv_bytes(std::int64_t tokens) const;
  std::uint64_t bytes_for(int n_seqs, std::int64_t tokens_per_seq) const;
  // The most sequences of tokens_per_seq that fit in budget (0 if none).
  int max_sequences(std::uint64_t budget, std::int64_t tokens_per_seq) const;
  // kResourceExhausted with the figures when bytes_for(n, t) > budget
  // (budget 0 means no limit).
  core::Status check_fits(int n_seqs, std::int64_t tokens_per_seq, std::uint64_t budget) const;
};

// "1.25 GiB", "3.0 MiB", "512 B".
std::string format_bytes(std::uint64_t bytes);

}  // namespace greenroute::engine::model
