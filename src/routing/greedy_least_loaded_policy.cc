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

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    const auto best =
        argmin_eligible(candidates, [](const CandidatePrediction& c) { return c.queued_tokens; });
    return chosen(kind(), nodes, *best,
                  fmt::format("fewest queued tokens ({:g})", candidates[*best].queued_tokens));
  }
};

}  // namespace

std::unique_ptr<Policy> make_greedy_least_loaded_policy() {
  return std::make_unique<GreedyLeastLoadedPolicy>();
}

}  // namespace greenroute::routing::internal
