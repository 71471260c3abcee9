// slo-carbon: least gCO2e among the nodes predicted to complete within the
// request's SLO. When none is, the request goes to the fastest node (least
// predicted completion) rather than failing: a late answer beats none, and
// Decision::slo_fallback plus the reason tell the gateway. Without an SLO
// (neither the request's nor a default) it is carbon-aware.
#include <fmt/format.h>

#include <limits>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class SloCarbonPolicy final : public Policy {
 public:
  explicit SloCarbonPolicy(std::optional<double> default_slo_ms)
      : default_slo_ms_(default_slo_ms) {}
  PolicyKind kind() const override { return PolicyKind::kSloCarbon; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& request, std::size_t /*eligible*/) override {
    const std::optional<double> slo = request.slo_ms ? request.slo_ms : default_slo_ms_;
    if (!slo) {
      const auto best = argmin_eligible(
          candidates, [](const CandidatePrediction& c) { return c.prediction.carbon_g; });
      return chosen(kind(), nodes, *best,
                    fmt::format("no SLO given: least predicted carbon {:.4g} g",
                                candidates[*best].prediction.carbon_g));
    }
    std::size_t meeting = 0;
    const auto best = argmin_eligible(candidates, [&](const CandidatePrediction& c) {
      if (c.prediction.latency_ms > *slo) return std::numeric_limits<double>::infinity();
      ++meeting;
      return c.prediction.carbon_g;
    });
    if (meeting > 0) {
      const Prediction& p = candidates[*best].prediction;
      return chosen(
          kind(), nodes, *best,
          fmt::format("least predicted carbon {:.4g} g among {} node{} meeting the {:g} ms SLO "
                      "(predicted {:.4g} ms)",
                      p.carbon_g, meeting, meeting == 1 ? "" : "s", *slo, p.latency_ms));
    }
    const auto fastest = argmin_eligible(
        candidates, [](const CandidatePrediction& c) { return c.prediction.latency_ms; });
    Choice c =
        chosen(kind(), nodes, *fastest,
               fmt::format("no node meets the {:g} ms SLO; chose the fastest (predicted {:.4g} ms)",
                           *slo, candidates[*fastest].prediction.latency_ms));
    c.slo_fallback = true;
    return c;
  }

 private:
  const std::optional<double> default_slo_ms_;
};

}  // namespace

std::unique_ptr<Policy> make_slo_carbon_policy(std::optional<double> default_slo_ms) {
  return std::make_unique<SloCarbonPolicy>(default_slo_ms);
}

}  // namespace greenroute::routing::internal
