// KvCache: per-sequence storage of attention keys and values.
//
// Each sequence owns a list of blocks of kKvBlockTokens positions; a block
// holds, for every layer, K rows then V rows ([block_tokens, n_embd_kv] each,
// F16 or F32). Blocks are allocated as a sequence grows, so memory follows
// actual use, up to a hard cap (max_bytes); blocks of removed sequences go to
// a free list and are reused without reallocation. Sequence slots are reused.
//
// Thread contract: single-owner (the Context). During a forward pass, worker
// threads read and write rows of distinct (sequence, position) concurrently;
// no structural change (reserve/add/remove) may run then.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/model/memory_model.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::kv_cache {

struct KvCacheConfig {
  std::int64_t n_layer = 0;
  std::int64_t n_embd_kv = 0;  // n_head_kv * head_dim
  quant::GgmlType type = quant::GgmlType::kF16;  // kF16 or kF32
  std::int64_t n_ctx = 0;      // longest sequence
  int max_sequences = 1;
  std::uint64_t max_bytes = 0;  // cap on block memory; 0 = only n_ctx * max_sequences
  std::int64_t block_tokens = model::kKvBlockTokens;
};

class KvCache {
 public:
  static core::Result<std::unique_ptr<KvCache>> create(const KvCacheConfig& config);

  const KvCacheConfig& config() const { return config_; }
  std::size_t element_size() const { return elt_; }

  // A free sequence slot, or kResourceExhausted when max_sequences are live.
  core::Result<int> add_sequence();
  // Frees the sequence's blocks (kept for reuse). No-op for an unknown id.
  void remove_sequence(int seq);
  bool is_live(int seq) const;
  int live_sequences() const;
  std::int64_t length(int seq) const;

  // Makes room for n more positions of `seq` (allocating blocks), without
  // changing its length. kResourceExhausted past n_ctx or the byte cap.
  core::Status reserve(int seq, std::int64_t n);
  // Sets the length after rows up to it have been written (<= reserved).
  void set_length(int seq, std::int64_t length);

  // Row of K or V for (seq, layer, pos); pos must be reserved.
  std::uint8_t* k_row(int seq, std::int64_t layer, std::int64_t pos) {
    return row(seq, layer, pos, 0);
  }
  std::uint8_t* v_row(int seq, std::int64_t layer, std::int64_t pos) {
    return row(seq, layer, pos, 1);
  }
  const std::uint8_t* k_row(int seq, std::int64_t layer, std::int64_t pos) const {
    return const_cast<KvCache*>(this)->row(seq, layer, pos, 0);
  }
  const std::uint8_t* v_row(int seq, std::int64_t layer, std::int64_t pos) const {
    return const_cast<KvCache*>(this)->row(seq, layer, pos, 1);
  }

  // Bytes held in blocks (in use plus free list).
  std::uint64_t allocated_bytes() const { return n_blocks_allocated_ * block_bytes_; }
  std::uint64_t used_bytes() const;
  std::uint64_t block_bytes() const { return block_bytes_; }

 private:
  struct Sequence {
    bool live = false;
    std::int64_t length = 0;
    std::vector<std::uint8_t*> blocks;
  };

  explicit KvCache(const KvCacheConfig& config);
  // Inline: the attention loop calls this for every cached position.
  std::uint8_t* row(int seq, std::int64_t layer, std::int64_t pos, int kv) {
    const Sequence& s = seqs_[static_cast<std::size_t>(seq)];
    std::uint8_t* block = s.blocks[static_cast<std::size_t>(pos / config_.block_tokens)];
    const auto off = static_cast<std::uint64_t>(pos % config_.block_tokens);
    const auto slab = static_cast<std::uint64_t>(layer) * 2 + static_cast<std::uint64_t>(kv);
    return block + (slab * static_cast<std::uint64_t>(config_.block_tokens) + off) * row_bytes_;
  }

  KvCacheConfig config_;
  std::size_t elt_ = 0;
  std::uint64_t row_bytes_ = 0;
  std::uint64_t block_bytes_ = 0;
  std::uint64_t n_blocks_allocated_ = 0;
  std::vector<Sequence> seqs_;
  std::vector<std::unique_ptr<std::uint8_t[]>> storage_;  // every block ever allocated
  std::vector<std::uint8_t*> free_blocks_;
};

}  // namespace greenroute::engine::kv_cache
