// NodeAgent lifecycle and the small endpoints (/health, /v1/models,
// /v1/node/telemetry, /metrics); completions live in node_completions.cc and
// node_proxy.cc.
#include "greenroute/server/node_agent.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <utility>

#include "greenroute/carbon/accounting.h"
#include "greenroute/core/log.h"
#include "greenroute/server/sse.h"
#include "node_impl.h"

namespace greenroute::server {

std::int64_t NodeAgent::Impl::unix_now_s() const { return deps.unix_clock->now_ns() / 1'000'000'000; }

CostInfo NodeAgent::Impl::cost_now() const {
  CostInfo c;
  c.node = options.name;
  c.zone = options.zone;
  c.energy_source = energy_source;
  if (deps.carbon != nullptr && !options.zone.empty()) {
    core::Result<carbon::Intensity> i = deps.carbon->intensity(options.zone, unix_now_s());
    if (i.is_ok()) {
      c.intensity_g_per_kwh = i->g_co2_per_kwh;
    } else {
      spdlog::warn("node: no carbon intensity for zone {}: {}", options.zone, i.status().to_string());
    }
  }
  return c;
}

void NodeAgent::Impl::charge(CostInfo& cost, std::optional<double> joules) {
  cost.energy_joules = joules;
  if (joules && cost.intensity_g_per_kwh) cost.carbon_grams = carbon::grams_co2(*joules, *cost.intensity_g_per_kwh);
}

RequestRecord request_record(const NodeAgent::Impl& node, Endpoint endpoint, int status, std::int64_t t0_ns,
                             std::int64_t first_token_ns) {
  RequestRecord rec;
  rec.endpoint = endpoint;
  rec.http_status = status;
  rec.duration_s = static_cast<double>(node.deps.clock->now_ns() - t0_ns) * 1e-9;
  if (first_token_ns >= 0) rec.ttft_s = static_cast<double>(first_token_ns - t0_ns) * 1e-9;
  return rec;
}

void fail_request(NodeAgent::Impl& node, Endpoint endpoint, std::int64_t t0_ns, const ApiError& error,
                  httplib::Response& res) {
  send_error(res, error);
  record_request(node, request_record(node, endpoint, error.http_status, t0_ns));
}

std::optional<OpenAiRequest> accept_completion(NodeAgent::Impl& node, Endpoint endpoint, std::int64_t t0_ns,
                                               const httplib::Request& req, httplib::Response& res) {
  ApiResult<OpenAiRequest> parsed = parse_openai_request(endpoint, req.body, node.parse_options);
  if (!parsed.is_ok()) {
    fail_request(node, endpoint, t0_ns, parsed.error(), res);
    return std::nullopt;
  }
  if (node.draining.load()) {
    fail_request(node, endpoint, t0_ns, server_error(503, "the node is shutting down", "shutting_down"), res);
    return std::nullopt;
  }
  return std::move(parsed).value();
}

void record_request(NodeAgent::Impl& node, const RequestRecord& r) {
  NodeMetrics& m = *node.metrics;
  const std::string endpoint(endpoint_label(r.endpoint));
  m.requests.with({endpoint, std::to_string(r.http_status)}).inc();
  m.prompt_tokens.with().inc(static_cast<double>(r.prompt_tokens));
  m.completion_tokens.with().inc(static_cast<double>(r.completion_tokens));
  if (r.energy_joules) {
    m.request_energy.with().inc(*r.energy_joules);
    m.energy.with({endpoint}).observe(*r.energy_joules);
  }
  if (r.carbon_grams) m.carbon.with().inc(*r.carbon_grams);
  m.duration.with({endpoint}).observe(r.duration_s);
  if (r.ttft_s) m.ttft.with({endpoint}).observe(*r.ttft_s);
  if (r.http_status >= 200 && r.http_status < 300) {
    node.completed.fetch_add(1);
  } else {
    node.failed.fetch_add(1);
  }
}

void NodeAgent::Impl::tick_loop() {
  std::unique_lock<std::mutex> lock(ticker_mu);
  while (!ticker_stop) {
    // A real wait (pacing), not a measurement: the ledger reads the clock.
    ticker_cv.wait_for(lock, std::chrono::milliseconds(options.tick_ms));
    if (ticker_stop) break;
    lock.unlock();
    ledger->tick();
    lock.lock();
  }
}

void NodeAgent::Impl::register_routes() {
  for (const Endpoint ep : {Endpoint::kCompletions, Endpoint::kChatCompletions}) {
    http.Post(std::string(endpoint_path(ep)), [this, ep](const httplib::Request& req, httplib::Response& res) {
      guarded("node", res, [&] {
        if (embedded()) {
          handle_embedded_completion(*this, ep, req, res);
        } else {
          handle_proxy_completion(*this, ep, req, res);
        }
      });
    });
  }
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    guarded("node", res, [&] {
      if (!embedded()) {
        handle_proxy_models(*this, res);
        return;
      }
      nlohmann::json model = {{"id", options.model_id},
                              {"object", "model"},
                              {"created", started_unix_s},
                              {"owned_by", "greenroute"},
                              {"greenroute", {{"node", options.name}, {"zone", options.zone}}}};
      send_json(res, 200, {{"object", "list"}, {"data", nlohmann::json::array({model})}});
    });
  });
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    guarded("node", res, [&] {
      const bool engine_failed = embedded() && worker->snapshot().failed;
      const char* status = draining.load() ? "draining" : engine_failed ? "failed" : "ok";
      send_json(res, std::string(status) == "ok" ? 200 : 503,
                {{"status", status},
                 {"node", options.name},
                 {"mode", embedded() ? "embedded" : "proxy"},
                 {"model", options.model_id}});
    });
  });
  http.Get("/v1/node/telemetry", [this](const httplib::Request&, httplib::Response& res) {
    guarded("node", res, [&] { send_json(res, 200, telemetry_json(*this)); });
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    guarded("node", res, [&] { res.set_content(registry.render(), std::string(kPrometheusContentType)); });
  });
  // httplib calls this for every status >= 400, ours included: only fill in
  // the bodies it left empty (no route, body too large, unparsable request).
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) -> httplib::Server::HandlerResponse {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiError e;
        e.http_status = res.status;
        if (res.status == 404) {
          e = invalid_request("", "no route for " + req.method + " " + req.path, "not_found");
          e.http_status = 404;
        } else if (res.status == 413) {
          e = invalid_request("", "the request body exceeds the limit of " +
                                      std::to_string(options.max_body_bytes) + " bytes",
                              "request_too_large");
          e.http_status = 413;
        } else {
          e.message = "the HTTP request could not be served (status " + std::to_string(res.status) + ")";
          e.code = "http_error";
          if (res.status >= 500) e.type = kServerError;
        }
        res.set_content(api_error_body(e), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, server_error(500, "internal error", "internal_error"));
  });
}

