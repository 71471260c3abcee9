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

  Decision decide(std::span<const NodeState> nodes, const RequestShape& request) override {
    Decision d;
    if (begin_decision(kind(), nodes, request, d) == 0) return d;
    const auto best = argmin_eligible(d.candidates, [](const CandidatePrediction& c) {
      return c.prediction.isolated_ms;
    });
    choose(d, nodes, *best,
           fmt::format("fastest in isolation ({:.4g} ms service, queue ignored)",
                       d.candidates[*best].prediction.isolated_ms));
    return d;
  }
};

}  // namespace

std::unique_ptr<Policy> make_greedy_fastest_policy() {
  return std::make_unique<GreedyFastestPolicy>();
}

}  // namespace greenroute::routing::internal
