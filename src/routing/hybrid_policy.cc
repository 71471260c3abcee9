// hybrid: least alpha * L + (1 - alpha) * C, with L and C the predicted
// completion time and carbon relative to their means over the eligible
// candidates (x / mean - 1: 0 at the mean; 0 for all when that mean is 0). Dividing by the mean makes
// alpha mean the same whatever the units, and weighs relative differences:
// with alpha 0.5, a node twice as slow and nine times cleaner wins. (Min-max
// normalisation, the first version, made every two-node decision a tie:
// each node is best on one criterion and scores 0.5.) alpha 1 is
// latency-aware, alpha 0 carbon-aware, with the same tie-breaking.
#include <fmt/format.h>

#include <cstddef>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

struct Mean {
  double sum = 0;
  std::size_t n = 0;
  void add(double v) {
    sum += v;
    ++n;
  }
  // v relative to the mean: 0 at the mean, -0.5 at half of it.
  double relative(double v) const { return sum > 0 ? v * static_cast<double>(n) / sum - 1.0 : 0.0; }
};

class HybridPolicy final : public Policy {
 public:
  explicit HybridPolicy(double alpha) : alpha_(alpha) {}
  PolicyKind kind() const override { return PolicyKind::kHybrid; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t /*eligible*/) override {
    Mean latency;
    Mean carbon;
    for (const CandidatePrediction& c : candidates) {
      if (!c.eligible) continue;
      latency.add(c.prediction.latency_ms);
      carbon.add(c.prediction.carbon_g);
    }
    const auto score = [&](const CandidatePrediction& c) {
      return alpha_ * latency.relative(c.prediction.latency_ms) + (1 - alpha_) * carbon.relative(c.prediction.carbon_g);
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
