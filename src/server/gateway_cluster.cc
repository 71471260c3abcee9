// The gateway's cluster: health polls, node registration and heartbeats, the
// recent-decisions ring and /v1/cluster.
#include <cctype>
#include <chrono>
#include <exception>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gateway_impl.h"
#include "greenroute/core/log.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/profile/reference_profiles.h"

namespace greenroute::server {

using nlohmann::json;

void Gateway::Impl::poll_loop() {
  std::unique_lock<std::mutex> lock(poll_mu);
  while (!poll_stop) {
    // A real wait (pacing), not a measurement.
    poll_cv.wait_for(lock, std::chrono::milliseconds(defaults.health_interval_ms),
                     [&] { return poll_stop || poll_now; });
    if (poll_stop) break;
    poll_now = false;
    lock.unlock();
    poll_all();
    lock.lock();
  }
}

void Gateway::Impl::poll_all() {
  // On the pool: a dead node's timeout holds up one thread, not the round.
  const std::vector<NodePtr> nodes = registry->nodes();
  poll_workers->parallel_for(nodes.size(), [&](std::size_t i, int) {
    try {
      poll_node(nodes[i]);
    } catch (const std::exception& e) {
      node_failed(nodes[i], std::string("poll failed: ") + e.what());
    }
  });
}

void Gateway::Impl::node_failed(const NodePtr& node, const std::string& error) {
  if (node->failed(error, defaults.eject_after_failures, now_ns())) {
    spdlog::warn("gateway: node {} ejected after {} consecutive failure(s): {}", node->spec().name,
                 defaults.eject_after_failures, error);
  }
}

void Gateway::Impl::poll_node(const NodePtr& node) {
  core::Result<std::string> body = http_get(node->url(), "/v1/node/telemetry", poll_timeouts);
  if (!body.is_ok()) return node_failed(node, body.status().message());
  core::Result<NodeTelemetry> t = parse_telemetry(*body);
  if (!t.is_ok()) return node_failed(node, "telemetry: " + t.status().message());
  std::optional<std::vector<std::string>> models;
  if (core::Result<std::string> m = http_get(node->url(), "/v1/models", poll_timeouts); m.is_ok()) {
    if (auto ids = parse_model_ids(*m); ids.is_ok()) models = std::move(ids).value();
  }
  std::optional<double> fallback;
  if (!t->intensity && node->carbon() != nullptr) {
    if (auto i = node->carbon()->intensity(node->spec().zone, unix_now_s()); i.is_ok())
      fallback = i->g_co2_per_kwh;
  }
  const bool was_healthy = node->healthy();
  if (node->poll_ok(std::move(t).value(), std::move(models), fallback, now_ns())) {
    if (!was_healthy) spdlog::info("gateway: node {} is routable", node->spec().name);
  }
}

void Gateway::Impl::record_decision(DecisionRecord record) {
  std::lock_guard<std::mutex> lock(decisions_mu);
  decisions.push_back(std::move(record));
  while (decisions.size() > options.decision_log) decisions.pop_front();
}

void Gateway::Impl::finish_decision(std::uint64_t id, int status, std::optional<double> observed_ms,
                                    std::optional<double> energy_j) {
  std::lock_guard<std::mutex> lock(decisions_mu);
  for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
    if (it->id != id) continue;
    it->status = status;
    it->observed_ms = observed_ms;
    it->observed_energy_j = energy_j;
    return;
  }
}

