// What one simulated run of one policy produced, and the statistics used to
// summarise and compare runs (percentiles, 95% confidence intervals).
//
// Thread contract: plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "greenroute/sim/event_queue.h"

namespace greenroute::sim {

struct NodeResult {
  std::string name;
  std::string zone;
  std::uint64_t requests = 0;  // routed here
  std::uint64_t batches = 0;  // segments of its running batch (BatchRecord)
  double busy_s = 0;
  double utilisation = 0;     // busy_s / makespan_s
  double batch_energy_j = 0;  // the batches' energy (profile, idle draw within included)
  double idle_energy_j = 0;   // idle_watts x the time between batches
  double energy_j = 0;        // batch + idle
  double carbon_g = 0;        // gCO2e of energy_j at the zone's intensity when it was used
  std::uint64_t max_queue = 0;                // longest queue seen (requests waiting)
  std::uint64_t queue_at_last_arrival = 0;    // waiting when the last request arrived
};

// One segment of a node's running batch (a stretch of one membership:
// continuous batching changes it whenever a sequence joins or leaves),
// recorded when SimOptions::record_batches is set.
struct BatchRecord {
  std::size_t node = 0;
  SimTimeUs start_us = 0;
  SimTimeUs end_us = 0;
  int size = 0;    // sequences running
  int joined = 0;  // of those, the ones that joined when it began
  double energy_j = 0;
  double g_co2_per_kwh = 0;
  double carbon_g = 0;
};

struct PolicyResult {
  std::string policy;
  std::uint64_t requests = 0;   // offered
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;   // no eligible node at arrival (every queue full, ...)
  double latency_mean_ms = 0;   // completion (queue wait + batch), completed requests
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  std::uint64_t slo_requests = 0;    // completed requests that carried an SLO
  std::uint64_t slo_violations = 0;  // of those, latency above the SLO
  double makespan_s = 0;             // t = 0 to the last completion (or last arrival)
  double throughput_rps = 0;         // completed / makespan_s
  double batch_energy_j = 0;
  double idle_energy_j = 0;
  double energy_j = 0;
  double energy_kwh = 0;
  double carbon_g = 0;
  // Paired comparison (compare_policies): the baseline run's carbon_g minus
  // this one's, on the same requests; > 0 when this policy emitted less.
  double saved_vs_baseline_g = 0;
  // The predictor's per-decision counterfactual (CounterfactualEstimator),
  // summed: baseline predicted gCO2e minus chosen predicted gCO2e.
  double predicted_saved_g = 0;
  std::uint64_t events = 0;  // events the engine handled
  std::vector<NodeResult> nodes;
  std::vector<BatchRecord> batches;  // only with record_batches
};

// Nearest-rank percentile (p in [0, 100]) of an ascending-sorted sample; 0
// for an empty one.
double percentile_sorted(std::span<const double> sorted, double p);

// Mean and the half-width of its 95% confidence interval (Student t with n-1
// degrees of freedom); half_width is 0 for n < 2.
struct MeanCi {
  double mean = 0;
  double half_width = 0;
  int n = 0;
};
MeanCi mean_ci95(std::span<const double> values);

}  // namespace greenroute::sim
