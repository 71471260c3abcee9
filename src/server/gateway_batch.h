// GatewayBatcher: batching at the gateway (batch_window_ms > 0).
//
// A node agent takes one OpenAI request at a time per HTTP call and batches
// whatever is in its queue (continuous batching). So the gateway batches by
// co-scheduling: a routed request waits in its node's routing::Batcher, and
// when the batcher releases a group (full, its oldest member waited the
// window, or an SLO would otherwise be missed; see batcher.h for the rule,
// which groups only when the node's profile predicts less energy per prompt)
// every member is sent to that node at once, where they run as one batch.
// Requests are not merged into one HTTP request: each keeps its own response,
// stream and usage.
//
// Thread contract: thread-safe. One dispatcher thread polls the per-node
// batchers; wait_turn() blocks the calling handler until its group leaves.
// Lock order: the batcher's mutex, then a node's (NodeState snapshots).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway_metrics.h"
#include "gateway_nodes.h"
#include "greenroute/core/clock.h"
#include "greenroute/routing/batcher.h"

namespace greenroute::server {

class GatewayBatcher {
 public:
  // Precondition: validate_batcher_options(options) is ok.
  GatewayBatcher(const routing::BatcherOptions& options, const core::Clock& clock,
                 GatewayMetrics& metrics);
  ~GatewayBatcher();  // stop()
  GatewayBatcher(const GatewayBatcher&) = delete;
  GatewayBatcher& operator=(const GatewayBatcher&) = delete;

  // Queues the request for `node` and blocks until its group is released, the
  // deadline passes or the batcher stops. Returns the prompts in the group it
  // left with (1 when it left alone, timed out or could not be batched).
  int wait_turn(const NodePtr& node, const routing::RequestShape& shape, std::int64_t deadline_ns);
  // Releases every waiter and joins the dispatcher. Idempotent.
  void stop();

 private:
  struct Waiter {
    bool released = false;
    int group_prompts = 1;
  };
  struct PerNode {
    NodePtr node;
    std::unique_ptr<routing::Batcher> batcher;
    std::map<std::uint64_t, std::shared_ptr<Waiter>> waiters;
  };
  void loop();

  const routing::BatcherOptions options_;
  const core::Clock& clock_;
  GatewayMetrics& metrics_;
  std::mutex mu_;
  std::condition_variable wake_;          // the dispatcher: new work or stop
  std::condition_variable released_;      // waiters
  std::map<std::string, PerNode> nodes_;  // guarded by mu_, by node name
  std::uint64_t next_id_ = 1;             // guarded by mu_
  bool stop_ = false;                     // guarded by mu_
  std::thread thread_;
};

}  // namespace greenroute::server
