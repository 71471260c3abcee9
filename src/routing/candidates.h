// Shared by every policy: eligibility and predictions for each node, the
// deterministic argmin, and the Decision when no node can take the request.
// Private to src/routing.
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "greenroute/routing/node_state.h"
#include "greenroute/routing/policy.h"

namespace greenroute::routing::internal {

// Why `node` cannot take `request`, or "" when it can. `max_batch` is
// node.effective_max_batch().
std::string ineligibility(const NodeState& node, const RequestShape& request, int max_batch);

// Resizes `out` to nodes.size() and fills eligibility and predictions
// (predictions also for ineligible nodes that have a profile). Returns the
// number of eligible candidates. With `explain` false, why_not stays empty.
std::size_t evaluate_candidates(std::span<const NodeState> nodes, const RequestShape& request,
                                std::vector<CandidatePrediction>& out, bool explain = true);

// The eligible candidate with the least score(candidate); the lowest index
// among equal scores. nullopt when none is eligible.
template <typename ScoreFn>
std::optional<std::size_t> argmin_eligible(std::span<const CandidatePrediction> candidates,
                                           ScoreFn score) {
  std::optional<std::size_t> best;
  double best_score = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].eligible) continue;
    const double s = score(candidates[i]);
    if (!best || s < best_score) {  // strict: an equal score keeps the lower index
      best = i;
      best_score = s;
    }
  }
  return best;
}

// "2 prompts of 100 + 64 tokens" (+ ", SLO 500 ms" when set).
std::string describe_request(const RequestShape& request);

// status kUnavailable "no healthy node can take <request> (<why, for the
// first few nodes>)" and a matching reason; chosen unset.
Choice unavailable(PolicyKind kind, std::span<const CandidatePrediction> candidates,
                   std::span<const NodeState> nodes, const RequestShape& request);

// `index` chosen with a reason "<policy>: <node>, <why>".
Choice chosen(PolicyKind kind, std::span<const NodeState> nodes, std::size_t index,
              std::string_view why);

// "1.5 GiB", "12.0 MiB", "512 B".
std::string format_bytes(double bytes);

}  // namespace greenroute::routing::internal
