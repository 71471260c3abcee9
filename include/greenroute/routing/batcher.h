// Batcher: the gateway's grouping of requests routed to one node, so that
// prompts arriving close together run as one batch when that costs less
// energy per prompt and keeps every member within its SLO.
//
// Time-driven, no threads: the caller add()s requests with their arrival
// time and poll()s with the time now and the node's current snapshot; poll()
// returns the groups to dispatch now and the next time it should be polled.
//
// Rule (at each poll, over the pending requests in arrival order, first fit):
// request r joins an existing group g when
//   - prompts(g) + prompts(r) <= min(max_batch, the node's effective max batch),
//   - the profile predicts less energy for g+r as one batch than for g and r
//     run apart: E(g+r) < E(g) + E(r) (same prompts, so less energy per
//     prompt); a group's shape is its prompts summed, their mean prompt
//     tokens, and the largest max output (the batch decodes until its
//     longest member stops),
//   - every member m with an SLO still meets it if the group left now:
//     (now - arrival(m)) + predicted completion of g+r on the node <= slo(m);
// otherwise r starts a group of its own.
// A group is dispatched when it is full, when its oldest member has waited
// max_wait_ms, or when waiting longer would break a member's SLO (its slack
// arrival + slo - predicted completion has run out); a member whose SLO is
// already out of reach is dispatched at once. Without a node profile nothing
// can be predicted: every request is dispatched alone, at once.
//
// Thread contract: thread-compatible; one per node, owned by the gateway's
// dispatch loop (or guarded by its caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/routing/node_state.h"

namespace greenroute::routing {

struct BatcherOptions {
  double max_wait_ms = 20;  // longest a request waits for partners; 0: group only what is pending
  int max_batch = 8;        // prompts per group (>= 1), also capped by the node
};

// kInvalidArgument naming the bad field.
core::Status validate_batcher_options(const BatcherOptions& options);

struct PendingRequest {
  std::uint64_t id = 0;  // the caller's handle, returned in BatchGroup::ids
  RequestShape shape;
  double arrival_ms = 0;  // on the caller's Clock
};

struct BatchGroup {
  std::vector<std::uint64_t> ids;  // arrival order
  RequestShape shape;              // combined (see above); slo_ms: the tightest member's
  double latency_ms = 0;           // predicted completion on the node, from dispatch
  double energy_per_prompt_j = 0;  // predicted, the group as one batch (profile, uncorrected)
  double energy_saved_j = 0;       // predicted, vs each member run apart (>= 0)
};

struct BatchPoll {
  std::vector<BatchGroup> ready;            // dispatch these now, in this order
  std::optional<double> next_deadline_ms;  // poll again by then; unset when nothing is pending
};

class Batcher {
 public:
  // Precondition (checked): validate_batcher_options(options) is ok.
  explicit Batcher(const BatcherOptions& options);

  // kInvalidArgument (validate_request) for a malformed shape.
  core::Status add(const PendingRequest& request);
  BatchPoll poll(double now_ms, const NodeState& node);
  std::size_t pending() const { return pending_.size(); }

 private:
  const BatcherOptions options_;
  std::vector<PendingRequest> pending_;  // arrival order
};

}  // namespace greenroute::routing
