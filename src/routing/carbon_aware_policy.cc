// carbon-aware: least predicted gCO2e for this request (its energy on that
// device times the node's grid intensity now), latency ignored.
#include <fmt/format.h>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class CarbonAwarePolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kCarbonAware; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    const auto best = argmin_eligible(
        candidates, [](const CandidatePrediction& c) { return c.prediction.carbon_g; });
    const Prediction& p = candidates[*best].prediction;
    return chosen(kind(), nodes, *best,
                  fmt::format("least predicted carbon {:.4g} g ({:.4g} J at {:g} g/kWh)",
                              p.carbon_g, p.energy_j, nodes[*best].g_co2_per_kwh));
  }
};

}  // namespace

std::unique_ptr<Policy> make_carbon_aware_policy() {
  return std::make_unique<CarbonAwarePolicy>();
}

}  // namespace greenroute::routing::internal
