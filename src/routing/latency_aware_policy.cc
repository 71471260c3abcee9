// latency-aware: least predicted completion time, queue wait included.
#include <fmt/format.h>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class LatencyAwarePolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kLatencyAware; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    const auto best = argmin_eligible(
        candidates, [](const CandidatePrediction& c) { return c.prediction.latency_ms; });
    const Prediction& p = candidates[*best].prediction;
    return chosen(
        kind(), nodes, *best,
        fmt::format("least predicted completion {:.4g} ms (queue {:.4g} ms + service {:.4g} ms)",
                    p.latency_ms, p.queue_wait_ms, p.service_ms));
  }
};

}  // namespace

std::unique_ptr<Policy> make_latency_aware_policy() {
  return std::make_unique<LatencyAwarePolicy>();
}

}  // namespace greenroute::routing::internal
