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

  Decision decide(std::span<const NodeState> nodes, const RequestShape& request) override {
    Decision d;
    const std::size_t eligible = begin_decision(kind(), nodes, request, d);
    if (eligible == 0) return d;
    const std::size_t n = nodes.size();
    std::uint64_t seen = next_.load(std::memory_order_relaxed);
    std::size_t pick = 0;
    do {  // a concurrent caller moved the position: recompute from the new one
      pick = first_eligible_from(d.candidates, static_cast<std::size_t>(seen % n));
    } while (!next_.compare_exchange_weak(seen, pick + 1, std::memory_order_relaxed));
    choose(d, nodes, pick, fmt::format("next eligible in turn ({} eligible)", eligible));
    return d;
  }

 private:
  static std::size_t first_eligible_from(const std::vector<CandidatePrediction>& c, std::size_t start) {
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
