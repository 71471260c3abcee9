// Memory figures for admission control; must agree with what Context and
// KvCache actually allocate (context.cc sizes its scratch from the same terms).
#include "greenroute/engine/model/memory_model.h"

#include <algorithm>
#include <cstdio>

namespace greenroute::engine::model {

MemoryModel MemoryModel::create(const ModelConfig& config, std::uint64_t weight_bytes,
                                const MemoryParams& params) {
  MemoryModel m;
  m.weight_bytes = weight_bytes;
  m.config = config;
  m.params = params;
  const std::uint64_t elt = quant::traits(params.kv_type).type_size;
  m.kv_bytes_per_token = static_cast<std::uint64_t>(config.n_layer) * 2 *
                         static_cast<std::uint64_t>(config.n_embd_kv()) * elt;
  return m;
}

std::uint64_t MemoryModel::compute_bytes(std::int64_t max_batch_tokens) const {
  const auto t = static_cast<std::uint64_t>(std::max<std::int64_t>(max_batch_tokens, 1));
  const auto& c = config;
  // Per batch token: x, cur (n_embd each), q and attention output (n_embd_q
  // each), k and v (n_embd_kv each), gate and up (n_ff each), as f32.
  const std::uint64_t per_token_floats = static_cast<std::uint64_t>(
      2 * c.n_embd + 2 * c.n_embd_q() + 2 * c.n_embd_kv() + 2 * c.n_ff);
  // Matmul activation conversion: at most 2 bytes per element of the widest input.
  const std::uint64_t conv = t * static_cast<std::uint64_t>(std::max({c.n_embd, c.n_ff, c.n_embd_q()})) * 2;
  const auto outputs = static_cast<std::uint64_t>(std::max(params.max_outputs, 1));
  const std::uint64_t logits = outputs * static_cast<std::uint64_t>(c.n_vocab) * 4;
  // Per thread: attention scores over the context, an f16 query, an f32
  // accumulator and the RoPE factors.
  const std::uint64_t per_thread = static_cast<std::uint64_t>(params.n_ctx) * 4 +
                                   static_cast<std::uint64_t>(c.head_dim) * (2 + 4 + 4);
  // The fp16 -> fp32 table, and per-output bookkeeping.
  const std::uint64_t fixed = 65536 * 4 + outputs * (1 + 8);
  return t * per_token_floats * 4 + conv + logits + fixed +
         static_cast<std::uint64_t>(std::max(params.n_threads, 1)) * per_thread;
}

std::uint64_t MemoryModel::kv_bytes(std::int64_t tokens) const {
  if (tokens <= 0) return 0;
  const std::int64_t blocks = (tokens + kv_block_tokens - 1) / kv_block_tokens;
  return static_cast<std::uint64_t>(blocks * kv_block_tokens) * kv_bytes_per_token;
}

std::uint64_t MemoryModel::bytes_for(int n_seqs, std::int64_t tokens_per_seq) const {
  return weight_bytes + static_cast<std::uint64_t>(std::max(n_seqs, 0)) * kv_bytes(tokens_per_seq) +
         compute_bytes();
}

int MemoryModel::max_sequences(std::uint64_t budget, std::int64_t tokens_per_seq) const {
  const std::uint64_t fixed = weight_bytes + compute_bytes();
  if (budget < fixed) return 0;
  const std::uint64_t per_seq = kv_bytes(tokens_per_seq);
  if (per_seq == 0) return 1 << 30;
  const std::uint64_t n = (budget - fixed) / per_seq;
  return static_cast<int>(std::min<std::uint64_t>(n, 1 << 30));
}

core::Status MemoryModel::check_fits(int n_seqs, std::int64_t tokens_per_seq, std::uint64_t budget) const {
  if (budget == 0) return core::Status::ok();
  const std::uint64_t need = bytes_for(n_seqs, tokens_per_seq);
  if (need <= budget) return core::Status::ok();
  const std::uint64_t kv = static_cast<std::uint64_t>(std::max(n_seqs, 0)) * kv_bytes(tokens_per_seq);
  return core::resource_exhausted(
      "batch of " + std::to_string(n_seqs) + (n_seqs == 1 ? " sequence" : " sequences") + " x " +
      std::to_string(tokens_per_seq) + " tokens needs " + format_bytes(need) + " (weights " +
      format_bytes(weight_bytes) + " + KV " + format_bytes(kv) + " + compute " + format_bytes(compute_bytes()) +
      ") but the memory limit is " + format_bytes(budget) + "; at most " +
      std::to_string(max_sequences(budget, tokens_per_seq)) + " fit");
}

std::string format_bytes(std::uint64_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (bytes >= (std::uint64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024.0 * 1024.0));
  } else if (bytes >= (std::uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024.0));
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%.2f KiB", b / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

}  // namespace greenroute::engine::model
