// Whole-body answers: wait for the node's body (retrying on another node if
// it dies before the body is complete: nothing has reached the client yet),
// read its usage, add the gateway's routing record, and answer.
#include <chrono>
#include <string>
#include <utility>

#include "gateway_request.h"
#include "greenroute/server/sse.h"

namespace greenroute::server {
namespace {

using nlohmann::json;

constexpr auto kPoll = std::chrono::milliseconds(20);

std::optional<double> usage_number(const json& usage, const char* key) {
  if (!usage.is_object() || !usage.contains(key) || !usage[key].is_number()) return std::nullopt;
  return usage[key].get<double>();
}

json routing_record(const GatewayRequest& r) {
  json j = {{"policy", r.policy_label()},
            {"node", r.node_label()},
            {"decision_id", r.decision_id},
            {"attempts", r.attempts},
            {"predicted",
             {{"latency_ms", r.predicted.latency_ms},
              {"energy_j", r.predicted.energy_j},
              {"carbon_g", r.predicted.carbon_g}}}};
  if (r.baseline.baseline_chosen) {
    j["baseline"] = {{"policy", routing::policy_name(r.baseline.baseline)},
                     {"latency_ms", r.baseline.baseline_prediction.latency_ms},
                     {"carbon_g", r.baseline.baseline_prediction.carbon_g},
                     {"carbon_saved_g", r.baseline.carbon_saved_g},
                     {"latency_gained_ms", r.baseline.latency_gained_ms}};
  }
  return j;
}

}  // namespace

void forward_whole(const std::shared_ptr<GatewayRequest>& rp, httplib::Response& res) {
  GatewayRequest& r = *rp;
  Gateway::Impl& gw = r.gw;
  while (true) {
    std::string body;
    // A call that ran on the handler's thread is over; a started one (a
    // stream the node answered with a whole body) is waited for.
    while (!r.call->read(kPoll, body) && !r.client_gone() && !r.past_deadline()) {
    }
    const UpstreamCall::Outcome o = r.call->outcome();
    if (!o.done || o.cancelled) {
      // Cut off: the client left, the deadline passed, or the gateway is shutting down.
      r.end_attempt();
      if (r.client_gone()) {
        res.status = 499;
        finish_request(r, 499, std::nullopt, std::nullopt);
      } else if (r.past_deadline()) {
        send_error(res, server_error(504,
                                     "node " + r.node_label() +
                                         " did not finish within the request timeout (" +
                                         std::to_string(gw.defaults.request_timeout_ms) + " ms)",
                                     "timeout"));
        finish_request(r, 504, std::nullopt, std::nullopt);
      } else {
        send_error(res, server_error(503, "the gateway is shutting down", "shutting_down"));
        finish_request(r, 503, std::nullopt, std::nullopt);
      }
      return;
    }
    if (o.error == httplib::Error::Success) {
      json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
      std::optional<double> energy_j;
      std::optional<double> carbon_g;
      add_gateway_headers(r, o.headers, res);
      res.status = o.status;
      if (o.status >= 200 && o.status < 300 && j.is_object()) {
        if (j.contains("usage")) {
          energy_j = usage_number(j["usage"], "energy_joules");
          carbon_g = usage_number(j["usage"], "carbon_grams");
        }
        j["greenroute"] = routing_record(r);
        res.set_content(json_text(j), "application/json");
      } else {
        // The node's own answer (a 4xx error, usually) goes back as it came.
        res.set_content(body, o.content_type.empty() ? "application/json" : o.content_type);
      }
      finish_request(r, o.status, energy_j, carbon_g);
      return;
    }
    // The node failed after its status line: nothing reached the client, so
    // this is still before the first byte. Try another node.
    gw.metrics->retries.with({"body_lost"}).inc();
    const ApiError e =
        server_error(502,
                     "node " + r.node_label() +
                         " failed while sending its answer: " + httplib::to_string(o.error),
                     "node_failed");
    r.attempt_failed(httplib::to_string(o.error), /*node_fault=*/true, e.http_status,
                     api_error_body(e), "application/json");
    switch (start_attempt(r)) {
      case StartResult::kClientGone:
        res.status = 499;
        r.node.reset();
        finish_request(r, 499, std::nullopt, std::nullopt);
        return;
      case StartResult::kFailed:
        return send_failure(r, res);
      case StartResult::kStarted:
        break;
    }
  }
}

}  // namespace greenroute::server