core::Result<std::unique_ptr<NodeAgent>> NodeAgent::start(const NodeOptions& options, const NodeDependencies& deps) {
  if (deps.clock == nullptr || deps.unix_clock == nullptr) return core::invalid_argument("node: clocks are required");
  if (options.name.empty()) return core::invalid_argument("--name must not be empty");
  if (options.max_batch < 1) return core::invalid_argument("--max-batch must be at least 1");
  if (options.max_wait_ms < 0) return core::invalid_argument("--max-wait-ms must be >= 0");
  if (options.http_threads < 2) return core::invalid_argument("node: at least 2 HTTP threads are needed");
  if (options.tick_ms < 1) return core::invalid_argument("node: tick_ms must be >= 1");
  const bool proxy = !options.upstream.empty();
  if (proxy == (deps.context != nullptr)) {
    return core::invalid_argument("node: give either a model (embedded engine) or --upstream (proxy), not both");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->deps = deps;
  impl->parse_options.max_body_bytes = options.max_body_bytes;
  impl->started_ns = deps.clock->now_ns();
  impl->started_unix_s = impl->unix_now_s();
  if (deps.sampler != nullptr) {
    const power::MeterInfo& m = deps.sampler->meter_info();
    impl->energy_source = std::string(m.measured ? "measured:" : "estimated:") + m.name;
  } else {
    impl->energy_source = "none";
  }
  if (proxy) {
    GR_ASSIGN_OR_RETURN(UpstreamUrl up, parse_upstream_url(options.upstream));
    impl->upstream = std::move(up);
  } else {
    if (options.max_batch > deps.context->params().max_sequences) {
      return core::invalid_argument("--max-batch " + std::to_string(options.max_batch) + " exceeds the context's " +
                                    std::to_string(deps.context->params().max_sequences) + " sequences");
    }
    if (options.model_id.empty()) return core::invalid_argument("node: the model id must not be empty");
  }
  impl->ledger = std::make_unique<EnergyLedger>(deps.sampler, *deps.clock);
  impl->metrics = std::make_unique<NodeMetrics>(impl->registry);
  if (!proxy) {
    EngineWorkerOptions wo;
    wo.max_batch = options.max_batch;
    wo.max_wait_ns = static_cast<std::int64_t>(options.max_wait_ms) * 1'000'000;
    wo.max_queue = options.max_queue;
    impl->worker = std::make_unique<EngineWorker>(*deps.context, *deps.clock, *impl->ledger, wo);
    impl->prompt_bytes = std::make_unique<PromptBytesPerToken>(deps.context->model().tokenizer());
  }

  Impl* raw = impl.get();
  impl->registry.on_collect([raw] {
    // Gauges from live state, refreshed per scrape.
    NodeMetrics& m = *raw->metrics;
    if (raw->embedded()) {
      const EngineSnapshot s = raw->worker->snapshot();
      m.queue_requests.with().set(static_cast<double>(s.queued_requests));
      m.queue_tokens.with().set(static_cast<double>(s.queued_tokens));
      m.running.with().set(static_cast<double>(s.running));
      m.memory_used.with().set(static_cast<double>(s.memory_used_bytes));
      m.memory_limit.with().set(static_cast<double>(s.memory_limit_bytes));
    }
    m.in_flight.with().set(raw->in_flight.load());
    if (raw->deps.sampler != nullptr) {
      if (auto r = raw->deps.sampler->latest(); r && std::isfinite(r->watts)) m.power.with().set(r->watts);
    }
    const CostInfo c = raw->cost_now();
    if (c.intensity_g_per_kwh) m.intensity.with().set(*c.intensity_g_per_kwh);
    // The ledger's device total only grows; the counter follows it.
    Counter& device = m.device_energy.with();
    const double total = raw->ledger->totals().device_joules;
    if (total > device.value()) device.inc(total - device.value());
  });

  impl->http.configure(options.http_threads, options.max_body_bytes);
  impl->register_routes();

  GR_ASSIGN_OR_RETURN(impl->port, impl->http.bind(options.host, options.port));
  if (impl->worker) impl->worker->start();
  impl->ticker = std::thread([raw] { raw->tick_loop(); });
  impl->http_thread = std::thread([raw] {
    if (!raw->http.listen_after_bind()) spdlog::debug("node: listener stopped");
    raw->listener_done = true;
  });
  // httplib's stop() is a no-op until the listener runs: wait for it, so a
  // shutdown right after start() cannot miss it and hang in the join.
  while (!impl->http.is_running() && !impl->listener_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<NodeAgent>(new NodeAgent(std::move(impl)));
}

NodeAgent::NodeAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeAgent::~NodeAgent() { shutdown(0); }

int NodeAgent::port() const { return impl_->port; }
const std::string& NodeAgent::host() const { return impl_->options.host; }

void NodeAgent::shutdown(std::int64_t grace_ms) {
  Impl& n = *impl_;
  if (n.stopped.exchange(true)) return;
  n.draining = true;
  wait_until_idle(n.in_flight, grace_ms);
  if (n.in_flight.load() > 0) {
    spdlog::info("node: cancelling {} request(s) still in flight", n.in_flight.load());
    if (n.worker) n.worker->cancel_all(core::unavailable("the node is shutting down"));
    n.upstream_client.cancel_all();
    wait_until_idle(n.in_flight, 10'000);  // every cancelled request writes its final answer
  }
  n.http.stop();
  if (n.http_thread.joinable()) n.http_thread.join();
  if (n.worker) n.worker->stop();
  {
    std::lock_guard<std::mutex> lock(n.ticker_mu);
    n.ticker_stop = true;
  }
  n.ticker_cv.notify_all();
  if (n.ticker.joinable()) n.ticker.join();
}

}  // namespace greenroute::server
