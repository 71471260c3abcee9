// Phase 4 of `greenroute experiment`: replaying one workload through the live
// gateway under each policy (experiment_replay.cc).
//
// Thread contract: replay_policy runs on the caller's thread and starts one
// client thread per request, all joined before it returns (also when
// interrupted: `abort` must make every request in flight end, e.g. by
// stopping the cluster).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "experiment.h"

namespace greenroute::cli::experiment {

// The automatic load: from the fastest local profile's latency for one mean
// request, a rate that keeps that node 70% busy, but at most half of what the
// machine's free cores can serve (`free_cores` / `core_seconds` per request:
// the live nodes share those cores), and an SLO of three times that latency
// (docs/experiment.md).
struct AutoLoad {
  double service_ms = 0;
  double rate = 0;
  double slo_ms = 0;
  bool cpu_bound = false;  // the machine's free cores set the rate
};
AutoLoad auto_load(const profile::DeviceProfile& fastest, double mean_prompt_tokens, int max_tokens,
                   double free_cores, double core_seconds_per_request);

// Two requests straight to each node (not through the gateway), so that the
// first policy does not pay for cold caches and page faults.
void warm_up_nodes(const std::vector<int>& ports, const std::string& model_id, const std::string& prompt,
                   int max_tokens);

struct ReplayOptions {
  int gateway_port = 0;
  std::string model_id;
  std::int64_t timeout_ms = 120000;
  std::function<void()> abort;  // called once on Ctrl-C while requests are in flight
};

struct ReplayResult {
  report::LivePolicyRun run;
  int short_outputs = 0;  // answers with fewer tokens than max_tokens (an end-of-text token)
};

// Sends every request of `w` at its time with `policy` in its body; every
// request is answered (a transport failure is recorded as HTTP status 0).
// kUnavailable "interrupted" when progress.should_stop() turned true.
core::Result<ReplayResult> replay_policy(const ReplayOptions& options, const LiveWorkload& w, const PromptPool& pool,
                                         const std::string& policy, const ProgressSink& progress);

}  // namespace greenroute::cli::experiment
