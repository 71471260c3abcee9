// Paired comparisons of policies: every policy runs over the SAME requests
// (same arrivals, lengths, SLOs) and the same noise seed, so differences come
// from the routing choices alone; over several workload seeds, the per-seed
// figures are summarised by their mean and a 95% confidence interval.
//
// Thread contract: pure functions; thread-safe (see cluster_sim.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/sim/cluster_sim.h"
#include "greenroute/sim/sim_result.h"
#include "greenroute/sim/workload.h"

namespace greenroute::sim {

struct Comparison {
  std::string baseline;                // options.baseline_policy
  std::vector<PolicyResult> results;   // in the order asked; the baseline is run
                                       // too (and listed) when not asked for
};

// Runs each policy; saved_vs_baseline_g = baseline carbon_g - the policy's.
// kInvalidArgument for an empty or unknown policy list.
core::Result<Comparison> compare_policies(std::span<const SimNode> nodes, std::span<const SimRequest> requests,
                                          std::span<const std::string> policies, const SimOptions& options);

struct PolicySummary {
  std::string policy;
  MeanCi latency_mean_ms;
  MeanCi latency_p95_ms;
  MeanCi carbon_g;
  MeanCi energy_kwh;
  MeanCi saved_vs_baseline_g;
  MeanCi slo_violation_rate;  // violations / SLO requests (0 when none carried one)
  MeanCi throughput_rps;
};

// For each seed: generates the workload with that seed (noise seeded with it
// too) and compares the policies on it; then summarises per policy.
core::Result<std::vector<PolicySummary>> compare_over_seeds(std::span<const SimNode> nodes,
                                                            const WorkloadConfig& workload,
                                                            std::span<const std::string> policies,
                                                            std::span<const std::uint64_t> seeds,
                                                            const SimOptions& options);

}  // namespace greenroute::sim
