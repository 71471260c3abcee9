#include "gateway_nodes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace greenroute::server {
namespace {

using nlohmann::json;

template <typename T>
std::optional<T> number_at(const json& j, const char* a, const char* b) {
  if (!j.is_object() || !j.contains(a) || !j[a].is_object()) return std::nullopt;
  const json& o = j[a];
  if (!o.contains(b) || !o[b].is_number()) return std::nullopt;
  const double v = o[b].get<double>();
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  return static_cast<T>(v);
}

}  // namespace

core::Result<NodeTelemetry> parse_telemetry(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("node"))
    return core::invalid_argument("not a telemetry document");
  NodeTelemetry t;
  t.status = j.value("status", std::string("ok"));
  t.queued_requests = number_at<int>(j, "queue", "requests").value_or(0);
  t.queued_tokens = number_at<double>(j, "queue", "tokens").value_or(0);
  t.queue_limit = number_at<int>(j, "queue", "limit").value_or(0);
  t.running = number_at<int>(j, "batch", "running").value_or(0);
  t.max_batch = number_at<int>(j, "batch", "max_batch").value_or(0);
  t.memory_free_bytes = number_at<std::uint64_t>(j, "memory", "free_bytes");
  t.kv_bytes_per_token = number_at<std::uint64_t>(j, "memory", "kv_bytes_per_token").value_or(0);
  t.kv_block_tokens = std::max<std::int64_t>(1, number_at<std::int64_t>(j, "memory", "kv_block_tokens").value_or(1));
  // A ratio below one byte a token cannot come from a real tokenizer of text.
  if (auto b = number_at<double>(j, "tokenizer", "bytes_per_token"); b && *b >= 1.0) t.bytes_per_token = b;
  t.intensity = number_at<double>(j, "carbon", "intensity_g_per_kwh");
  t.raw = std::move(j);
  return t;
}

core::Result<std::vector<std::string>> parse_model_ids(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    return core::invalid_argument("not a model list");
  }
  std::vector<std::string> ids;
  for (const json& m : j["data"]) {
    if (m.is_object() && m.contains("id") && m["id"].is_string())
      ids.push_back(m["id"].get<std::string>());
  }
  return ids;
}

GatewayNode::GatewayNode(NodeSpec spec, UpstreamUrl url,
                         std::unique_ptr<routing::OnlineCorrector> corrector,
                         std::unique_ptr<carbon::CarbonSource> carbon)
    : spec_(std::move(spec)),
      url_(std::move(url)),
      corrector_(std::move(corrector)),
      carbon_(std::move(carbon)) {}

void GatewayNode::begin(const routing::RequestShape& s) {
  std::lock_guard<std::mutex> lock(mu_);
  gw_requests_ += s.num_prompts;
  gw_prompt_tokens_ += s.prompt_tokens * s.num_prompts;
  gw_output_tokens_ += s.max_output_tokens * s.num_prompts;
}

void GatewayNode::end(const routing::RequestShape& s) {
  std::lock_guard<std::mutex> lock(mu_);
  gw_requests_ = std::max(0, gw_requests_ - s.num_prompts);
  gw_prompt_tokens_ = std::max(0.0, gw_prompt_tokens_ - s.prompt_tokens * s.num_prompts);
  gw_output_tokens_ = std::max(0.0, gw_output_tokens_ - s.max_output_tokens * s.num_prompts);
  if (gw_requests_ == 0) gw_prompt_tokens_ = gw_output_tokens_ = 0;  // no drift from rounding
}

int GatewayNode::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gw_requests_;
}

bool GatewayNode::poll_ok(NodeTelemetry telemetry, std::optional<std::vector<std::string>> models,
                          std::optional<double> fallback_intensity, std::int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool was = healthy_;
  seen_ = true;
  failures_ = 0;
  last_error_.clear();
  last_ok_ns_ = now_ns;
  healthy_ = telemetry.status == "ok";
  if (!healthy_) last_error_ = "node reports status '" + telemetry.status + "'";
  telemetry_ = std::move(telemetry);
  if (models) models_ = std::move(models);
  fallback_intensity_ = fallback_intensity;
  return was != healthy_;
}

