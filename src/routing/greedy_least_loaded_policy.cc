// greedy-least-loaded: fewest queued tokens (prompt + output), whatever the
// device's speed: the classic load-balancer baseline.
#include <fmt/format.h>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class GreedyLeastLoadedPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kGreedyLeastLoaded; }

  Decision decide(std::span<const NodeState> nodes, const RequestShape& request) override {
    Decision d;
    if (begin_decision(kind(), nodes, request, d) == 0) return d;
    const auto best = argmin_eligible(d.candidates, [](const CandidatePrediction& c) {
      return c.queued_tokens;
    });
    choose(d, nodes, *best,
           fmt::format("fewest queued tokens ({:g})", d.candidates[*best].queued_tokens));
    return d;
  }
};

}  // namespace

std::unique_ptr<Policy> make_greedy_least_loaded_policy() {
  return std::make_unique<GreedyLeastLoadedPolicy>();
}

}  // namespace greenroute::routing::internal
