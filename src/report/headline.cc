// headline_figures: our carbon reduction and latency speedup per source (the
// live run, each simulated scenario), computed exactly as the header says.
#include <algorithm>

#include "experiment_parts.h"
#include "greenroute/report/experiment_report.h"

namespace greenroute::report {
namespace {

constexpr std::string_view kCarbonAware = "carbon-aware";
constexpr std::string_view kLatencyAware = "latency-aware";

const LivePolicyRun* find_run(const LiveRun& live, std::string_view policy) {
  for (const LivePolicyRun& run : live.runs) {
    if (run.policy == policy) return &run;
  }
  return nullptr;
}

// (baseline - ours) / baseline x 100; none when the baseline emitted nothing.
std::optional<double> reduction_pct(double baseline_g, double ours_g) {
  if (!(baseline_g > 0)) return std::nullopt;
  return (baseline_g - ours_g) / baseline_g * 100;
}

// baseline / ours; none when ours is not positive.
std::optional<double> speedup(double baseline_ms, double ours_ms) {
  if (!(ours_ms > 0)) return std::nullopt;
  return baseline_ms / ours_ms;
}

}  // namespace

namespace detail {

std::string scenario_baseline(const SimScenario& scenario) {
  return scenario.first_seed.baseline.empty() ? "greedy-fastest" : scenario.first_seed.baseline;
}

std::optional<ScenarioPolicyFigures> scenario_policy_figures(const SimScenario& scenario,
                                                             std::string_view policy) {
  const sim::PolicyResult* first = nullptr;
  for (const sim::PolicyResult& r : scenario.first_seed.results) {
    if (r.policy == policy) first = &r;
  }
  for (const sim::PolicySummary& s : scenario.over_seeds) {
    if (s.policy != policy) continue;
    ScenarioPolicyFigures f;
    f.carbon_g = s.carbon_g.mean;
    f.latency_mean_ms = s.latency_mean_ms.mean;
    f.energy_j = s.energy_kwh.mean * 3.6e6;
    f.completed = first != nullptr ? static_cast<double>(first->completed) : 0;
    return f;
  }
  if (first == nullptr) return std::nullopt;
  ScenarioPolicyFigures f;
  f.carbon_g = first->carbon_g;
  f.latency_mean_ms = first->latency_mean_ms;
  f.energy_j = first->energy_j;
  f.completed = static_cast<double>(first->completed);
  return f;
}

}  // namespace detail

std::vector<HeadlineRow> headline_figures(const ExperimentData& data) {
  std::vector<HeadlineRow> rows;
  if (data.live.has_value()) {
    const LiveRun& live = *data.live;
    HeadlineRow row;
    row.source = "live";
    if (const LivePolicyRun* base = find_run(live, live.baseline_policy)) {
      if (const LivePolicyRun* carbon = find_run(live, kCarbonAware)) {
        row.carbon_reduction_pct = reduction_pct(base->carbon_g, carbon->carbon_g);
      }
      if (const LivePolicyRun* fast = find_run(live, kLatencyAware)) {
        row.latency_speedup = speedup(base->latency_mean_ms, fast->latency_mean_ms);
      }
    }
    rows.push_back(row);
  }
  for (const SimScenario& scenario : data.simulations) {
    HeadlineRow row;
    row.source = "sim:" + scenario.name;
    const auto base = detail::scenario_policy_figures(scenario, detail::scenario_baseline(scenario));
    if (base.has_value()) {
      if (const auto carbon = detail::scenario_policy_figures(scenario, kCarbonAware)) {
        row.carbon_reduction_pct = reduction_pct(base->carbon_g, carbon->carbon_g);
      }
      if (const auto fast = detail::scenario_policy_figures(scenario, kLatencyAware)) {
        row.latency_speedup = speedup(base->latency_mean_ms, fast->latency_mean_ms);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace greenroute::report
