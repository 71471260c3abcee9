// hybrid: least alpha * L + (1 - alpha) * C, with L and C the predicted
// completion time and carbon min-max normalised over the eligible candidates
// (0 for the best, 1 for the worst; 0 for all when all are equal). Min-max
// makes alpha mean the same whatever the units and spreads: alpha 1 is
// latency-aware, alpha 0 carbon-aware, with the same tie-breaking.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  double normalise(double v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.0; }
};

class HybridPolicy final : public Policy {
 public:
  explicit HybridPolicy(double alpha) : alpha_(alpha) {}
  PolicyKind kind() const override { return PolicyKind::kHybrid; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    Range latency;
    Range carbon;
    for (const CandidatePrediction& c : candidates) {
      if (!c.eligible) continue;
      latency.add(c.prediction.latency_ms);
      carbon.add(c.prediction.carbon_g);
    }
    const auto score = [&](const CandidatePrediction& c) {
      return alpha_ * latency.normalise(c.prediction.latency_ms) +
             (1 - alpha_) * carbon.normalise(c.prediction.carbon_g);
    };
    const auto best = argmin_eligible(candidates, score);
    const Prediction& p = candidates[*best].prediction;
    return chosen(kind(), nodes, *best,
                  fmt::format("least hybrid score {:.3f} (alpha {:g}; {:.4g} ms, {:.4g} g)",
                              score(candidates[*best]), alpha_, p.latency_ms, p.carbon_g));
  }

 private:
  const double alpha_;
};

}  // namespace

std::unique_ptr<Policy> make_hybrid_policy(double alpha) {
  return std::make_unique<HybridPolicy>(alpha);
}

}  // namespace greenroute::routing::internal
