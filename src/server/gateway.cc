// Gateway lifecycle, routes and the small endpoints (/health, /v1/models,
// /metrics); requests live in gateway_route.cc, gateway_forward.cc and
// gateway_stream.cc; the cluster view, registration and polls in
// gateway_cluster.cc.
#include "greenroute/server/gateway.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <set>
#include <utility>

#include "gateway_impl.h"
#include "greenroute/core/log.h"
#include "greenroute/server/sse.h"

namespace greenroute::server {

using nlohmann::json;

namespace {

// Health polls: nodes polled at once, the poller thread included (more wait
// for a free thread, so one that times out holds up only its own thread).
constexpr int kPollThreads = 8;

json models_json(const Gateway::Impl& gw) {
  std::map<std::string, std::vector<std::string>> by_model;  // model -> nodes
  for (const NodePtr& n : gw.registry->nodes()) {
    if (!n->healthy()) continue;
    for (const std::string& m : n->models()) by_model[m].push_back(n->spec().name);
  }
  json data = json::array();
  for (const auto& [id, nodes] : by_model) {
    data.push_back({{"id", id},
                    {"object", "model"},
                    {"created", 0},
                    {"owned_by", "greenroute"},
                    {"greenroute", {{"nodes", nodes}}}});
  }
  return {{"object", "list"}, {"data", data}};
}

}  // namespace

void Gateway::Impl::register_routes() {
  for (const Endpoint ep : {Endpoint::kCompletions, Endpoint::kChatCompletions}) {
    http.Post(std::string(endpoint_path(ep)),
              [this, ep](const httplib::Request& req, httplib::Response& res) {
                guarded("gateway", res, [&] { handle_gateway_completion(*this, ep, req, res); });
              });
  }
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    guarded("gateway", res, [&] { send_json(res, 200, models_json(*this)); });
  });
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    guarded("gateway", res, [&] {
      int healthy = 0;
      const std::vector<NodePtr> nodes = registry->nodes();
      for (const NodePtr& n : nodes) healthy += n->healthy() ? 1 : 0;
      const char* status = draining.load() ? "draining" : healthy == 0 ? "no_healthy_node" : "ok";
      send_json(res, std::string(status) == "ok" ? 200 : 503,
                {{"status", status}, {"nodes_healthy", healthy}, {"nodes", nodes.size()}});
    });
  });
  http.Get("/v1/cluster", [this](const httplib::Request&, httplib::Response& res) {
    guarded("gateway", res, [&] { send_json(res, 200, cluster_json()); });
  });
  http.Post("/v1/cluster/nodes", [this](const httplib::Request& req, httplib::Response& res) {
    guarded("gateway", res, [&] { handle_register_node(*this, req, res); });
  });
  http.Post(R"(/v1/cluster/nodes/([A-Za-z0-9._-]+)/heartbeat)",
            [this](const httplib::Request& req, httplib::Response& res) {
              guarded("gateway", res, [&] { handle_heartbeat(*this, req.matches[1].str(), res); });
            });
  http.Delete(R"(/v1/cluster/nodes/([A-Za-z0-9._-]+))", [this](const httplib::Request& req,
                                                               httplib::Response& res) {
    guarded("gateway", res, [&] { handle_remove_node(*this, req.matches[1].str(), res); });
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    guarded("gateway", res, [&] {
      res.set_content(registry_metrics.render(), std::string(kPrometheusContentType));
    });
  });
  // httplib calls this for every status >= 400, ours included: only fill in
  // the bodies it left empty (no route, body too large, unparsable request).
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req,
             httplib::Response& res) -> httplib::Server::HandlerResponse {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiError e = invalid_request(
            "", "the HTTP request could not be served (status " + std::to_string(res.status) + ")",
            "http_error");
        e.http_status = res.status;
        if (res.status == 404) {
          e = invalid_request("", "no route for " + req.method + " " + req.path, "not_found");
          e.http_status = 404;
        } else if (res.status == 413) {
          e = invalid_request("",
                              "the request body exceeds the limit of " +
                                  std::to_string(options.max_body_bytes) + " bytes",
                              "request_too_large");
          e.http_status = 413;
        } else if (res.status >= 500) {
          e.type = kServerError;
        }
        res.set_content(api_error_body(e), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_error(res, server_error(500, "internal error", "internal_error"));
      });
}

namespace {

// Per-node gauges and queue gauges, refreshed per scrape.
void collect(Gateway::Impl& gw) {
  GatewayMetrics& m = *gw.metrics;
  for (const NodePtr& n : gw.registry->nodes()) {
    const std::string& name = n->spec().name;
    m.node_healthy.with({name, n->spec().zone}).set(n->healthy() ? 1 : 0);
    m.node_in_flight.with({name}).set(n->in_flight());
    if (const auto i = n->intensity()) m.node_intensity.with({name}).set(*i);
    const routing::Correction c = n->corrector().correction();
    m.correction.with({name, "latency"}).set(c.latency_ratio);
    m.correction.with({name, "energy"}).set(c.energy_ratio);
    const routing::PredictionErrorStats e = n->corrector().error_stats();
    if (e.latency_observations > 0) m.mape.with({name, "latency"}).set(e.latency_mape_pct);
    if (e.energy_observations > 0) m.mape.with({name, "energy"}).set(e.energy_mape_pct);
    Counter& ej = m.ejections.with({name});
    const double total = static_cast<double>(n->ejections());
    if (total > ej.value()) ej.inc(total - ej.value());
  }
  const routing::AdmissionStats s = gw.admission->stats();
  m.queue_requests.with().set(static_cast<double>(s.queued_requests));
  m.queue_tokens.with().set(static_cast<double>(s.queued_tokens));
}

}  // namespace

