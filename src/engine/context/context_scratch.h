// The Context's preallocated working memory (sizes in context.cc's init(),
// kept in step with model::MemoryModel::compute_bytes()).
#pragma once

#include <cstdint>
#include <vector>

#include "context/ops.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::context {

struct Context::Scratch {
  // Activations, one row per batch token (T = max_batch_tokens):
  std::vector<float> x;     // [T, n_embd]   residual stream
  std::vector<float> cur;   // [T, n_embd]   normed input / projection output
  std::vector<float> q;     // [T, n_embd_q]
  std::vector<float> k;     // [T, n_embd_kv]
  std::vector<float> v;     // [T, n_embd_kv]
  std::vector<float> attn;  // [T, n_embd_q]  attention output
  std::vector<float> gate;  // [T, n_ff]
  std::vector<float> up;    // [T, n_ff]
  quant::MatmulScratch mm;
  // Per thread (index = pool thread):
  std::vector<float> scores;         // [n_threads, n_ctx]
  std::vector<std::uint16_t> q16;    // [n_threads, head_dim]
  std::vector<float> acc;            // [n_threads, head_dim]
  std::vector<float> rope;           // [n_threads, head_dim] (cos, sin for n_rot/2 pairs)
  std::vector<float> f16_table;      // 65536 entries
  std::vector<std::uint8_t> seen;    // [max_sequences] duplicate check in decode()
  std::vector<std::int64_t> out_rows;  // [max_sequences] rows kept for the output
  RopeParams rope_params;
};

}  // namespace greenroute::engine::context
