// Context: runs the llama-family forward pass for many sequences at once.
//
// decode() evaluates the tokens of several sequences in ONE forward pass:
// every weight matmul runs over all the batch's tokens together (what makes
// batching cheap), attention runs per (sequence, head) on the thread pool, and
// logits are computed only for the last token of each chunk. Numerics follow
// llama.cpp's CPU backend (flash attention off): K and V are stored in F16 by
// default, the query is rounded to F16 for the K dot, softmax is f32 with a
// double sum, and the probabilities are rounded to F16 for the V product.
//
// All scratch is preallocated in create() for max_batch_tokens, so decoding
// does not allocate per token (the KV cache grows by whole blocks).
//
// Thread contract: single-owner. One thread calls every method; the Context
// uses its own thread pool inside decode().
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/kv_cache/kv_cache.h"
#include "greenroute/engine/model/memory_model.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::context {

struct ContextParams {
  int n_threads = 0;               // 0 = core::ThreadPool::default_threads()
  std::int64_t n_ctx = 0;          // max tokens per sequence; 0 = min(n_ctx_train, 4096)
  int max_sequences = 1;
  quant::GgmlType kv_type = quant::GgmlType::kF16;  // or kF32
  std::uint64_t memory_limit_bytes = 0;             // 0 = no limit
  std::int64_t max_batch_tokens = 512;              // tokens per forward pass
};

// Tokens to append to one sequence.
struct SequenceChunk {
  int seq = 0;
  std::span<const std::int32_t> tokens;
};

class Context {
 public:
  // The model must outlive the context. Fails with kResourceExhausted when the
  // weights and scratch alone exceed memory_limit_bytes.
  static core::Result<std::unique_ptr<Context>> create(const model::Model& model, const ContextParams& params);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const model::Model& model() const { return model_; }
  const ContextParams& params() const { return params_; }  // with defaults resolved
  const model::MemoryModel& memory_model() const { return memory_; }
  std::int64_t n_vocab() const { return model_.config().n_vocab; }

  // A new empty sequence (kResourceExhausted when max_sequences are live).
  core::Result<int> add_sequence();
  void remove_sequence(int seq);
  std::int64_t sequence_length(int seq) const;
  int live_sequences() const;
  std::uint64_t kv_allocated_bytes() const { return kv_->allocated_bytes(); }

  // Appends each chunk's tokens to its sequence and returns, in `logits`,
  // n_vocab floats for the LAST token of each chunk, in chunk order. Chunks
  // must name distinct live sequences and hold at least one token. More than
  // max_batch_tokens tokens are split into several passes. On error nothing
  // is appended.
  core::Status decode(std::span<const SequenceChunk> chunks, std::vector<float>& logits);

 // One span of a chunk evaluated in a pass (public for the kernels' helpers).
  struct Piece {
    int seq;
    const std::int32_t* tokens;
    std::int64_t n;
    std::int64_t pos0;      // position of tokens[0] in the sequence
    std::int64_t row0;      // first row in the pass's activations
    std::int64_t out_row;   // logits row, or -1 when not the chunk's last piece
  };

 private:
  struct Scratch;
  struct AttentionArgs;

  Context(const model::Model& model, const ContextParams& params);
  core::Status init();
  void forward(std::span<const Piece> pieces, std::int64_t n_tokens, std::int64_t n_out, float* logits_out);
  void attention(std::span<const Piece> pieces, std::int64_t il);
  void attention_task(const AttentionArgs& a, std::size_t task, int thread);
  void store_kv(std::span<const Piece> pieces, std::int64_t il);

  const model::Model& model_;
  ContextParams params_;
  model::MemoryModel memory_;
  std::unique_ptr<core::ThreadPool> pool_;
  std::unique_ptr<kv_cache::KvCache> kv_;
  std::unique_ptr<Scratch> s_;
  std::vector<Piece> pieces_;  // reused between passes
};

}  // namespace greenroute::engine::context
