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
#include "greenroute/server/sse.h"
#include "http_answer.h"
#include "http_server.h"
#include "node_metrics.h"
#include "prompt_bytes.h"
#include "upstream_call.h"

namespace greenroute::server {

struct NodeAgent::Impl {
  // First, so it is destroyed last: its workers outlive every proxy call.
  UpstreamClient upstream_client;  // proxy calls: shutdown's cancel_all, kept connections, workers
  NodeOptions options;
  NodeDependencies deps;
  ParseOptions parse_options;
  std::string energy_source;  // "measured:rapl", "estimated:cpu-estimate", "none"
  std::int64_t started_ns = 0;
  std::int64_t started_unix_s = 0;
  std::optional<UpstreamUrl> upstream;  // proxy mode

  std::unique_ptr<EnergyLedger> ledger;
  std::unique_ptr<EngineWorker> worker;  // embedded mode
  std::unique_ptr<PromptBytesPerToken> prompt_bytes;  // embedded mode: for the gateway's token estimate
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

// The handlers.
void handle_embedded_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                                httplib::Response& res);
void handle_proxy_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                             httplib::Response& res);
void handle_proxy_models(NodeAgent::Impl& node, httplib::Response& res);
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

  void set_cost(const CostInfo& cost) {
    energy_joules = cost.energy_joules;
    carbon_grams = cost.carbon_grams;
  }
};
// A record of a request that started at t0_ns and ends now with `status`;
// first_token_ns >= 0 also sets its time to first token.
RequestRecord request_record(const NodeAgent::Impl& node, Endpoint endpoint, int status, std::int64_t t0_ns,
                             std::int64_t first_token_ns = -1);
void record_request(NodeAgent::Impl& node, const RequestRecord& record);

// Answers `error` and counts the request (its status and duration).
void fail_request(NodeAgent::Impl& node, Endpoint endpoint, std::int64_t t0_ns, const ApiError& error,
                  httplib::Response& res);

// The start both completion handlers share: the body parsed and validated,
// and refused while the node drains. nullopt once the error is answered.
std::optional<OpenAiRequest> accept_completion(NodeAgent::Impl& node, Endpoint endpoint, std::int64_t t0_ns,
                                               const httplib::Request& req, httplib::Response& res);

// Answers with an SSE stream that `state` writes: state->run(sink) (an
// exception aborts it: providers run inside httplib's writer, outside any
// handler's guard); when the response is gone (sent, or the connection died
// first), a stream that never recorded its outcome is aborted, and its
// in-flight count released. State: run(DataSink&) and abort() returning
// bool, `recorded`, `in_flight`.
template <typename State>
void serve_sse(httplib::Response& res, std::shared_ptr<State> state) {
  res.set_header("Cache-Control", "no-cache");
  res.status = 200;
  res.set_chunked_content_provider(
      std::string(kSseContentType),
      [state](std::size_t, httplib::DataSink& sink) {
        try {
          return state->run(sink);
        } catch (...) {
          return state->abort();
        }
      },
      [state](bool) {
        if (!state->recorded) state->abort();
        state->in_flight.reset();
      });
}

}  // namespace greenroute::server
