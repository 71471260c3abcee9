#include "greenroute/routing/policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cmath>

#include "candidates.h"
#include "greenroute/core/check.h"
#include "policies.h"

namespace greenroute::routing {
namespace {

struct PolicyEntry {
  PolicyKind kind;
  std::string_view name;
};

// One row per policy, in the order policy_names() lists them.
constexpr std::array<PolicyEntry, 8> kPolicies = {{
    {PolicyKind::kRoundRobin, "round-robin"},
    {PolicyKind::kRandom, "random"},
    {PolicyKind::kGreedyFastest, "greedy-fastest"},
    {PolicyKind::kGreedyLeastLoaded, "greedy-least-loaded"},
    {PolicyKind::kLatencyAware, "latency-aware"},
    {PolicyKind::kCarbonAware, "carbon-aware"},
    {PolicyKind::kHybrid, "hybrid"},
    {PolicyKind::kSloCarbon, "slo-carbon"},
}};

}  // namespace

const std::vector<std::string_view>& policy_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const PolicyEntry& e : kPolicies) v.push_back(e.name);
    return v;
  }();
  return names;
}

std::string_view policy_name(PolicyKind kind) {
  for (const PolicyEntry& e : kPolicies) {
    if (e.kind == kind) return e.name;
  }
  return "unknown";
}

core::Result<PolicyKind> parse_policy_kind(std::string_view name) {
  for (const PolicyEntry& e : kPolicies) {
    if (e.name == name) return e.kind;
  }
  return core::invalid_argument(
      fmt::format("unknown policy '{}' (valid: {})", name, fmt::join(policy_names(), ", ")));
}

core::Status validate_policy_options(const PolicyOptions& options) {
  if (!(options.hybrid_alpha >= 0 && options.hybrid_alpha <= 1)) {
    return core::invalid_argument(
        fmt::format("hybrid alpha must be in [0, 1] (is {})", options.hybrid_alpha));
  }
  if (options.default_slo_ms &&
      !(std::isfinite(*options.default_slo_ms) && *options.default_slo_ms > 0)) {
    return core::invalid_argument(
        fmt::format("default SLO must be finite and > 0 ms (is {})", *options.default_slo_ms));
  }
  return core::Status::ok();
}

Decision Policy::decide(std::span<const NodeState> nodes, const RequestShape& request, Explain explain) {
  Decision d;
  d.policy = kind();
  const std::size_t eligible =
      internal::evaluate_candidates(nodes, request, d.candidates, explain == Explain::kIneligible);
  Choice c = eligible == 0 ? internal::unavailable(kind(), d.candidates, nodes, request)
                           : pick(d.candidates, nodes, request, eligible);
  d.status = std::move(c.status);
  d.chosen = c.chosen;
  d.reason = std::move(c.reason);
  d.slo_fallback = c.slo_fallback;
  return d;
}

Choice Policy::choose(std::span<const CandidatePrediction> candidates,
                      std::span<const NodeState> nodes, const RequestShape& request) {
  GR_CHECK(candidates.size() == nodes.size());
  std::size_t eligible = 0;
  for (const CandidatePrediction& c : candidates) eligible += c.eligible ? 1 : 0;
  if (eligible == 0) return internal::unavailable(kind(), candidates, nodes, request);
  return pick(candidates, nodes, request, eligible);
}

core::Result<std::unique_ptr<Policy>> make_policy(PolicyKind kind, const PolicyOptions& options) {
  GR_RETURN_IF_ERROR(validate_policy_options(options));
  switch (kind) {
    case PolicyKind::kRoundRobin: return internal::make_round_robin_policy();
    case PolicyKind::kRandom: return internal::make_random_policy(options.seed);
    case PolicyKind::kGreedyFastest: return internal::make_greedy_fastest_policy();
    case PolicyKind::kGreedyLeastLoaded: return internal::make_greedy_least_loaded_policy();
    case PolicyKind::kLatencyAware: return internal::make_latency_aware_policy();
    case PolicyKind::kCarbonAware: return internal::make_carbon_aware_policy();
    case PolicyKind::kHybrid: return internal::make_hybrid_policy(options.hybrid_alpha);
    case PolicyKind::kSloCarbon: return internal::make_slo_carbon_policy(options.default_slo_ms);
  }
  return core::invalid_argument(fmt::format("unknown policy kind {}", static_cast<int>(kind)));
}

core::Result<std::unique_ptr<Policy>> make_policy(std::string_view name, const PolicyOptions& options) {
  GR_ASSIGN_OR_RETURN(const PolicyKind kind, parse_policy_kind(name));
  return make_policy(kind, options);
}

}  // namespace greenroute::routing