core::Result<std::unique_ptr<Gateway>> Gateway::start(const routing::ClusterConfig& config,
                                                      const GatewayOptions& options,
                                                      const GatewayDependencies& deps) {
  if (deps.clock == nullptr || deps.unix_clock == nullptr)
    return core::invalid_argument("gateway: clocks are required");
  if (options.http_threads < 2)
    return core::invalid_argument("gateway: at least 2 HTTP threads are needed");
  if (options.max_attempts < 1)
    return core::invalid_argument("gateway: max_attempts must be at least 1");
  if (options.default_max_tokens < 1)
    return core::invalid_argument("gateway: default_max_tokens must be >= 1");
  auto impl = std::make_unique<Impl>();
  Impl& gw = *impl;
  gw.options = options;
  gw.deps = deps;
  gw.defaults = config.defaults;
  gw.config_dir = config.source.empty() ? std::filesystem::path() : config.source.parent_path();
  gw.parse_options.max_body_bytes = options.max_body_bytes;
  const routing::ClusterDefaults& d = config.defaults;
  gw.timeouts = {.connect_ms = d.connect_timeout_ms, .read_ms = d.request_timeout_ms};
  gw.poll_timeouts = {.connect_ms = d.connect_timeout_ms,
                      .read_ms = std::clamp<std::int64_t>(d.health_interval_ms, 500, 5000)};

  routing::PolicyOptions po;
  po.hybrid_alpha = d.hybrid_alpha;
  po.seed = options.seed;
  if (d.slo_ms > 0) po.default_slo_ms = static_cast<double>(d.slo_ms);
  for (const std::string_view name : routing::policy_names()) {
    GR_ASSIGN_OR_RETURN(auto policy, routing::make_policy(name, po));
    gw.policies[policy->kind()] = std::move(policy);
  }
  GR_ASSIGN_OR_RETURN(gw.counterfactual, routing::CounterfactualEstimator::create(
                                             routing::policy_name(d.baseline_policy), po));
  routing::AdmissionOptions ao;
  ao.max_queued_requests = static_cast<std::uint64_t>(d.queue_limit);  // 0: no limit
  ao.max_queued_tokens = std::uint64_t{1}
                         << 40;  // the count is what binds; tokens only for Retry-After
  GR_ASSIGN_OR_RETURN(gw.admission, routing::AdmissionController::create(ao, *deps.clock));
  gw.metrics = std::make_unique<GatewayMetrics>(gw.registry_metrics);
  if (d.batch_window_ms > 0) {
    routing::BatcherOptions bo{.max_wait_ms = static_cast<double>(d.batch_window_ms),
                               .max_batch = d.max_batch};
    GR_RETURN_IF_ERROR(routing::validate_batcher_options(bo));
    gw.batcher = std::make_unique<GatewayBatcher>(bo, *deps.clock, *gw.metrics);
  }

  carbon::SourceFactoryContext cctx;
  cctx.unix_clock = deps.unix_clock;
  gw.registry = std::make_unique<NodeRegistry>(routing::PredictorOptions{}, cctx);
  for (const routing::NodeConfig& n : config.nodes) {
    NodeSpec spec{.name = n.name,
                  .url = n.url,
                  .zone = n.zone,
                  .carbon = n.carbon,
                  .profile_ref = n.profile_ref,
                  .profile = n.profile,
                  .max_batch = n.max_batch,
                  .registered = false};
    auto added = gw.registry->add(std::move(spec));
    if (!added.is_ok()) return added.status().with_context("node " + n.name);
  }
  Impl* raw = impl.get();
  gw.registry_metrics.on_collect([raw] { collect(*raw); });

  gw.http.configure(options.http_threads, options.max_body_bytes);
  gw.register_routes();
  GR_ASSIGN_OR_RETURN(gw.port, gw.http.bind(options.host, options.port));
  gw.poll_workers = std::make_unique<core::ThreadPool>(kPollThreads);
  gw.poll_all();  // the first round before serving: live nodes are routable at once
  gw.poller = std::thread([raw] { raw->poll_loop(); });
  gw.http_thread = std::thread([raw] {
    if (!raw->http.listen_after_bind()) spdlog::debug("gateway: listener stopped");
  });
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() {
  shutdown(0);
}
int Gateway::port() const {
  return impl_->port;
}
const std::string& Gateway::host() const {
  return impl_->options.host;
}

void Gateway::shutdown(std::int64_t grace_ms) {
  Impl& gw = *impl_;
  if (gw.stopped.exchange(true)) return;
  gw.draining = true;
  wait_until_idle(gw.in_flight, grace_ms);
  if (gw.batcher) gw.batcher->stop();
  if (gw.in_flight.load() > 0) {
    spdlog::info("gateway: cutting off {} request(s) still in flight", gw.in_flight.load());
    gw.upstream.cancel_all();
    wait_until_idle(gw.in_flight, 10'000);  // every cut-off request writes its final answer
  }
  gw.http.stop();
  if (gw.http_thread.joinable()) gw.http_thread.join();
  {
    std::lock_guard<std::mutex> lock(gw.poll_mu);
    gw.poll_stop = true;
  }
  gw.poll_cv.notify_all();
  if (gw.poller.joinable()) gw.poller.join();
}

}  // namespace greenroute::server
