// greedy-fastest: the device fastest in isolation, queues ignored: the
// reference study's greedy baseline and the default counterfactual. It piles
// work onto the fastest device, which is what the other policies improve on.
#include <fmt/format.h>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class GreedyFastestPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kGreedyFastest; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    const auto best = argmin_eligible(
        candidates, [](const CandidatePrediction& c) { return c.prediction.isolated_ms; });
    return chosen(kind(), nodes, *best,
                  fmt::format("fastest in isolation ({:.4g} ms service, queue ignored)",
                              candidates[*best].prediction.isolated_ms));
  }
};

}  // namespace

std::unique_ptr<Policy> make_greedy_fastest_policy() {
  return std::make_unique<GreedyFastestPolicy>();
}

}  // namespace greenroute::routing::internal
