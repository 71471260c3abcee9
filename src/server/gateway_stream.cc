// SSE pass-through: the node's events are re-framed one by one (so a node
// lost mid-event never leaves half an event on the client's stream), the
// usage they carry is read for accounting, and the stream ends with the
// node's [DONE], or, when the node is lost after events were forwarded, with
// an error event and a close without [DONE] (never a hang). A node lost
// before any event reached the client is replaced by another node.
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "gateway_request.h"
#include "greenroute/core/log.h"
#include "greenroute/server/sse.h"

namespace greenroute::server {
namespace {

using nlohmann::json;

constexpr auto kPoll = std::chrono::milliseconds(20);

std::string frame(const SseEvent& e) {
  std::string out;
  if (!e.event.empty()) out += "event: " + e.event + "\n";
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = e.data.find('\n', start);
    out +=
        "data: " + e.data.substr(start, nl == std::string::npos ? std::string::npos : nl - start) +
        "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out + "\n";
}

// The error object of a node's JSON error body, else a generic one.
ApiError error_from_body(int status, const std::string& body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  ApiError e = server_error(status >= 400 ? status : 502,
                            "the node refused the stream (HTTP " + std::to_string(status) + ")",
                            "node_error");
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& err = j["error"];
    if (err.contains("message") && err["message"].is_string())
      e.message = err["message"].get<std::string>();
    if (err.contains("code") && err["code"].is_string()) e.code = err["code"].get<std::string>();
    if (err.contains("type") && err["type"].is_string()) e.type = err["type"].get<std::string>();
  }
  return e;
}

struct StreamState {
  std::shared_ptr<GatewayRequest> r;
  std::unique_ptr<SseParser> parser = std::make_unique<SseParser>();
  int forwarded = 0;  // events written to the client
  bool saw_done = false;
  std::optional<double> energy_j;
  std::optional<double> carbon_g;

  bool run(httplib::DataSink& sink) {
    GatewayRequest& req = *r;
    auto write = [&](const std::string& s) { return sink.write(s.data(), s.size()); };
    auto end_with = [&](const ApiError& e) {
      write(sse_error(e));
      req.end_attempt();
      finish_request(req, e.http_status, std::nullopt, std::nullopt);
      sink.done();
      return true;
    };
    while (true) {
      std::string bytes;
      const bool done = req.call->read(kPoll, bytes);
      if (!parser->feed(bytes))
        return end_with(server_error(
            502, "node " + req.node_label() + " sent a malformed event stream", "node_protocol"));
      while (std::optional<SseEvent> e = parser->next()) {
        if (e->is_done()) {
          saw_done = true;
          continue;
        }
        const json j = json::parse(e->data, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
          const json& u = j["usage"];
          if (u.contains("energy_joules") && u["energy_joules"].is_number())
            energy_j = u["energy_joules"].get<double>();
          if (u.contains("carbon_grams") && u["carbon_grams"].is_number())
            carbon_g = u["carbon_grams"].get<double>();
        }
        if (!write(frame(*e))) return abort();
        ++forwarded;
      }
      if (!done) {
        if (req.client_gone()) return abort();
        if (req.past_deadline()) {
          return end_with(server_error(
              504,
              "node " + req.node_label() + " did not finish within the request timeout (" +
                  std::to_string(req.gw.defaults.request_timeout_ms) + " ms)",
              "timeout"));
        }
        continue;
      }
      const UpstreamCall::Outcome o = req.call->outcome();
      if (o.error == httplib::Error::Success && saw_done) {
        write(sse_done());
        req.end_attempt();
        finish_request(req, 200, energy_j, carbon_g);
        sink.done();
        return true;
      }
      if (o.cancelled)
        return end_with(server_error(503, "the gateway is shutting down", "shutting_down"));
      const std::string why = o.error == httplib::Error::Success ? "stream ended without [DONE]"
                                                                 : httplib::to_string(o.error);
      if (forwarded > 0) {
        spdlog::warn("gateway: node {} lost mid-stream after {} event(s): {}", req.node_label(),
                     forwarded, why);
        req.gw.node_failed(req.node, why);
        return end_with(server_error(
            502, "node " + req.node_label() + " was lost mid-stream (" + why + ")", "node_lost"));
      }
      // Nothing reached the client yet: still before the first byte.
      req.gw.metrics->retries.with({"body_lost"}).inc();
      const ApiError e =
          server_error(502, "node " + req.node_label() + " failed before its first event: " + why,
                       "node_failed");
      req.attempt_failed(why, /*node_fault=*/true, e.http_status, api_error_body(e),
                         "application/json");
      const StartResult s = start_attempt(req);
      if (s == StartResult::kClientGone) return abort();
      if (s == StartResult::kFailed)
        return end_with(error_from_body(req.last_status, req.last_body));
      const UpstreamCall::Outcome head = req.call->outcome();
      if (head.status != 200 || head.content_type.find("text/event-stream") == std::string::npos) {
        std::string body;
        while (!req.call->read(kPoll, body) && !req.past_deadline()) {
        }
        return end_with(error_from_body(head.status, body));
      }
      parser = std::make_unique<SseParser>();
      saw_done = false;
    }
  }

  bool abort() {
    r->end_attempt();
    finish_request(*r, 499, std::nullopt, std::nullopt);
    return false;
  }
};

}  // namespace

void forward_stream(const std::shared_ptr<GatewayRequest>& r, httplib::Response& res) {
  auto state = std::make_shared<StreamState>();
  state->r = r;
  add_gateway_headers(*r, r->call->outcome().headers, res);
  res.set_header("Cache-Control", "no-cache");
  res.status = 200;
  res.set_chunked_content_provider(
      std::string(kSseContentType),
      [state](std::size_t, httplib::DataSink& sink) { return state->run(sink); },
      [state](bool) {
        // The response is gone (sent, or the connection died first).
        if (!state->r->recorded) state->abort();
        state->r.reset();
      });
}

}  // namespace greenroute::server
