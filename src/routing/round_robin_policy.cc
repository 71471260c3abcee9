// round-robin: eligible nodes in turn. The position is the index after the
// last node chosen, so an ineligible node is skipped without giving its turn
// to its neighbour twice (nodes 0, 2 of {0, down, 2} alternate).
#include <atomic>
#include <cstdint>

#include <fmt/format.h>

#include "candidates.h"
#include "policies.h"

namespace greenroute::routing::internal {
namespace {

class RoundRobinPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kRoundRobin; }

  Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
              const RequestShape& /*request*/, std::size_t eligible) override {
    const std::size_t n = nodes.size();
    std::uint64_t seen = next_.load(std::memory_order_relaxed);
    std::size_t next = 0;
    do {  // a concurrent caller moved the position: recompute from the new one
      next = first_eligible_from(candidates, static_cast<std::size_t>(seen % n));
    } while (!next_.compare_exchange_weak(seen, next + 1, std::memory_order_relaxed));
    return chosen(kind(), nodes, next, fmt::format("next eligible in turn ({} eligible)", eligible));
  }

 private:
  static std::size_t first_eligible_from(std::span<const CandidatePrediction> c, std::size_t start) {
    for (std::size_t step = 0; step < c.size(); ++step) {
      const std::size_t i = (start + step) % c.size();
      if (c[i].eligible) return i;
    }
    return start;  // unreachable: the caller checked that one is eligible
  }

  std::atomic<std::uint64_t> next_{0};
};

}  // namespace

std::unique_ptr<Policy> make_round_robin_policy() { return std::make_unique<RoundRobinPolicy>(); }

}  // namespace greenroute::routing::internal
