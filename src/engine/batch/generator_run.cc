// Generator::run_to_completion: a whole batch of requests, collected into results.
#include <unordered_map>

#include "greenroute/engine/batch/generator.h"

namespace greenroute::engine::batch {

core::Result<std::vector<GenerationResult>> Generator::run_to_completion(std::vector<GenerationRequest> requests,
                                                                         int max_batch) {
  if (max_batch < 1) return core::invalid_argument("max_batch must be >= 1");
  if (!idle()) return core::invalid_argument("run_to_completion() needs an idle generator");
  const int saved_max_active = max_active_;
  set_max_active(max_batch);

  std::vector<GenerationResult> results(requests.size());
  std::unordered_map<RequestId, std::size_t> index;
  std::vector<std::int64_t> submit_ns(requests.size());
  std::vector<std::int64_t> first_ns(requests.size(), -1);
  core::Status failure;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    results[i].prompt_tokens = static_cast<int>(requests[i].prompt.size());
    submit_ns[i] = clock_.now_ns();
    auto id = submit(std::move(requests[i]));
    if (!id.is_ok()) {
      failure = id.status().with_context("request " + std::to_string(i));
      break;
    }
    results[i].id = *id;
    index.emplace(*id, i);
  }
  if (!failure.is_ok()) {
    for (const auto& [id, i] : index) (void)cancel(id);
  }

  std::vector<TokenEvent> events;
  while (!idle()) {
    events.clear();
    core::Status st = step(events);
    if (!st.is_ok()) {
      max_active_ = saved_max_active;
      return st;
    }
    const std::int64_t now = clock_.now_ns();
    for (TokenEvent& ev : events) {
      const std::size_t i = index.at(ev.id);
      GenerationResult& r = results[i];
      if (ev.token >= 0) {
        if (first_ns[i] < 0) first_ns[i] = now;
        r.tokens.push_back(ev.token);
        r.logprobs.push_back(ev.logprob);
        r.top_logprobs.push_back(std::move(ev.top_logprobs));
      }
      r.text += ev.text_delta;
      if (ev.finished) {
        r.reason = ev.reason;
        r.total_ms = static_cast<double>(now - submit_ns[i]) * 1e-6;
        r.ttft_ms = first_ns[i] >= 0 ? static_cast<double>(first_ns[i] - submit_ns[i]) * 1e-6 : r.total_ms;
      }
    }
  }
  max_active_ = saved_max_active;
  if (!failure.is_ok()) return failure;
  return results;
}

}  // namespace greenroute::engine::batch
