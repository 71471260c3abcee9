// NodeAgent::Impl: the state the node's HTTP handlers share, and the helpers
// they use. Split over node_agent.cc (lifecycle, small endpoints),
// node_completions.cc (embedded engine), node_proxy.cc (proxy mode) and
// node_telemetry.cc (telemetry JSON and metrics).
//
// Thread contract: Impl is created and torn down by the controlling thread;
// handlers run on httplib's workers and touch only thread-safe members
// (atomics, the worker, the ledger, the metrics, the mutex-guarded ones).
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "energy_ledger.h"
#include "engine_worker.h"
#include "greenroute/server/api_error.h"
#include "greenroute/server/metrics.h"
#include "greenroute/server/node_agent.h"
#include "greenroute/server/openai_response.h"
#include "greenroute/server/openai_schema.h"
#include "http_server.h"
#include "node_metrics.h"

namespace greenroute::server {

// An upstream base URL, split for httplib::Client.
struct UpstreamUrl {
  std::string scheme_host_port;  // "http://127.0.0.1:8080"
  std::string path_prefix;       // "" or "/prefix"
};
core::Result<UpstreamUrl> parse_upstream_url(const std::string& url);

class ProxyCall;  // node_proxy.cc

struct NodeAgent::Impl {
  NodeOptions options;
  NodeDependencies deps;
  ParseOptions parse_options;
  std::string energy_source;  // "measured:rapl", "estimated:cpu-estimate", "none"
  std::int64_t started_ns = 0;
  std::int64_t started_unix_s = 0;
  std::optional<UpstreamUrl> upstream;  // proxy mode

  std::unique_ptr<EnergyLedger> ledger;
  std::unique_ptr<EngineWorker> worker;  // embedded mode
  MetricsRegistry registry;
  std::unique_ptr<NodeMetrics> metrics;

  HttpServer http;
  int port = 0;
  std::thread http_thread;
  std::atomic<bool> listener_done{false};

  std::thread ticker;
  std::mutex ticker_mu;
  std::condition_variable ticker_cv;
  bool ticker_stop = false;  // guarded by ticker_mu

  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};

  // Proxy calls in flight, so shutdown can cut them off.
  std::mutex proxy_mu;
  std::set<ProxyCall*> proxy_calls;  // guarded by proxy_mu
  bool proxy_cancelled = false;      // guarded by proxy_mu

  bool embedded() const { return worker != nullptr; }
  // The request's cost fields known before it runs: node, zone, intensity
  // now (looked up once per call), energy source.
  CostInfo cost_now() const;
  // Completes a cost with the measured energy (and the carbon it implies).
  static void charge(CostInfo& cost, std::optional<double> joules);
  std::int64_t unix_now_s() const;
  void register_routes();
  void tick_loop();
};

// Counts a request in flight for the graceful shutdown; movable into a
// stream's state so a streaming response stays counted until its last byte.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& counter) : counter_(&counter) { counter_->fetch_add(1); }
  ~InFlight() { release(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  void release() {
    if (counter_ != nullptr) counter_->fetch_sub(1);
    counter_ = nullptr;
  }

 private:
  std::atomic<int>* counter_;
};

// Response helpers: JSON bodies with the right content type.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, const ApiError& error);
void add_headers(httplib::Response& res, const std::vector<std::pair<std::string, std::string>>& headers);

// The handlers.
void handle_embedded_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                                httplib::Response& res);
void handle_proxy_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                             httplib::Response& res);
void handle_proxy_models(NodeAgent::Impl& node, httplib::Response& res);
void cancel_proxy_calls(NodeAgent::Impl& node);
nlohmann::json telemetry_json(const NodeAgent::Impl& node);

// Metric bookkeeping of one finished request.
struct RequestRecord {
  Endpoint endpoint = Endpoint::kCompletions;
  int http_status = 200;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<double> energy_joules;
  std::optional<double> carbon_grams;
  double duration_s = 0.0;
  std::optional<double> ttft_s;
};
void record_request(NodeAgent::Impl& node, const RequestRecord& record);

}  // namespace greenroute::server
