#include "greenroute/sim/compare.h"

#include <algorithm>

#include "greenroute/routing/policy.h"

namespace greenroute::sim {

core::Result<Comparison> compare_policies(std::span<const SimNode> nodes, std::span<const SimRequest> requests,
                                          std::span<const std::string> policies, const SimOptions& options) {
  if (policies.empty()) return core::invalid_argument("sim.policies: no policy given");
  for (const std::string& p : policies) {
    auto kind = routing::parse_policy_kind(p);
    if (!kind.is_ok()) return core::invalid_argument("sim.policies: " + kind.status().message());
  }
  GR_RETURN_IF_ERROR(validate_sim_options(options));
  Comparison out;
  out.baseline = options.baseline_policy;
  std::vector<std::string> order(policies.begin(), policies.end());
  if (std::find(order.begin(), order.end(), options.baseline_policy) == order.end()) {
    order.push_back(options.baseline_policy);
  }
  for (const std::string& p : order) {
    GR_ASSIGN_OR_RETURN(PolicyResult r, simulate_policy(nodes, requests, p, options));
    out.results.push_back(std::move(r));
  }
  double baseline_g = 0;
  for (const PolicyResult& r : out.results) {
    if (r.policy == options.baseline_policy) baseline_g = r.carbon_g;
  }
  for (PolicyResult& r : out.results) r.saved_vs_baseline_g = baseline_g - r.carbon_g;
  return out;
}

core::Result<std::vector<PolicySummary>> compare_over_seeds(std::span<const SimNode> nodes,
                                                            const WorkloadConfig& workload,
                                                            std::span<const std::string> policies,
                                                            std::span<const std::uint64_t> seeds,
                                                            const SimOptions& options) {
  if (seeds.empty()) return core::invalid_argument("sim.seeds: no seed given");
  struct Samples {
    std::string policy;
    std::vector<double> lat, p95, carbon, kwh, saved, slo, tput;
  };
  std::vector<Samples> samples;
  for (std::uint64_t seed : seeds) {
    WorkloadConfig w = workload;
    w.seed = seed;
    GR_ASSIGN_OR_RETURN(std::vector<SimRequest> requests, generate_workload(w));
    SimOptions o = options;
    o.noise_seed = seed;
    o.start_unix_s = w.start_unix_s;
    GR_ASSIGN_OR_RETURN(Comparison c, compare_policies(nodes, requests, policies, o));
    if (samples.empty()) {
      for (const PolicyResult& r : c.results) samples.push_back(Samples{.policy = r.policy, .lat = {}, .p95 = {}, .carbon = {}, .kwh = {}, .saved = {}, .slo = {}, .tput = {}});
    }
    for (std::size_t i = 0; i < c.results.size(); ++i) {
      const PolicyResult& r = c.results[i];
      Samples& s = samples[i];
      s.lat.push_back(r.latency_mean_ms);
      s.p95.push_back(r.latency_p95_ms);
      s.carbon.push_back(r.carbon_g);
      s.kwh.push_back(r.energy_kwh);
      s.saved.push_back(r.saved_vs_baseline_g);
      s.slo.push_back(r.slo_requests > 0 ? static_cast<double>(r.slo_violations) / static_cast<double>(r.slo_requests) : 0.0);
      s.tput.push_back(r.throughput_rps);
    }
  }
  std::vector<PolicySummary> out;
  for (const Samples& s : samples) {
    out.push_back(PolicySummary{.policy = s.policy,
                                .latency_mean_ms = mean_ci95(s.lat),
                                .latency_p95_ms = mean_ci95(s.p95),
                                .carbon_g = mean_ci95(s.carbon),
                                .energy_kwh = mean_ci95(s.kwh),
                                .saved_vs_baseline_g = mean_ci95(s.saved),
                                .slo_violation_rate = mean_ci95(s.slo),
                                .throughput_rps = mean_ci95(s.tput)});
  }
  return out;
}

}  // namespace greenroute::sim
