#include "candidates.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "predict_capped.h"

namespace greenroute::routing::internal {

namespace {

// The eligibility rules, in the order they are reported. Checking them apart
// from the message keeps the common case (eligible) free of string work: this
// runs for every node of every decision.
enum class Barrier { kNone, kUnhealthy, kNoProfile, kIntensityUnknown, kBatchTooLarge, kQueueFull, kKvCache };

// Each prompt's sequence takes whole blocks: (prompt + max output) rounded up.
double kv_cache_needed(const NodeState& node, const RequestShape& request) {
  const double block = static_cast<double>(std::max<std::int64_t>(node.kv_block_tokens, 1));
  const double per_prompt = std::ceil((request.prompt_tokens + request.max_output_tokens) / block) * block;
  return request.num_prompts * per_prompt * static_cast<double>(node.kv_bytes_per_token);
}

Barrier barrier(const NodeState& node, const RequestShape& request, int max_batch) {
  if (!node.healthy) return Barrier::kUnhealthy;
  if (!node.profile) return Barrier::kNoProfile;
  if (!std::isfinite(node.g_co2_per_kwh) || node.g_co2_per_kwh < 0) return Barrier::kIntensityUnknown;
  if (request.num_prompts > max_batch) return Barrier::kBatchTooLarge;
  // The node agent's own rule: waiting + these prompts above the limit is refused.
  if (node.max_queue > 0 && node.queue.requests + request.num_prompts > node.max_queue) return Barrier::kQueueFull;
  if (node.memory_free_bytes && node.kv_bytes_per_token > 0 &&
      kv_cache_needed(node, request) > static_cast<double>(*node.memory_free_bytes)) {
    return Barrier::kKvCache;
  }
  return Barrier::kNone;
}

std::string describe(Barrier b, const NodeState& node, const RequestShape& request, int max_batch) {
  switch (b) {
    case Barrier::kNone: return {};
    case Barrier::kUnhealthy: return "unhealthy";
    case Barrier::kNoProfile: return "no device profile";
    case Barrier::kIntensityUnknown: return "grid intensity unknown";
    case Barrier::kBatchTooLarge:
      return fmt::format("{} prompts exceed max batch {}", request.num_prompts, max_batch);
    case Barrier::kQueueFull:
      return fmt::format("queue full ({} waiting, limit {})", node.queue.requests, node.max_queue);
    case Barrier::kKvCache:
      return fmt::format("needs {} of KV cache, {} free", format_bytes(kv_cache_needed(node, request)),
                         format_bytes(static_cast<double>(node.memory_free_bytes.value_or(0))));
  }
  return {};
}

}  // namespace

std::string ineligibility(const NodeState& node, const RequestShape& request, int max_batch) {
  return describe(barrier(node, request, max_batch), node, request, max_batch);
}

namespace {

// The profile's latency for the request alone, for the last few profiles
// seen (replaced round-robin).
class IsolatedLatencyCache {
 public:
  explicit IsolatedLatencyCache(const RequestShape& request) : request_(request) {}
  double get(const profile::DeviceProfile& profile) {
    for (const Entry& e : entries_) {
      if (e.profile == &profile) return e.latency_ms;
    }
    Entry& e = entries_[next_++ % entries_.size()];
    e.profile = &profile;
    e.latency_ms = profile.predict_latency_ms(request_.num_prompts, request_.prompt_tokens,
                                              request_.max_output_tokens);
    return e.latency_ms;
  }

 private:
  struct Entry {
    const profile::DeviceProfile* profile = nullptr;
    double latency_ms = 0;
  };
  const RequestShape& request_;
  std::array<Entry, 4> entries_{};
  std::size_t next_ = 0;
};

}  // namespace

std::size_t evaluate_candidates(std::span<const NodeState> nodes, const RequestShape& request,
                                std::vector<CandidatePrediction>& out, bool explain) {
  // Each element is built in place in the same pass that evaluates its node:
  // copied from a blank one, then its fields written. Measured (decision and
  // simulator benchmarks) against the alternatives: resize-then-assign adds a
  // pass value-initialising every element; emplace_back() zeroes each element
  // with a `rep stos` whose start-up cost dominates at this size; a temporary
  // moved in costs a memcpy call for its string and a store-forwarding stall.
  out.clear();
  out.reserve(nodes.size());
  const CandidatePrediction blank{};
  // Clusters have few device types: the isolated latency (same request, same
  // profile) is computed once per profile, through a tiny cache.
  IsolatedLatencyCache isolated(request);
  std::size_t eligible = 0;
  for (const NodeState& node : nodes) {
    const int max_batch = node.effective_max_batch();
    const Barrier b = barrier(node, request, max_batch);
    out.push_back(blank);
    CandidatePrediction& c = out.back();
    c.eligible = b == Barrier::kNone;
    if (!c.eligible && explain) c.why_not = describe(b, node, request, max_batch);
    if (node.profile) predict_capped_into(node, request, max_batch, isolated.get(*node.profile), c.prediction);
    c.queued_tokens = node.queued_tokens();
    if (c.eligible) ++eligible;
  }
  return eligible;
}

std::string describe_request(const RequestShape& request) {
  std::string s = fmt::format("{} prompt{} of {:g} + {:g} tokens", request.num_prompts,
                              request.num_prompts == 1 ? "" : "s", request.prompt_tokens,
                              request.max_output_tokens);
  if (request.slo_ms) s += fmt::format(", SLO {:g} ms", *request.slo_ms);
  return s;
}

Choice unavailable(PolicyKind kind, std::span<const CandidatePrediction> candidates,
                   std::span<const NodeState> nodes, const RequestShape& request) {
  constexpr std::size_t kListed = 3;  // enough to debug, bounded for 1000-node clusters
  std::string why;
  if (nodes.empty()) why = "the cluster has no nodes";
  for (std::size_t i = 0; i < nodes.size() && i < kListed; ++i) {
    if (!why.empty()) why += "; ";
    why += candidates[i].why_not.empty() ? nodes[i].name : fmt::format("{}: {}", nodes[i].name, candidates[i].why_not);
  }
  if (nodes.size() > kListed) why += fmt::format("; and {} more", nodes.size() - kListed);
  const std::string message =
      fmt::format("no healthy node can take {} ({})", describe_request(request), why);
  Choice c;
  c.reason = fmt::format("{}: {}", policy_name(kind), message);
  c.status = core::unavailable(message);
  return c;
}

Choice chosen(PolicyKind kind, std::span<const NodeState> nodes, std::size_t index,
              std::string_view why) {
  Choice c;
  c.chosen = index;
  c.reason = fmt::format("{}: {}, {}", policy_name(kind), nodes[index].name, why);
  return c;
}

std::string format_bytes(double bytes) {
  constexpr double kKiB = 1024.0;
  constexpr double kMiB = kKiB * 1024.0;
  constexpr double kGiB = kMiB * 1024.0;
  if (bytes >= kGiB) return fmt::format("{:.1f} GiB", bytes / kGiB);
  if (bytes >= kMiB) return fmt::format("{:.1f} MiB", bytes / kMiB);
  if (bytes >= kKiB) return fmt::format("{:.1f} KiB", bytes / kKiB);
  return fmt::format("{:.0f} B", bytes);
}

}  // namespace greenroute::routing::internal
