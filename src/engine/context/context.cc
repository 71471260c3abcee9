// Context: parameters, sequences, and splitting decode() calls into passes.
#include "greenroute/engine/context/context.h"

#include <algorithm>
#include <string>

#include "context/context_scratch.h"

namespace greenroute::engine::context {

Context::Context(const model::Model& model, const ContextParams& params)
    : model_(model), params_(params), s_(std::make_unique<Scratch>()) {}

Context::~Context() = default;

core::Result<std::unique_ptr<Context>> Context::create(const model::Model& model, const ContextParams& params) {
  ContextParams p = params;
  const model::ModelConfig& c = model.config();
  if (p.n_threads < 0) return core::invalid_argument("n_threads must be >= 0");
  if (p.n_threads == 0) p.n_threads = core::ThreadPool::default_threads();
  if (p.n_ctx < 0) return core::invalid_argument("n_ctx must be >= 0");
  if (p.n_ctx == 0) p.n_ctx = std::min<std::int64_t>(c.n_ctx_train, 4096);
  if (p.max_sequences < 1) return core::invalid_argument("max_sequences must be >= 1");
  if (p.max_batch_tokens < 1) return core::invalid_argument("max_batch_tokens must be >= 1");
  if (p.kv_type != quant::GgmlType::kF16 && p.kv_type != quant::GgmlType::kF32) {
    return core::unsupported("KV cache type " + std::string(quant::type_name(p.kv_type)) +
                             " is not supported (use f16 or f32)");
  }
  std::unique_ptr<Context> ctx(new Context(model, p));
  GR_RETURN_IF_ERROR(ctx->init());
  return ctx;
}

core::Status Context::init() {
  const model::ModelConfig& c = model_.config();
  model::MemoryParams mp;
  mp.kv_type = params_.kv_type;
  mp.max_batch_tokens = params_.max_batch_tokens;
  mp.max_outputs = params_.max_sequences;
  mp.n_threads = params_.n_threads;
  mp.n_ctx = params_.n_ctx;
  memory_ = model_.memory_model(mp);

  kv_cache::KvCacheConfig kc;
  kc.n_layer = c.n_layer;
  kc.n_embd_kv = c.n_embd_kv();
  kc.type = params_.kv_type;
  kc.n_ctx = params_.n_ctx;
  kc.max_sequences = params_.max_sequences;
  kc.block_tokens = memory_.kv_block_tokens;
  if (params_.memory_limit_bytes != 0) {
    const std::uint64_t fixed = memory_.weight_bytes + memory_.compute_bytes();
    const std::uint64_t one_block = memory_.kv_bytes(1);
    if (fixed + one_block > params_.memory_limit_bytes) {
      return core::resource_exhausted("the model needs " + model::format_bytes(fixed + one_block) + " (weights " +
                                      model::format_bytes(memory_.weight_bytes) + " + compute " +
                                      model::format_bytes(memory_.compute_bytes()) + " + one KV block " +
                                      model::format_bytes(one_block) + ") but the memory limit is " +
                                      model::format_bytes(params_.memory_limit_bytes));
    }
    kc.max_bytes = params_.memory_limit_bytes - fixed;
  }
  GR_ASSIGN_OR_RETURN(kv_, kv_cache::KvCache::create(kc));
  pool_ = std::make_unique<core::ThreadPool>(params_.n_threads);

  const auto t = static_cast<std::size_t>(params_.max_batch_tokens);
  const auto nt = static_cast<std::size_t>(params_.n_threads);
  const auto hd = static_cast<std::size_t>(c.head_dim);
  Scratch& s = *s_;
  s.x.resize(t * static_cast<std::size_t>(c.n_embd));
  s.cur.resize(t * static_cast<std::size_t>(c.n_embd));
  s.q.resize(t * static_cast<std::size_t>(c.n_embd_q()));
  s.k.resize(t * static_cast<std::size_t>(c.n_embd_kv()));
  s.v.resize(t * static_cast<std::size_t>(c.n_embd_kv()));
  s.attn.resize(t * static_cast<std::size_t>(c.n_embd_q()));
  s.gate.resize(t * static_cast<std::size_t>(c.n_ff));
  s.up.resize(t * static_cast<std::size_t>(c.n_ff));
  s.scores.resize(nt * static_cast<std::size_t>(params_.n_ctx));
  s.q16.resize(nt * hd);
  s.acc.resize(nt * hd);
  s.rope.resize(nt * hd);
  s.f16_table = make_f16_table();
  s.seen.resize(static_cast<std::size_t>(params_.max_sequences));
  s.out_rows.resize(static_cast<std::size_t>(params_.max_sequences));
  s.rope_params = RopeParams{c.rope_type(), c.n_rot, c.head_dim, c.rope_freq_base, c.rope_freq_scale,
                             model_.weights().rope_freqs};
  pieces_.reserve(static_cast<std::size_t>(params_.max_sequences));
  return core::Status::ok();
}

core::Result<int> Context::add_sequence() { return kv_->add_sequence(); }
void Context::remove_sequence(int seq) { kv_->remove_sequence(seq); }
std::int64_t Context::sequence_length(int seq) const { return kv_->length(seq); }
int Context::live_sequences() const { return kv_->live_sequences(); }

core::Status Context::decode(std::span<const SequenceChunk> chunks, std::vector<float>& logits) {
  if (chunks.empty()) return core::invalid_argument("decode() needs at least one chunk");
  if (chunks.size() > static_cast<std::size_t>(params_.max_sequences)) {
    return core::invalid_argument("decode() got " + std::to_string(chunks.size()) + " chunks but the context has " +
                                  std::to_string(params_.max_sequences) + " sequences");
  }
  const std::int64_t n_vocab = model_.config().n_vocab;
  std::fill(s_->seen.begin(), s_->seen.end(), std::uint8_t{0});
  for (const SequenceChunk& ch : chunks) {
    if (!kv_->is_live(ch.seq)) return core::invalid_argument("sequence " + std::to_string(ch.seq) + " does not exist");
    if (s_->seen[static_cast<std::size_t>(ch.seq)] != 0) {
      return core::invalid_argument("sequence " + std::to_string(ch.seq) + " appears twice in one decode() call");
    }
    s_->seen[static_cast<std::size_t>(ch.seq)] = 1;
    if (ch.tokens.empty()) return core::invalid_argument("chunk for sequence " + std::to_string(ch.seq) + " is empty");
    for (std::size_t i = 0; i < ch.tokens.size(); ++i) {
      if (ch.tokens[i] < 0 || ch.tokens[i] >= n_vocab) {
        return core::invalid_argument("token id " + std::to_string(ch.tokens[i]) + " at index " + std::to_string(i) +
                                      " is outside the vocabulary [0, " + std::to_string(n_vocab) + ")");
      }
    }
    const std::int64_t len = kv_->length(ch.seq);
    const auto n = static_cast<std::int64_t>(ch.tokens.size());
    if (len + n > params_.n_ctx) {
      if (len == 0) {
        return core::resource_exhausted("prompt of " + std::to_string(n) + " tokens exceeds the context of " +
                                        std::to_string(params_.n_ctx));
      }
      return core::resource_exhausted("sequence " + std::to_string(ch.seq) + " would reach " +
                                      std::to_string(len + n) + " tokens, exceeding the context of " +
                                      std::to_string(params_.n_ctx));
    }
  }
  for (const SequenceChunk& ch : chunks) {
    GR_RETURN_IF_ERROR(kv_->reserve(ch.seq, static_cast<std::int64_t>(ch.tokens.size())));
  }

  logits.resize(chunks.size() * static_cast<std::size_t>(n_vocab));
  // Split into passes of at most max_batch_tokens; a chunk may span passes,
  // and only its last piece produces logits.
  pieces_.clear();
  std::int64_t pass_tokens = 0;
  std::int64_t pass_first_out = -1;
  std::int64_t pass_n_out = 0;
  auto run_pass = [&]() {
    if (pieces_.empty()) return;
    float* out = pass_n_out > 0 ? logits.data() + pass_first_out * n_vocab : nullptr;
    forward(pieces_, pass_tokens, pass_n_out, out);
    for (const Piece& p : pieces_) kv_->set_length(p.seq, p.pos0 + p.n);
    pieces_.clear();
    pass_tokens = 0;
    pass_first_out = -1;
    pass_n_out = 0;
  };
  for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
    const SequenceChunk& ch = chunks[ci];
    const auto n = static_cast<std::int64_t>(ch.tokens.size());
    const std::int64_t base = kv_->length(ch.seq);  // run_pass() advances the length
    std::int64_t done = 0;
    while (done < n) {
      const std::int64_t take = std::min(n - done, params_.max_batch_tokens - pass_tokens);
      const bool last = done + take == n;
      Piece p{ch.seq, ch.tokens.data() + done, take, base + done, pass_tokens,
              last ? static_cast<std::int64_t>(ci) : -1};
      if (last) {
        if (pass_first_out < 0) pass_first_out = static_cast<std::int64_t>(ci);
        ++pass_n_out;
      }
      pieces_.push_back(p);
      pass_tokens += take;
      done += take;
      if (pass_tokens == params_.max_batch_tokens) run_pass();
    }
  }
  run_pass();
  return core::Status::ok();
}

}  // namespace greenroute::engine::context
