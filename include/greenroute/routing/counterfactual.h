// Counterfactual accounting: what a baseline policy (default greedy-fastest,
// the reference study's greedy baseline) would have chosen for the same
// request on the same snapshot, and its predicted latency and carbon, so the
// gateway can report grams saved and milliseconds gained or lost per request
// and in total.
//
// Both sides are predictions from the same snapshot (the baseline's request
// never ran), so the difference isolates the policy's choice from the
// predictor's error.
//
// Thread contract: estimate() is thread-safe (policies are). A round-robin or
// random baseline keeps its own position / Rng, separate from the live policy.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/routing/node_state.h"
#include "greenroute/routing/policy.h"

namespace greenroute::routing {

struct Counterfactual {
  PolicyKind baseline = PolicyKind::kGreedyFastest;
  // Both the actual decision and the baseline chose a node; otherwise the
  // differences below are 0.
  bool available = false;
  std::optional<std::size_t> baseline_chosen;
  Prediction baseline_prediction;  // valid when baseline_chosen is set
  double carbon_saved_g = 0;       // baseline - actual: > 0 when the policy saved carbon
  double energy_saved_j = 0;       // baseline - actual
  double latency_gained_ms = 0;    // baseline - actual: > 0 when the policy was faster
  std::string baseline_reason;
};

class CounterfactualEstimator {
 public:
  // kInvalidArgument for an unknown baseline or bad options (make_policy).
  static core::Result<std::unique_ptr<CounterfactualEstimator>> create(
      std::string_view baseline = "greedy-fastest", const PolicyOptions& options = {});

  PolicyKind baseline() const { return baseline_->kind(); }

  // `actual` must be the decision made on the same nodes and request: the
  // baseline picks among its candidates (Policy::choose) rather than
  // evaluating every node again.
  Counterfactual estimate(const Decision& actual, std::span<const NodeState> nodes,
                          const RequestShape& request) const;

 private:
  explicit CounterfactualEstimator(std::unique_ptr<Policy> baseline) : baseline_(std::move(baseline)) {}
  std::unique_ptr<Policy> baseline_;  // decide() is thread-safe
};

}  // namespace greenroute::routing
