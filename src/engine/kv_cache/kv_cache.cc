// Block-allocated per-sequence KV storage.
#include "greenroute/engine/kv_cache/kv_cache.h"

#include <string>

#include "greenroute/core/check.h"

namespace greenroute::engine::kv_cache {

core::Result<std::unique_ptr<KvCache>> KvCache::create(const KvCacheConfig& config) {
  if (config.type != quant::GgmlType::kF16 && config.type != quant::GgmlType::kF32) {
    return core::unsupported("KV cache type " + std::string(quant::type_name(config.type)) +
                             " is not supported (use f16 or f32)");
  }
  if (config.n_layer <= 0 || config.n_embd_kv <= 0 || config.n_ctx <= 0 || config.max_sequences <= 0 ||
      config.block_tokens <= 0) {
    return core::invalid_argument("KV cache dimensions must be positive");
  }
  return std::unique_ptr<KvCache>(new KvCache(config));
}

KvCache::KvCache(const KvCacheConfig& config)
    : config_(config),
      elt_(config.type == quant::GgmlType::kF16 ? 2 : 4),
      row_bytes_(static_cast<std::uint64_t>(config.n_embd_kv) * elt_),
      block_bytes_(static_cast<std::uint64_t>(config.n_layer) * 2 *
                   static_cast<std::uint64_t>(config.block_tokens) * row_bytes_),
      seqs_(static_cast<std::size_t>(config.max_sequences)) {}

core::Result<int> KvCache::add_sequence() {
  for (std::size_t i = 0; i < seqs_.size(); ++i) {
    if (!seqs_[i].live) {
      seqs_[i].live = true;
      seqs_[i].length = 0;
      return static_cast<int>(i);
    }
  }
  return core::resource_exhausted("all " + std::to_string(seqs_.size()) + " sequence slots are in use");
}

void KvCache::remove_sequence(int seq) {
  if (!is_live(seq)) return;
  Sequence& s = seqs_[static_cast<std::size_t>(seq)];
  for (std::uint8_t* b : s.blocks) free_blocks_.push_back(b);
  s.blocks.clear();
  s.live = false;
  s.length = 0;
}

bool KvCache::is_live(int seq) const {
  return seq >= 0 && static_cast<std::size_t>(seq) < seqs_.size() && seqs_[static_cast<std::size_t>(seq)].live;
}

int KvCache::live_sequences() const {
  int n = 0;
  for (const Sequence& s : seqs_) n += s.live ? 1 : 0;
  return n;
}

std::int64_t KvCache::length(int seq) const {
  return is_live(seq) ? seqs_[static_cast<std::size_t>(seq)].length : 0;
}

core::Status KvCache::reserve(int seq, std::int64_t n) {
  if (!is_live(seq)) return core::invalid_argument("sequence " + std::to_string(seq) + " does not exist");
  Sequence& s = seqs_[static_cast<std::size_t>(seq)];
  const std::int64_t need = s.length + n;
  if (need > config_.n_ctx) {
    return core::resource_exhausted("sequence " + std::to_string(seq) + " would reach " + std::to_string(need) +
                                    " tokens, exceeding the context of " + std::to_string(config_.n_ctx));
  }
  const auto need_blocks = static_cast<std::size_t>((need + config_.block_tokens - 1) / config_.block_tokens);
  while (s.blocks.size() < need_blocks) {
    if (!free_blocks_.empty()) {
      s.blocks.push_back(free_blocks_.back());
      free_blocks_.pop_back();
      continue;
    }
    if (config_.max_bytes != 0 && (n_blocks_allocated_ + 1) * block_bytes_ > config_.max_bytes) {
      return core::resource_exhausted("KV cache is full: " + model::format_bytes(allocated_bytes()) +
                                      " allocated of a " + model::format_bytes(config_.max_bytes) +
                                      " limit; sequence " + std::to_string(seq) + " needs " +
                                      std::to_string(need) + " positions");
    }
    storage_.push_back(std::make_unique<std::uint8_t[]>(block_bytes_));
    ++n_blocks_allocated_;
    s.blocks.push_back(storage_.back().get());
  }
  return core::Status::ok();
}

void KvCache::set_length(int seq, std::int64_t length) {
  GR_CHECK(is_live(seq));
  Sequence& s = seqs_[static_cast<std::size_t>(seq)];
  GR_CHECK(length >= 0 && length <= static_cast<std::int64_t>(s.blocks.size()) * config_.block_tokens);
  s.length = length;
}

std::uint64_t KvCache::used_bytes() const {
  std::uint64_t n = 0;
  for (const Sequence& s : seqs_) n += s.blocks.size();
  return n * block_bytes_;
}

}  // namespace greenroute::engine::kv_cache
