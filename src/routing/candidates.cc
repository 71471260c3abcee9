#include "candidates.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "predict_capped.h"

namespace greenroute::routing::internal {

std::string ineligibility(const NodeState& node, const RequestShape& request, int max_batch) {
  if (!node.healthy) return "unhealthy";
  if (!node.profile) return "no device profile";
  if (!std::isfinite(node.g_co2_per_kwh) || node.g_co2_per_kwh < 0) {
    return "grid intensity unknown";
  }
  if (request.num_prompts > max_batch) {
    return fmt::format("{} prompts exceed max batch {}", request.num_prompts, max_batch);
  }
  if (node.memory_free_bytes && node.kv_bytes_per_token > 0) {
    const double need = request.total_tokens() * static_cast<double>(node.kv_bytes_per_token);
    const double free_bytes = static_cast<double>(*node.memory_free_bytes);
    if (need > free_bytes) {
      return fmt::format("needs {} of KV cache, {} free", format_bytes(need),
                         format_bytes(free_bytes));
    }
  }
  return {};
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
                                std::vector<CandidatePrediction>& out) {
  // Built by appending complete values rather than resize-then-assign:
  // value-initialising every element first cost as much as the predictions
  // themselves in the decision benchmark.
  out.clear();
  out.reserve(nodes.size());
  // Clusters have few device types: the isolated latency (same request, same
  // profile) is computed once per profile, through a tiny cache.
  IsolatedLatencyCache isolated(request);
  std::size_t eligible = 0;
  for (const NodeState& node : nodes) {
    const int max_batch = node.effective_max_batch();
    std::string why_not = ineligibility(node, request, max_batch);
    const bool ok = why_not.empty();
    const Prediction prediction =
        node.profile ? predict_capped(node, request, max_batch, isolated.get(*node.profile)) : Prediction{};
    // Braced, not emplace_back(args...): clang 14 (the fuzz build) lacks
    // C++20's parenthesised aggregate initialisation.
    out.push_back(CandidatePrediction{ok, std::move(why_not), prediction, node.queued_tokens()});
    if (ok) ++eligible;
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

void mark_unavailable(Decision& decision, std::span<const NodeState> nodes,
                      const RequestShape& request) {
  constexpr std::size_t kListed = 3;  // enough to debug, bounded for 1000-node clusters
  std::string why;
  if (nodes.empty()) why = "the cluster has no nodes";
  for (std::size_t i = 0; i < nodes.size() && i < kListed; ++i) {
    if (!why.empty()) why += "; ";
    why += fmt::format("{}: {}", nodes[i].name, decision.candidates[i].why_not);
  }
  if (nodes.size() > kListed) why += fmt::format("; and {} more", nodes.size() - kListed);
  const std::string message =
      fmt::format("no healthy node can take {} ({})", describe_request(request), why);
  decision.chosen.reset();
  decision.reason = fmt::format("{}: {}", policy_name(decision.policy), message);
  decision.status = core::unavailable(message);
}

std::size_t begin_decision(PolicyKind kind, std::span<const NodeState> nodes,
                           const RequestShape& request, Decision& decision) {
  decision.policy = kind;
  decision.status = core::Status::ok();
  decision.chosen.reset();
  const std::size_t eligible = evaluate_candidates(nodes, request, decision.candidates);
  if (eligible == 0) mark_unavailable(decision, nodes, request);
  return eligible;
}

void choose(Decision& decision, std::span<const NodeState> nodes, std::size_t index,
            std::string_view why) {
  decision.chosen = index;
  decision.status = core::Status::ok();
  decision.reason = fmt::format("{}: {}, {}", policy_name(decision.policy), nodes[index].name, why);
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
