// Continuous batching: admission, one mixed prefill/decode pass per step,
// per-sequence sampling and stop conditions.
#include "greenroute/engine/batch/generator.h"

#include <algorithm>
#include <span>
#include <string>

#include "batch/stop_text.h"

namespace greenroute::engine::batch {

struct Generator::Active {
  Active(RequestId id_in, GenerationRequest req_in)
      : id(id_in), req(std::move(req_in)), sampler(req.sampling), text(req.stop) {
    history.reserve(req.prompt.size() + static_cast<std::size_t>(req.max_tokens));
    history = req.prompt;
  }
  RequestId id;
  GenerationRequest req;
  sampling::Sampler sampler;
  StopText text;
  std::vector<std::int32_t> history;  // prompt + generated tokens
  int seq = -1;
  std::int64_t prefilled = 0;         // prompt tokens already in the KV cache
  std::int64_t chunk_tokens = 0;      // tokens this step feeds
  std::int32_t pending = -1;          // sampled token not yet fed back
  int n_generated = 0;
  bool cancelled = false;
  bool done = false;
};

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kNone: return "none";
    case FinishReason::kStop: return "stop";
    case FinishReason::kEos: return "eos";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

// KV positions a request may come to hold.
std::int64_t reserved_tokens(const GenerationRequest& r, std::int64_t n_ctx) {
  return std::min<std::int64_t>(static_cast<std::int64_t>(r.prompt.size()) + r.max_tokens, n_ctx);
}

}  // namespace

Generator::Generator(context::Context& ctx, const core::Clock& clock)
    : ctx_(ctx), clock_(clock), max_active_(ctx.params().max_sequences) {
  chunks_.reserve(static_cast<std::size_t>(max_active_));
  chunk_owner_.reserve(static_cast<std::size_t>(max_active_));
}

Generator::~Generator() {
  for (auto& a : active_) ctx_.remove_sequence(a->seq);
}

void Generator::set_max_active(int n) { max_active_ = std::clamp(n, 1, ctx_.params().max_sequences); }

bool Generator::idle() const { return waiting_.empty() && active_.empty() && cancelled_waiting_.empty(); }

std::size_t Generator::running() const { return active_.size(); }

core::Result<RequestId> Generator::submit(GenerationRequest request) {
  const std::int64_t n_ctx = ctx_.params().n_ctx;
  const std::int64_t n_vocab = ctx_.n_vocab();
  if (request.prompt.empty()) return core::invalid_argument("the prompt is empty");
  if (static_cast<std::int64_t>(request.prompt.size()) > n_ctx) {
    return core::invalid_argument("prompt of " + std::to_string(request.prompt.size()) +
                                  " tokens exceeds the context of " + std::to_string(n_ctx));
  }
  for (std::size_t i = 0; i < request.prompt.size(); ++i) {
    const std::int32_t t = request.prompt[i];
    if (t < 0 || t >= n_vocab) {
      return core::invalid_argument("prompt token " + std::to_string(t) + " at index " + std::to_string(i) +
                                    " is outside the vocabulary [0, " + std::to_string(n_vocab) + ")");
    }
  }
  if (request.max_tokens < 1) return core::invalid_argument("max_tokens must be >= 1");
  if (request.logprobs < 0 || request.logprobs > n_vocab) {
    return core::invalid_argument("logprobs must be in [0, " + std::to_string(n_vocab) + "]");
  }
  for (const std::string& s : request.stop) {
    if (s.empty()) return core::invalid_argument("stop strings must not be empty");
  }
  GR_RETURN_IF_ERROR(request.sampling.validate());
  const std::uint64_t limit = ctx_.params().memory_limit_bytes;
  GR_RETURN_IF_ERROR(ctx_.memory_model().check_fits(1, reserved_tokens(request, n_ctx), limit));

  const RequestId id = next_id_++;
  waiting_.push_back(std::make_unique<Active>(id, std::move(request)));
  return id;
}

core::Status Generator::cancel(RequestId id) {
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if ((*it)->id == id) {
      cancelled_waiting_.push_back(std::move(*it));
      waiting_.erase(it);
      return core::Status::ok();
    }
  }
  for (auto& a : active_) {
    if (a->id == id) {
      a->cancelled = true;
      return core::Status::ok();
    }
  }
  return core::not_found("no pending request with id " + std::to_string(id));
}