bool GatewayNode::failed(const std::string& error, int eject_after, std::int64_t) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool was = healthy_;
  ++failures_;
  last_error_ = error;
  if (failures_ >= eject_after || !seen_) healthy_ = false;
  if (was && !healthy_) ++ejections_;
  return was != healthy_;
}

void GatewayNode::contact(std::int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  last_contact_ns_ = now_ns;
  if (!seen_ || failures_ > 0) {
    seen_ = true;
    failures_ = 0;
    healthy_ = !telemetry_ || telemetry_->status == "ok";
  }
}

bool GatewayNode::healthy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return healthy_;
}

std::uint64_t GatewayNode::ejections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ejections_;
}

bool GatewayNode::serves(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !models_ || std::find(models_->begin(), models_->end(), model) != models_->end();
}

std::vector<std::string> GatewayNode::models() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.value_or(std::vector<std::string>{});
}

std::optional<double> GatewayNode::intensity() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (telemetry_ && telemetry_->intensity) return telemetry_->intensity;
  return fallback_intensity_;
}

std::optional<double> GatewayNode::bytes_per_token() const {
  std::lock_guard<std::mutex> lock(mu_);
  return telemetry_ ? telemetry_->bytes_per_token : std::nullopt;
}

routing::NodeState GatewayNode::state() const {
  routing::NodeState s;
  s.name = spec_.name;
  s.zone = spec_.zone;
  s.profile = spec_.profile;
  s.correction = corrector_->correction();
  std::lock_guard<std::mutex> lock(mu_);
  s.healthy = healthy_;
  const std::optional<double> intensity =
      telemetry_ && telemetry_->intensity ? telemetry_->intensity : fallback_intensity_;
  s.g_co2_per_kwh = intensity.value_or(std::numeric_limits<double>::quiet_NaN());
  s.max_batch = spec_.max_batch.value_or(telemetry_ ? telemetry_->max_batch : 0);
  const int tele = telemetry_ ? telemetry_->queued_requests + telemetry_->running : 0;
  const int load = std::max(tele, gw_requests_);
  const int cap = s.effective_max_batch();
  s.running_batch = std::min(load, cap);
  s.queue.requests = load - s.running_batch;
  if (s.queue.requests > 0) {
    if (gw_requests_ > 0) {
      s.queue.prompt_tokens = gw_prompt_tokens_ / gw_requests_ * s.queue.requests;
      s.queue.output_tokens = gw_output_tokens_ / gw_requests_ * s.queue.requests;
    } else if (telemetry_ && telemetry_->queued_requests > 0) {
      const double per = telemetry_->queued_tokens / telemetry_->queued_requests;
      s.queue.prompt_tokens = per / 2 * s.queue.requests;
      s.queue.output_tokens = per / 2 * s.queue.requests;
    }
  }
  if (telemetry_) {
    s.memory_free_bytes = telemetry_->memory_free_bytes;
    s.kv_bytes_per_token = telemetry_->kv_bytes_per_token;
    s.kv_block_tokens = telemetry_->kv_block_tokens;
    s.max_queue = telemetry_->queue_limit;
  }
  return s;
}

