// NodeState and RequestShape: what routing knows about one node and one
// request. Routing works on these snapshots only (no HTTP, no engine), so the
// live gateway and the simulator feed it the same way: the gateway fills them
// from telemetry and heartbeats, the simulator from its cluster model.
//
// A NodeState is a snapshot: the caller builds a vector of them (the cluster
// as it is now), hands it to a Policy, and replaces it wholesale when
// telemetry changes. Nothing in routing keeps a pointer into it.
//
// Thread contract: plain values; const methods are thread-safe. The profile
// is shared and immutable (shared_ptr<const>), so snapshots copy cheaply.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"

namespace greenroute::routing {

// Multipliers the online corrector learned for this node (predictor.h):
// observed / profile-predicted. 1 means "the profile is right".
struct Correction {
  double latency_ratio = 1.0;
  double energy_ratio = 1.0;
};

// Work already at the node and not yet running.
struct NodeQueue {
  int requests = 0;          // sequences (prompts) waiting
  double prompt_tokens = 0;  // their prompt tokens, summed
  double output_tokens = 0;  // their max output tokens, summed
};

struct NodeState {
  std::string name;  // unique within the cluster ("jetson-a")
  std::string zone;  // grid zone of its carbon source ("FR")
  bool healthy = true;
  std::shared_ptr<const profile::DeviceProfile> profile;  // null: cannot predict, never eligible
  double g_co2_per_kwh = 0;  // grid intensity now; must be finite and >= 0 to be eligible
  double pue = 1.0;          // site power usage effectiveness (facility / IT energy)
  NodeQueue queue;
  int running_batch = 0;  // sequences decoding now
  // Free memory for KV cache, and what one token of context costs in it. The
  // memory check runs only when both are known (free set, bytes per token > 0).
  // The cache is allocated in blocks of kv_block_tokens per sequence (the
  // engine's 64; 1 where unknown), so a prompt's need is rounded up to one.
  std::optional<std::uint64_t> memory_free_bytes;
  std::uint64_t kv_bytes_per_token = 0;
  std::int64_t kv_block_tokens = 1;
  int max_batch = 0;  // the node's batch cap; 0: the profile's knee (the agent's default)
  // Prompts that may wait at the node (its --max-queue): one more and it
  // refuses (503). 0: not known, never checked.
  int max_queue = 0;
  Correction correction;

  // max_batch, or the profile's knee when 0, never above what memory holds
  // (profile max_batch_fits); at least 1. 1 without a profile. Inline: the
  // policies ask for every node of every decision.
  int effective_max_batch() const {
    if (!profile) return 1;
    int cap = max_batch > 0 ? max_batch : profile->knee_batch;
    // Memory bounds any configured cap: the agent never admits more than fits.
    if (profile->max_batch_fits > 0) cap = std::min(cap, profile->max_batch_fits);
    return std::max(cap, 1);
  }
  // Tokens queued (prompt + output): greedy-least-loaded's measure.
  double queued_tokens() const { return queue.prompt_tokens + queue.output_tokens; }
};

// One request as routing sees it: possibly a gateway batch of several prompts
// of the same shape (prompt_tokens is their mean).
struct RequestShape {
  double prompt_tokens = 0;      // per prompt
  double max_output_tokens = 0;  // per prompt
  int num_prompts = 1;
  std::optional<double> slo_ms;  // completion-latency objective, if the caller set one
  // The policy the caller asked for by name (validated by the gateway with
  // parse_policy_kind); unset: the gateway's default. Policies ignore it.
  std::optional<std::string> policy;

  double total_tokens() const { return num_prompts * (prompt_tokens + max_output_tokens); }
};

// Requests come from callers: kInvalidArgument for num_prompts < 1, negative
// or non-finite token counts, or a non-positive / non-finite SLO.
core::Status validate_request(const RequestShape& request);

}  // namespace greenroute::routing
