// random: uniformly among eligible nodes, from a seeded Rng so a run can be
// replayed. The Rng is shared by concurrent callers under a mutex.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "candidates.h"
#include "greenroute/core/rng.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class RandomPolicy final : public Policy {
 public:
  explicit RandomPolicy(std::uint64_t seed) : rng_(seed) {}
  PolicyKind kind() const override { return PolicyKind::kRandom; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t eligible) override {
    double u = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      u = rng_.uniform_double();
    }
    // The nth eligible node, n uniform in [0, eligible).
    std::size_t nth = std::min(static_cast<std::size_t>(u * static_cast<double>(eligible)), eligible - 1);
    std::size_t drawn = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i].eligible && nth-- == 0) {
        drawn = i;
        break;
      }
    }
    return chosen(kind(), nodes, drawn, fmt::format("drawn at random among {} eligible", eligible));
  }

 private:
  std::mutex mu_;
  core::Rng rng_;  // guarded by mu_
};

}  // namespace

std::unique_ptr<Policy> make_random_policy(std::uint64_t seed) {
  return std::make_unique<RandomPolicy>(seed);
}

}  // namespace greenroute::routing::internal