json GatewayNode::to_json(std::int64_t now_ns) const {
  const routing::Correction c = corrector_->correction();
  const routing::PredictionErrorStats e = corrector_->error_stats();
  json j = {{"name", spec_.name},
            {"url", spec_.url},
            {"zone", spec_.zone},
            {"source", spec_.registered ? "registered" : "config"},
            {"profile", spec_.profile ? json(spec_.profile->device.name) : json(nullptr)},
            {"correction", {{"latency_ratio", c.latency_ratio}, {"energy_ratio", c.energy_ratio}}},
            {"prediction_error",
             {{"latency_mape_pct", e.latency_mape_pct},
              {"energy_mape_pct", e.energy_mape_pct},
              {"latency_observations", e.latency_observations},
              {"energy_observations", e.energy_observations}}}};
  std::lock_guard<std::mutex> lock(mu_);
  j["healthy"] = healthy_;
  j["consecutive_failures"] = failures_;
  j["ejections"] = ejections_;
  j["last_error"] = last_error_.empty() ? json(nullptr) : json(last_error_);
  j["last_ok_s_ago"] =
      last_ok_ns_ < 0 ? json(nullptr) : json(static_cast<double>(now_ns - last_ok_ns_) * 1e-9);
  j["last_heartbeat_s_ago"] = last_contact_ns_ < 0
                                  ? json(nullptr)
                                  : json(static_cast<double>(now_ns - last_contact_ns_) * 1e-9);
  j["in_flight"] = gw_requests_;
  j["models"] = models_ ? json(*models_) : json(nullptr);
  const std::optional<double> intensity =
      telemetry_ && telemetry_->intensity ? telemetry_->intensity : fallback_intensity_;
  j["intensity_g_per_kwh"] = intensity ? json(*intensity) : json(nullptr);
  j["telemetry"] = telemetry_ ? telemetry_->raw : json(nullptr);
  return j;
}

core::Result<std::pair<NodePtr, bool>> NodeRegistry::add(NodeSpec spec) {
  GR_ASSIGN_OR_RETURN(UpstreamUrl url, parse_node_url(spec.url));
  GR_ASSIGN_OR_RETURN(auto corrector, routing::OnlineCorrector::create(predictor_));
  std::unique_ptr<carbon::CarbonSource> source;
  if (!spec.carbon.empty()) {
    auto s = carbon::make_carbon_source(spec.carbon, carbon_context_);
    if (!s.is_ok()) return s.status().with_context("carbon");
    source = std::move(s).value();
  }
  auto node = std::make_shared<GatewayNode>(std::move(spec), std::move(url), std::move(corrector),
                                            std::move(source));
  std::lock_guard<std::mutex> lock(mu_);
  for (NodePtr& existing : nodes_) {
    if (existing->spec().name != node->spec().name) continue;
    if (!existing->spec().registered) {
      return core::invalid_argument("node '" + node->spec().name +
                                    "' is already configured (cluster config)");
    }
    existing = node;
    return std::make_pair(node, false);
  }
  for (const NodePtr& existing : nodes_) {
    if (existing->url().scheme_host_port + existing->url().path_prefix ==
        node->url().scheme_host_port + node->url().path_prefix) {
      return core::invalid_argument("url " + node->spec().url + " is already the node '" +
                                    existing->spec().name + "'");
    }
  }
  nodes_.push_back(node);
  return std::make_pair(node, true);
}

core::Status NodeRegistry::remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
    if ((*it)->spec().name != name) continue;
    if (!(*it)->spec().registered) {
      return core::invalid_argument("node '" + name +
                                    "' comes from the cluster config and cannot be removed");
    }
    nodes_.erase(it);
    return core::Status::ok();
  }
  return core::not_found("no node named '" + name + "'");
}

NodePtr NodeRegistry::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const NodePtr& n : nodes_) {
    if (n->spec().name == name) return n;
  }
  return nullptr;
}

std::vector<NodePtr> NodeRegistry::nodes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nodes_;
}

double NodeRegistry::bytes_per_token(const std::string& model) const {
  double sum = 0;
  int n = 0;
  for (const NodePtr& node : nodes()) {
    if (!node->serves(model)) continue;
    if (const std::optional<double> b = node->bytes_per_token()) {
      sum += *b;
      ++n;
    }
  }
  return n > 0 ? sum / n : kDefaultBytesPerToken;
}

}  // namespace greenroute::server
