// Generator: continuous batching of generation requests on one Context.
//
// Each step() is one engine iteration: waiting requests are admitted while
// sequence slots, max_active and the memory model allow (so requests join
// between steps); then ONE forward pass evaluates a decode token for every
// running sequence together with prefill chunks of newly admitted ones (at
// most max_batch_tokens in all); then each sequence samples with its own
// Sampler and checks end-of-generation, max_tokens, the context end and stop
// strings. Finished sequences leave and free their KV at once.
//
// Stop strings are matched on the detokenized text; the stop string and what
// follows are excluded from the text (as OpenAI does), and text that might
// begin a stop string, or an incomplete UTF-8 character, is held back from
// text_delta until it is resolved.
//
// Thread contract: single-owner, like the Context it drives. The clock must
// be safe to read from the owning thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/engine/sampling/logprobs.h"
#include "greenroute/engine/sampling/sampler.h"

namespace greenroute::engine::batch {

using RequestId = std::uint64_t;

enum class FinishReason {
  kNone,       // still running
  kStop,       // a stop string matched
  kEos,        // the model produced an end-of-generation token
  kLength,     // max_tokens reached, or the context is full
  kCancelled,  // cancel() was called
};

std::string_view finish_reason_name(FinishReason reason);  // "stop", "eos", "length", "cancelled"

struct GenerationRequest {
  std::vector<std::int32_t> prompt;   // token ids (BOS included if wanted)
  sampling::SamplingParams sampling;
  int max_tokens = 16;
  std::vector<std::string> stop;
  int logprobs = 0;                   // top-K alternatives per token; 0 = none
  bool ignore_eos = false;
};

struct TokenEvent {
  RequestId id = 0;
  std::int32_t token = -1;            // -1 for an event that carries no token (cancel)
  std::string text_delta;             // text released by this token
  float logprob = 0.0f;               // of the chosen token, under the raw logits
  std::vector<sampling::TokenLogprob> top_logprobs;
  bool finished = false;
  FinishReason reason = FinishReason::kNone;
};

struct GenerationResult {
  RequestId id = 0;
  int prompt_tokens = 0;
  std::vector<std::int32_t> tokens;   // generated ids (an EOG token included)
  std::string text;
  FinishReason reason = FinishReason::kNone;
  double ttft_ms = 0.0;               // submit -> first generated token
  double total_ms = 0.0;              // submit -> finish
  std::vector<float> logprobs;        // per generated token
  std::vector<std::vector<sampling::TokenLogprob>> top_logprobs;
};

class Generator {
 public:
  // ctx and clock must outlive the generator, which takes over all of ctx's
  // sequence slots (do not add sequences to ctx behind its back).
  Generator(context::Context& ctx, const core::Clock& clock);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Validates and queues a request: an empty prompt, a prompt that leaves no
  // room in the context, bad sampling values or max_tokens < 1 are
  // kInvalidArgument; a request that could never fit the memory limit even
  // alone is kResourceExhausted with the figures.
  core::Result<RequestId> submit(GenerationRequest request);
  // Finishes a waiting or running request; its final event (reason
  // kCancelled) comes from the next step(). kNotFound for an unknown id.
  core::Status cancel(RequestId id);

  // No request waiting or running.
  bool idle() const;
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t running() const;

  // Caps the number of sequences decoded together (<= the context's).
  void set_max_active(int n);
  int max_active() const { return max_active_; }

  // One engine iteration; appends this step's events.
  core::Status step(std::vector<TokenEvent>& events);

  // Submits all requests, steps until done with at most max_batch running
  // together, and returns one result per request, in order.
  core::Result<std::vector<GenerationResult>> run_to_completion(std::vector<GenerationRequest> requests,
                                                                int max_batch);

 private:
  struct Active;
  core::Status admit();
  void finish(Active& a, FinishReason reason, std::vector<TokenEvent>& events, TokenEvent* ev);
  void handle_token(Active& a, const float* logits, std::vector<TokenEvent>& events);

  context::Context& ctx_;
  const core::Clock& clock_;
  int max_active_;
  RequestId next_id_ = 1;
  std::deque<std::unique_ptr<Active>> waiting_;
  std::vector<std::unique_ptr<Active>> active_;
  std::vector<std::unique_ptr<Active>> cancelled_waiting_;  // reported by the next step()
  // Reused per step.
  std::vector<context::SequenceChunk> chunks_;
  std::vector<Active*> chunk_owner_;
  std::vector<float> logits_;
};

}  // namespace greenroute::engine::batch
