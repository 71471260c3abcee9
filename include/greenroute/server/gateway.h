// Gateway: the cluster's OpenAI-compatible front door, `greenroute gateway`.
//
// It serves POST /v1/completions and /v1/chat/completions (SSE streaming
// passed through), GET /v1/models (the union of the nodes' models), /health,
// /v1/cluster (nodes, health, telemetry, corrections, recent decisions),
// /metrics, and node self-registration (POST /v1/cluster/nodes, heartbeats,
// DELETE). For each request it:
//   1. parses and validates the body (openai_schema.h; 4xx JSON on bad input),
//   2. picks the policy: the body's `greenroute.policy` / `greenroute.slo_ms`,
//      overridden by the X-Greenroute-Policy / X-Greenroute-Slo-Ms headers,
//      else the config's defaults,
//   3. admits it into the bounded queue (429 with Retry-After when full),
//   4. builds the cluster snapshot (NodeState per node serving the model:
//      profile from the config, live queue, memory and grid intensity from the
//      node's telemetry, the gateway's own in-flight work, the node's online
//      correction), decides, and records the decision with its prediction,
//      reason and the baseline policy's counterfactual,
//   5. (batch_window_ms > 0) waits in the node's batcher until its group is
//      released, so grouped prompts reach the node together,
//   6. forwards it, retrying on another node when the chosen one fails before
//      the first byte (connect error, 5xx status), within the request timeout,
//   7. observes the real latency and usage.energy_joules to correct the
//      node's predictor, and counts it in /metrics.
// A node is polled on /v1/node/telemetry and /v1/models every health
// interval; `eject_after_failures` consecutive failures (polls or forwarded
// connections) eject it, and the next good poll readmits it.
// docs/server.md ("Gateway") has the endpoints, fields and metrics.
//
// Errors never escape as exceptions: every request gets exactly one final
// response (a body, an OpenAI-style JSON error, or, for a stream that loses
// its node midway, an SSE error event followed by a close without [DONE]).
//
// Thread contract: start() and shutdown() from one controlling thread; the
// gateway runs its own HTTP workers, health poller and batch dispatcher. The
// clocks are borrowed and must outlive the gateway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/routing/cluster_config.h"

namespace greenroute::server {

struct GatewayOptions {
  std::string host = "127.0.0.1";
  int port = 0;                           // 0: a free port (see Gateway::port())
  int http_threads = 64;                  // concurrent client connections (a stream holds one)
  std::size_t max_body_bytes = 4u << 20;  // larger bodies: 413
  int max_attempts = 3;                   // nodes tried per request (first try included)
  int default_max_tokens = 256;           // output budget assumed when a request gives none
  std::size_t decision_log = 200;         // recent decisions kept for /v1/cluster
  std::uint64_t seed = 1;                 // the random policy's seed
};

struct GatewayDependencies {
  const core::Clock* clock = nullptr;       // monotonic; required
  const core::Clock* unix_clock = nullptr;  // wall clock: `created`, carbon fallback; required
};

class Gateway {
 public:
  // Validates, builds the policies, admission and node registry from the
  // config, binds the port and starts serving and polling. kInvalidArgument
  // for bad options, kUnavailable when the port cannot be bound.
  static core::Result<std::unique_ptr<Gateway>> start(const routing::ClusterConfig& config,
                                                      const GatewayOptions& options,
                                                      const GatewayDependencies& deps);
  ~Gateway();  // shutdown(0)
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  int port() const;
  const std::string& host() const;

  // Graceful stop: new requests get 503, in-flight ones have up to grace_ms
  // to finish, then the rest are cut off (each still gets its final answer),
  // the listener closes and every thread is joined. Idempotent.
  void shutdown(std::int64_t grace_ms);

  struct Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenroute::server
