// Log-probabilities as the OpenAI API reports them (`logprobs`,
// `top_logprobs`): the log-softmax of the model's raw logits, before any
// penalty, temperature or filter, so they describe the model, not the sampler.
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace greenroute::engine::sampling {

struct TokenLogprob {
  std::int32_t token = 0;
  float logprob = 0.0f;
};

struct LogprobInfo {
  float chosen_logprob = 0.0f;
  std::vector<TokenLogprob> top;  // descending logprob, ties by lower id
};

// Log-softmax of raw_logits (computed stably in double), the chosen token's
// value and the top_k best (top_k clamped to [0, raw_logits.size()]).
// Precondition: raw_logits not empty, chosen in [0, raw_logits.size()).
LogprobInfo compute_logprobs(std::span<const float> raw_logits, std::int32_t chosen, int top_k);

}  // namespace greenroute::engine::sampling