core::Status Generator::admit() {
  const std::uint64_t limit = ctx_.params().memory_limit_bytes;
  const model::MemoryModel& mm = ctx_.memory_model();
  const std::int64_t n_ctx = ctx_.params().n_ctx;
  std::uint64_t kv_reserved = 0;
  for (const auto& a : active_) kv_reserved += mm.kv_bytes(reserved_tokens(a->req, n_ctx));
  while (!waiting_.empty() && static_cast<int>(active_.size()) < max_active_) {
    Active& next = *waiting_.front();
    const std::uint64_t need = mm.kv_bytes(reserved_tokens(next.req, n_ctx));
    if (limit != 0 && mm.weight_bytes + mm.compute_bytes() + kv_reserved + need > limit) break;
    GR_ASSIGN_OR_RETURN(next.seq, ctx_.add_sequence());
    kv_reserved += need;
    active_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  return core::Status::ok();
}

core::Status Generator::step(std::vector<TokenEvent>& events) {
  for (auto& a : cancelled_waiting_) {
    TokenEvent ev;
    ev.id = a->id;
    ev.finished = true;
    ev.reason = FinishReason::kCancelled;
    events.push_back(std::move(ev));
  }
  cancelled_waiting_.clear();
  for (auto& a : active_) {
    if (!a->cancelled) continue;
    TokenEvent ev;
    ev.id = a->id;
    ev.finished = true;
    ev.reason = FinishReason::kCancelled;
    events.push_back(std::move(ev));
    a->done = true;
  }
  auto remove_done = [&]() {
    for (auto& a : active_) {
      if (a->done) ctx_.remove_sequence(a->seq);
    }
    std::erase_if(active_, [](const std::unique_ptr<Active>& a) { return a->done; });
  };
  remove_done();

  GR_RETURN_IF_ERROR(admit());
  if (active_.empty()) return core::Status::ok();

  // One decode token per running sequence, then prefill chunks in the budget left.
  chunks_.clear();
  chunk_owner_.clear();
  std::int64_t budget = ctx_.params().max_batch_tokens;
  for (auto& a : active_) {
    a->chunk_tokens = 0;
    if (a->pending < 0) continue;
    chunks_.push_back({a->seq, std::span<const std::int32_t>(&a->pending, 1)});
    chunk_owner_.push_back(a.get());
    a->chunk_tokens = 1;
    --budget;
  }
  for (auto& a : active_) {
    if (a->pending >= 0 || budget <= 0) continue;
    const auto prompt_len = static_cast<std::int64_t>(a->req.prompt.size());
    const std::int64_t take = std::min(prompt_len - a->prefilled, budget);
    chunks_.push_back({a->seq, std::span<const std::int32_t>(a->req.prompt.data() + a->prefilled,
                                                             static_cast<std::size_t>(take))});
    chunk_owner_.push_back(a.get());
    a->chunk_tokens = take;
    budget -= take;
  }
  if (chunks_.empty()) return core::Status::ok();

  GR_RETURN_IF_ERROR(ctx_.decode(chunks_, logits_));

  const auto n_vocab = static_cast<std::size_t>(ctx_.n_vocab());
  for (std::size_t i = 0; i < chunks_.size(); ++i) {
    Active& a = *chunk_owner_[i];
    if (a.pending < 0) {
      a.prefilled += a.chunk_tokens;
      if (a.prefilled < static_cast<std::int64_t>(a.req.prompt.size())) continue;  // prompt not done yet
    }
    handle_token(a, logits_.data() + i * n_vocab, events);
  }
  remove_done();
  return core::Status::ok();
}

void Generator::handle_token(Active& a, const float* logits, std::vector<TokenEvent>& events) {
  const vocab::Tokenizer& tok = ctx_.model().tokenizer();
  const std::span<const float> row(logits, static_cast<std::size_t>(ctx_.n_vocab()));
  const std::int32_t t = a.sampler.sample(row, a.history);
  sampling::LogprobInfo lp = sampling::compute_logprobs(row, t, a.req.logprobs);
  a.history.push_back(t);
  ++a.n_generated;

  TokenEvent ev;
  ev.id = a.id;
  ev.token = t;
  ev.logprob = lp.chosen_logprob;
  ev.top_logprobs = std::move(lp.top);
  if (!a.req.ignore_eos && tok.is_eog(t)) {
    finish(a, FinishReason::kEos, events, &ev);
    return;
  }
  ev.text_delta = a.text.push(tok.token_to_piece(t));
  if (a.text.stopped()) {
    finish(a, FinishReason::kStop, events, &ev);
  } else if (a.n_generated >= a.req.max_tokens || ctx_.sequence_length(a.seq) + 1 > ctx_.params().n_ctx) {
    // Feeding the token back needs one more KV position.
    finish(a, FinishReason::kLength, events, &ev);
  } else {
    a.pending = t;
    events.push_back(std::move(ev));
  }
}

void Generator::finish(Active& a, FinishReason reason, std::vector<TokenEvent>& events, TokenEvent* ev) {
  if (reason != FinishReason::kStop) ev->text_delta += a.text.flush();
  ev->finished = true;
  ev->reason = reason;
  a.done = true;
  events.push_back(std::move(*ev));
}

}  // namespace greenroute::engine::batch
