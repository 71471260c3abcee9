// The cluster model: simulated nodes with queues and batches, and the
// gateway in front of them running routing's own Policy objects unchanged.
//
// Model (docs/sim.md):
//   - On each arrival the gateway hands Policy::decide a NodeState per node:
//     the node's queue (requests, prompt and output tokens waiting), its
//     running batch, the grid intensity of its zone now (from its carbon
//     source, refreshed every intensity_refresh_s of simulated time) and the
//     correction its OnlineCorrector learned. The snapshot is kept current
//     incrementally (a node's entry changes when its queue, batch or
//     correction does; intensities at the first event of each refresh
//     bucket, one look-up per zone), so an arrival costs the policy's own
//     O(nodes) and no more. A request that asked for a policy by name is
//     decided by that policy. The CounterfactualEstimator's baseline picks
//     on the same snapshot and candidates.
//   - Each node's queue holds at most node_max_queue waiting requests (the
//     node agent's --max-queue, which it reports in its telemetry): a full
//     node is ineligible (NodeState::max_queue), and a request no node can
//     take is rejected.
//   - Nodes batch continuously, as the node agent does: a queued request
//     joins the running batch as soon as a slot is free (up to the node's
//     effective max batch, NodeState::effective_max_batch), and each
//     sequence leaves when its own output is done. With max_wait_ms > 0 an
//     idle node waits until it can fill the batch or its oldest request has
//     waited max_wait_ms.
//   - Speed: a sequence needs its latency alone, profile.predict_latency_ms(
//     1, its prompt, its output) x a latency noise factor, in "solo ms". With
//     k sequences running (mean prompt P, mean output N) each progresses at
//     latency(1, P, N) / latency(k, P, N) solo ms per ms, so k alike
//     sequences that start together take latency(k) together, as profiled.
//   - Energy: with k running the node draws energy(k, P, N) / latency(k, P,
//     N) watts x an energy noise factor; each running sequence is charged an
//     equal share. Noise factors are lognormal with mean 1: exp(sigma Z -
//     sigma^2/2), the latency one per request, the energy one per segment.
//   - A segment is a stretch of one membership; it is what record_batches
//     records, and NodeResult::batches counts.
//   - Between batches a node draws idle_watts. Energy becomes gCO2e at the
//     zone's intensity at the segment's start (idle: at the idle period's
//     end) times the node's PUE.
//   - A request's latency is its completion time minus its arrival (queue
//     wait + its batch). Each completion is fed to the node's OnlineCorrector
//     as an Observation (latency, and the batch energy / b).
//
// Thread contract: pure functions of their arguments; each call owns its own
// state, so concurrent calls are safe when the carbon sources are (they all
// are, carbon_source.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"
#include "greenroute/routing/cluster_config.h"
#include "greenroute/routing/policy.h"
#include "greenroute/routing/predictor.h"
#include "greenroute/sim/sim_result.h"
#include "greenroute/sim/workload.h"

namespace greenroute::sim {

struct SimNode {
  std::string name;
  std::string zone;
  std::shared_ptr<const profile::DeviceProfile> profile;  // required
  std::shared_ptr<carbon::CarbonSource> carbon;           // required
  int max_batch = 0;  // 0: the profile's knee (NodeState rule), capped by memory
  double pue = 1.0;   // >= 1
};

// One SimNode per node of the config (replicas expanded); nodes with the same
// carbon spec share one source (a csv trace is read once).
core::Result<std::vector<SimNode>> sim_nodes_from_config(const routing::ClusterConfig& config,
                                                         const carbon::SourceFactoryContext& context = {});

struct SimOptions {
  double latency_noise_sigma = 0.1;  // >= 0; 0: the profile exactly
  double energy_noise_sigma = 0.05;  // >= 0
  double max_wait_ms = 0;            // >= 0; 0: start a batch as soon as the node is free
  int node_max_queue = 64;           // >= 0; requests that may wait at a node; 0: no limit
  double intensity_refresh_s = 300;  // > 0
  std::int64_t start_unix_s = 1640995200;  // the carbon time of t = 0
  std::string baseline_policy = "greedy-fastest";  // counterfactual and paired savings
  routing::PolicyOptions policy_options;
  routing::PredictorOptions predictor;
  bool online_correction = true;  // false: snapshots keep correction 1
  std::uint64_t noise_seed = 1;
  bool record_batches = false;
  // Progress of a long run, for a display: called on the simulating thread
  // with the policy's name, the arrivals handled so far and their total,
  // every kProgressEvery arrivals and after the last. Unset: never called.
  std::function<void(std::string_view policy, std::uint64_t arrived, std::uint64_t total)> on_progress;
  static constexpr std::uint64_t kProgressEvery = 4096;
};

// kInvalidArgument naming the field ("sim.max_wait_ms: ...").
core::Status validate_sim_options(const SimOptions& options);
// kInvalidArgument naming the node ("sim.node[1].profile: missing").
core::Status validate_sim_nodes(std::span<const SimNode> nodes);

// Runs `policy` (a name of routing::policy_names()) over `requests` (arrival
// order) to completion. Deterministic for the same inputs.
core::Result<PolicyResult> simulate_policy(std::span<const SimNode> nodes,
                                           std::span<const SimRequest> requests,
                                           std::string_view policy, const SimOptions& options);

}  // namespace greenroute::sim
