// Gateway::Impl: the state the gateway's HTTP handlers, health poller and
// batch dispatcher share. Split over gateway.cc (lifecycle, routes, small
// endpoints), gateway_cluster.cc (/v1/cluster, registration, health polls),
// gateway_route.cc (one request: policy, admission, decision, attempts),
// gateway_forward.cc (non-streaming answers), gateway_stream.cc (SSE
// pass-through) and gateway_batch.cc (the batch dispatcher).
//
// Thread contract: Impl is created and torn down by the controlling thread;
// handlers run on httplib's workers and touch only thread-safe members
// (atomics, the registry, policies, admission, metrics, mutex-guarded ones).
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway_batch.h"
#include "gateway_metrics.h"
#include "gateway_nodes.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/routing/admission.h"
#include "greenroute/routing/counterfactual.h"
#include "greenroute/routing/policy.h"
#include "greenroute/server/api_error.h"
#include "greenroute/server/gateway.h"
#include "greenroute/server/openai_schema.h"
#include "http_answer.h"
#include "http_server.h"
#include "upstream_call.h"

namespace greenroute::server {

// One routing decision, as /v1/cluster shows it; the outcome is filled in
// when the request finishes.
struct DecisionRecord {
  std::uint64_t id = 0;
  std::int64_t unix_ms = 0;
  std::string endpoint;
  std::string model;
  std::string policy;
  std::string node;  // "" when no node could take it
  std::string reason;
  int attempt = 1;
  int batch = 1;  // prompts in the gateway batch it left in (1: alone)
  std::optional<double> slo_ms;
  bool slo_fallback = false;
  routing::Prediction predicted;
  routing::Counterfactual baseline;
  std::string baseline_node;
  // Outcome.
  int status = 0;  // 0: in progress
  std::optional<double> observed_ms;
  std::optional<double> observed_energy_j;
};

struct Gateway::Impl {
  // First, so it is destroyed last: its workers outlive every forwarded call.
  UpstreamClient upstream;  // forwarded calls: shutdown's cancel_all, kept connections, workers
  GatewayOptions options;
  GatewayDependencies deps;
  routing::ClusterDefaults defaults;
  std::filesystem::path config_dir;  // registration profile paths resolve here
  ParseOptions parse_options;
  UpstreamTimeouts timeouts;       // for forwarded requests
  UpstreamTimeouts poll_timeouts;  // for health polls

  std::unique_ptr<NodeRegistry> registry;
  std::map<routing::PolicyKind, std::unique_ptr<routing::Policy>>
      policies;  // every kind; decide() is thread-safe
  std::unique_ptr<routing::CounterfactualEstimator> counterfactual;
  std::unique_ptr<routing::AdmissionController> admission;
  std::unique_ptr<GatewayBatcher> batcher;  // null when batch_window_ms == 0
  MetricsRegistry registry_metrics;
  std::unique_ptr<GatewayMetrics> metrics;

  HttpServer http;
  int port = 0;
  std::thread http_thread;

  std::unique_ptr<core::ThreadPool> poll_workers;  // run each round's polls (the poller takes part)
  std::thread poller;                              // paces the rounds
  std::mutex poll_mu;
  std::condition_variable poll_cv;
  bool poll_stop = false;  // guarded by poll_mu
  bool poll_now = false;   // guarded by poll_mu: a registration asks for a poll

  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> next_id{1};

  std::mutex decisions_mu;
  std::deque<DecisionRecord> decisions;  // guarded by decisions_mu, newest last

  std::int64_t now_ns() const { return deps.clock->now_ns(); }
  std::int64_t unix_now_s() const { return deps.unix_clock->now_ns() / 1'000'000'000; }

  void register_routes();
  void poll_loop();
  void poll_all();
  void poll_node(const NodePtr& node);
  void node_failed(const NodePtr& node, const std::string& error);

  void record_decision(DecisionRecord record);
  void finish_decision(std::uint64_t id, int status, std::optional<double> observed_ms,
                       std::optional<double> energy_j);
  nlohmann::json cluster_json();
};

// The handlers.
void handle_gateway_completion(Gateway::Impl& gw, Endpoint endpoint, const httplib::Request& req,
                               httplib::Response& res);
void handle_register_node(Gateway::Impl& gw, const httplib::Request& req, httplib::Response& res);
void handle_heartbeat(Gateway::Impl& gw, const std::string& name, httplib::Response& res);
void handle_remove_node(Gateway::Impl& gw, const std::string& name, httplib::Response& res);

}  // namespace greenroute::server
