#include "greenroute/routing/counterfactual.h"

namespace greenroute::routing {

core::Result<std::unique_ptr<CounterfactualEstimator>> CounterfactualEstimator::create(
    std::string_view baseline, const PolicyOptions& options) {
  GR_ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy, make_policy(baseline, options));
  return std::unique_ptr<CounterfactualEstimator>(new CounterfactualEstimator(std::move(policy)));
}

namespace {

// A deterministic policy's decision depends only on the snapshot, so the
// actual decision is also the baseline's when the kinds match.
bool is_stateless(PolicyKind kind) {
  return kind != PolicyKind::kRoundRobin && kind != PolicyKind::kRandom;
}

}  // namespace

Counterfactual CounterfactualEstimator::estimate(const Decision& actual,
                                                 std::span<const NodeState> nodes,
                                                 const RequestShape& request) const {
  Counterfactual out;
  out.baseline = baseline_->kind();
  std::optional<std::size_t> chosen;
  if (actual.policy == out.baseline && is_stateless(out.baseline) &&
      actual.candidates.size() == nodes.size()) {
    chosen = actual.chosen;
    out.baseline_reason = actual.reason;
    if (chosen) out.baseline_prediction = actual.candidates[*chosen].prediction;
  } else if (actual.candidates.size() == nodes.size()) {
    // Every policy evaluates the nodes alike: the baseline picks among the
    // actual decision's candidates instead of evaluating them again.
    Choice base = baseline_->choose(actual.candidates, nodes, request);
    chosen = base.chosen;
    out.baseline_reason = std::move(base.reason);
    if (chosen) out.baseline_prediction = actual.candidates[*chosen].prediction;
  } else {
    Decision base = baseline_->decide(nodes, request);
    chosen = base.chosen;
    out.baseline_reason = std::move(base.reason);
    if (chosen) out.baseline_prediction = base.candidates[*chosen].prediction;
  }
  out.baseline_chosen = chosen;
  if (!chosen || !actual.ok()) return out;
  const Prediction& act = actual.chosen_prediction();
  const Prediction& base = out.baseline_prediction;
  out.available = true;
  out.carbon_saved_g = base.carbon_g - act.carbon_g;
  out.energy_saved_j = base.energy_j - act.energy_j;
  out.latency_gained_ms = base.latency_ms - act.latency_ms;
  return out;
}

}  // namespace greenroute::routing