namespace {

json optional_json(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json decision_json(const DecisionRecord& d) {
  json j = {{"id", d.id},
            {"unix_ms", d.unix_ms},
            {"endpoint", d.endpoint},
            {"model", d.model},
            {"policy", d.policy},
            {"node", d.node.empty() ? json(nullptr) : json(d.node)},
            {"reason", d.reason},
            {"attempt", d.attempt},
            {"batch", d.batch},
            {"slo_ms", optional_json(d.slo_ms)},
            {"slo_fallback", d.slo_fallback},
            {"predicted",
             {{"latency_ms", d.predicted.latency_ms},
              {"queue_wait_ms", d.predicted.queue_wait_ms},
              {"energy_j", d.predicted.energy_j},
              {"carbon_g", d.predicted.carbon_g}}},
            {"status", d.status == 0 ? json(nullptr) : json(d.status)},
            {"observed",
             {{"latency_ms", optional_json(d.observed_ms)},
              {"energy_j", optional_json(d.observed_energy_j)}}}};
  json b = {{"policy", routing::policy_name(d.baseline.baseline)},
            {"available", d.baseline.available}};
  if (d.baseline.baseline_chosen) {
    b["node"] = d.baseline_node;
    b["predicted"] = {{"latency_ms", d.baseline.baseline_prediction.latency_ms},
                      {"energy_j", d.baseline.baseline_prediction.energy_j},
                      {"carbon_g", d.baseline.baseline_prediction.carbon_g}};
    b["carbon_saved_g"] = d.baseline.carbon_saved_g;
    b["latency_gained_ms"] = d.baseline.latency_gained_ms;
  }
  j["baseline"] = b;
  return j;
}

}  // namespace

json Gateway::Impl::cluster_json() {
  const std::int64_t now = now_ns();
  json nodes = json::array();
  for (const NodePtr& n : registry->nodes()) nodes.push_back(n->to_json(now));
  json recent = json::array();
  {
    std::lock_guard<std::mutex> lock(decisions_mu);
    for (auto it = decisions.rbegin(); it != decisions.rend(); ++it)
      recent.push_back(decision_json(*it));
  }
  const routing::AdmissionStats a = admission->stats();
  return {{"policy", routing::policy_name(defaults.policy)},
          {"baseline_policy", routing::policy_name(defaults.baseline_policy)},
          {"slo_ms", defaults.slo_ms > 0 ? json(defaults.slo_ms) : json(nullptr)},
          {"batch_window_ms", defaults.batch_window_ms},
          {"status", draining.load() ? "draining" : "ok"},
          {"queue",
           {{"requests", a.queued_requests},
            {"tokens", a.queued_tokens},
            {"limit", defaults.queue_limit},
            {"admitted", a.admitted},
            {"rejected_full", a.rejected_full},
            {"rejected_too_large", a.rejected_too_large}}},
          {"nodes", nodes},
          {"decisions", recent}};
}

namespace {

bool valid_node_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

ApiResult<NodeSpec> parse_registration(const Gateway::Impl& gw, const std::string& body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return invalid_request("", "the body must be a JSON object {name, url, zone, ...}",
                           "invalid_json");
  static const std::set<std::string> kKnown = {"name",    "url",    "zone",
                                               "profile", "carbon", "max_batch"};
  for (const auto& [key, value] : j.items()) {
    if (!kKnown.contains(key)) {
      return invalid_request(
          key, "unknown field '" + key + "' (known: name, url, zone, profile, carbon, max_batch)",
          "unknown_field");
    }
  }
  NodeSpec spec;
  spec.registered = true;
  for (const char* key : {"name", "url", "zone"}) {
    if (!j.contains(key) || !j[key].is_string()) {
      return invalid_request(key, std::string("'") + key + "' is required and must be a string",
                             "invalid_type");
    }
  }
  spec.name = j["name"].get<std::string>();
  spec.url = j["url"].get<std::string>();
  spec.zone = j["zone"].get<std::string>();
  if (!valid_node_name(spec.name))
    return invalid_request("name", "'name' must be 1 to 64 of A-Z a-z 0-9 . _ -");
  if (auto u = parse_node_url(spec.url); !u.is_ok())
    return invalid_request("url", u.status().message());
  if (spec.zone.empty() || spec.zone.size() > 64)
    return invalid_request("zone", "'zone' must be 1 to 64 characters");
  if (j.contains("carbon")) {
    if (!j["carbon"].is_string())
      return invalid_request("carbon", "'carbon' must be a carbon source spec string",
                             "invalid_type");
    spec.carbon = j["carbon"].get<std::string>();
  }
  if (j.contains("max_batch")) {
    if (!j["max_batch"].is_number_integer() || j["max_batch"].get<std::int64_t>() < 1 ||
        j["max_batch"].get<std::int64_t>() > 4096) {
      return invalid_request("max_batch", "'max_batch' must be an integer in [1, 4096]");
    }
    spec.max_batch = j["max_batch"].get<int>();
  }
  if (j.contains("profile")) {
    const json& p = j["profile"];
    core::Result<profile::DeviceProfile> prof =
        core::invalid_argument("'profile' must be a name, a path or an object");
    if (p.is_string()) {
      spec.profile_ref = p.get<std::string>();
      auto opened = profile::open_profile(spec.profile_ref, gw.config_dir);
      if (opened.is_ok()) {
        prof = std::move(opened->profile);
      } else {
        prof = opened.status();
      }
    } else if (p.is_object()) {
      spec.profile_ref = "(inline)";
      prof = profile::profile_from_json(p, "profile");
    }
    if (!prof.is_ok()) return invalid_request("profile", prof.status().message());
    spec.profile = std::make_shared<const profile::DeviceProfile>(std::move(prof).value());
  }
  return spec;
}

}  // namespace

void handle_register_node(Gateway::Impl& gw, const httplib::Request& req, httplib::Response& res) {
  ApiResult<NodeSpec> spec = parse_registration(gw, req.body);
  if (!spec.is_ok()) return send_error(res, spec.error());
  auto added = gw.registry->add(std::move(spec).value());
  if (!added.is_ok()) {
    ApiError e = invalid_request("name", added.status().message(), "conflict");
    e.http_status = 409;
    return send_error(res, e);
  }
  const auto& [node, is_new] = added.value();
  node->contact(gw.now_ns());
  spdlog::info("gateway: node {} {} at {}", node->spec().name,
               is_new ? "registered" : "re-registered", node->spec().url);
  {
    std::lock_guard<std::mutex> lock(gw.poll_mu);
    gw.poll_now = true;  // learn its models and telemetry now
  }
  gw.poll_cv.notify_all();
  send_json(res, is_new ? 201 : 200, {{"node", node->to_json(gw.now_ns())}});
}

void handle_heartbeat(Gateway::Impl& gw, const std::string& name, httplib::Response& res) {
  const NodePtr node = gw.registry->find(name);
  if (node == nullptr) {
    ApiError e =
        invalid_request("name", "no node named '" + name + "' (register it first)", "not_found");
    e.http_status = 404;
    return send_error(res, e);
  }
  node->contact(gw.now_ns());
  send_json(res, 200, {{"node", name}, {"healthy", node->healthy()}});
}

void handle_remove_node(Gateway::Impl& gw, const std::string& name, httplib::Response& res) {
  const core::Status s = gw.registry->remove(name);
  if (s.is_ok()) return send_json(res, 200, {{"removed", name}});
  ApiError e = invalid_request("name", s.message(),
                               s.code() == core::StatusCode::kNotFound ? "not_found" : "conflict");
  e.http_status = s.code() == core::StatusCode::kNotFound ? 404 : 409;
  send_error(res, e);
}

}  // namespace greenroute::server
