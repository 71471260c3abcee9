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

  Decision decide(std::span<const NodeState> nodes, const RequestShape& request) override {
    Decision d;
    if (begin_decision(kind(), nodes, request, d) == 0) return d;
    const auto best = argmin_eligible(d.candidates, [](const CandidatePrediction& c) {
      return c.prediction.carbon_g;
    });
    const Prediction& p = d.candidates[*best].prediction;
    choose(d, nodes, *best,
           fmt::format("least predicted carbon {:.4g} g ({:.4g} J at {:g} g/kWh)", p.carbon_g,
                       p.energy_j, nodes[*best].g_co2_per_kwh));
    return d;
  }
};

}  // namespace

std::unique_ptr<Policy> make_carbon_aware_policy() {
  return std::make_unique<CarbonAwarePolicy>();
}

}  // namespace greenroute::routing::internal
