// Proxy mode: the node fronts an OpenAI-compatible server on the device
// (llama.cpp's server, Ollama, vLLM, or another greenroute node). Requests
// are validated here, forwarded, metered while they run (EnergyLedger, split
// equally among concurrent calls: the upstream's token progress is not
// visible), and answered with the upstream's response plus this node's cost.
//
// Each upstream call is an UpstreamCall (upstream_call.h, shared with the
// gateway): the handler learns the upstream's status before it commits to
// one (a refused stream is still a proper 4xx/5xx), can watch its own client
// meanwhile, and shutdown cuts every call off (upstream_client.cancel_all()).
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "greenroute/core/log.h"
#include "greenroute/server/sse.h"
#include "node_impl.h"
#include "peer_watch.h"

namespace greenroute::server {

namespace {
constexpr auto kPoll = std::chrono::milliseconds(50);

// A call to the upstream on the node's timeouts, tracked for shutdown, not
// sent yet (start() for a stream, run_here() for a whole answer). Only the
// caller's credentials pass through.
std::unique_ptr<UpstreamCall> call_upstream(NodeAgent::Impl& node, std::string method, std::string path,
                                            std::string body, const httplib::Headers& client_headers) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (const auto it = client_headers.find("Authorization"); it != client_headers.end()) {
    headers.emplace_back("Authorization", it->second);
  }
  const UpstreamTimeouts timeouts{.connect_ms = node.options.upstream_connect_timeout_ms,
                                  .read_ms = node.options.upstream_read_timeout_ms};
  return std::make_unique<UpstreamCall>(node.upstream_client, *node.upstream, std::move(method), std::move(path),
                                        std::move(body), std::move(headers), timeouts);
}
}  // namespace

namespace {

using nlohmann::json;

// The error for a call that produced no usable response.
ApiError transport_error(const NodeAgent::Impl& node, const UpstreamCall::Outcome& o) {
  // The node cancels a call whose answer it still needs only when it shuts down.
  if (o.cancelled) return server_error(503, "the node is shutting down", "shutting_down");
  const std::string where = node.upstream->scheme_host_port;
  if (o.error == httplib::Error::ConnectionTimeout || o.error == httplib::Error::Read) {
    return server_error(504, "the upstream " + where + " did not answer in time (" + httplib::to_string(o.error) + ")",
                        "upstream_timeout");
  }
  return server_error(502, "the upstream " + where + " failed: " + httplib::to_string(o.error), "upstream_unavailable");
}

// Closes a request's energy window and completes its cost with what it was charged.
void settle(NodeAgent::Impl& node, EnergyLedger::Key key, CostInfo& cost) {
  const EnergyLedger::Charge charge = node.ledger->finish(key);
  NodeAgent::Impl::charge(cost, charge.measured ? std::optional<double>(charge.joules) : std::nullopt);
}

struct ProxyStream {
  NodeAgent::Impl* node = nullptr;
  std::shared_ptr<UpstreamCall> call;
  Endpoint endpoint = Endpoint::kCompletions;
  EnergyLedger::Key key = 0;
  CostInfo cost;
  bool include_usage = false;
  std::int64_t t0_ns = 0;
  std::unique_ptr<PeerWatch> peer;
  std::unique_ptr<InFlight> in_flight;
  bool recorded = false;
  std::optional<json> usage_chunk;  // the upstream's usage chunk
  std::optional<json> held;         // the last chunk, held back to carry usage
  std::int64_t content_chunks = 0;
  std::int64_t first_ns = -1;

  void record(int status) {
    if (recorded) return;
    recorded = true;
    settle(*node, key, cost);
    RequestRecord rec = request_record(*node, endpoint, status, t0_ns, first_ns);
    const json u = usage();
    rec.prompt_tokens = u.value("prompt_tokens", std::int64_t{0});
    rec.completion_tokens = u.value("completion_tokens", std::int64_t{0});
    rec.set_cost(cost);
    record_request(*node, rec);
  }

  // The upstream's usage, or our count when it sent none.
  json usage() const {
    if (usage_chunk && (*usage_chunk)["usage"].is_object()) return (*usage_chunk)["usage"];
    return usage_json(Usage{0, content_chunks, std::nullopt});
  }

  bool run(httplib::DataSink& sink) {
    auto write = [&](const std::string& s) { return sink.write(s.data(), s.size()); };
    SseParser parser;
    std::string bytes;
    bool failed_midway = false;
    for (bool done = false; !done;) {
      bytes.clear();
      done = call->read(kPoll, bytes);
      if (!parser.feed(bytes)) {
        failed_midway = true;
        break;
      }
      while (std::optional<SseEvent> e = parser.next()) {
        if (e->is_done()) continue;  // ours comes last
        json j = json::parse(e->data, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.contains("choices") && j["choices"].is_array() && j["choices"].empty() &&
            j.contains("usage")) {
          usage_chunk = std::move(j);
          continue;
        }
        if (first_ns < 0) first_ns = node->deps.clock->now_ns();
        if (j.is_object() && j.contains("choices")) ++content_chunks;
        if (held && !write(sse_event(*held))) return abort();
        if (j.is_discarded()) {
          held.reset();
          if (!write(sse_data(e->data))) return abort();  // not JSON: pass it on as it came
        } else {
          held = std::move(j);
        }
      }
      if (!done && peer->closed()) return abort();
    }
    const UpstreamCall::Outcome o = call->outcome();
    if (failed_midway || o.error != httplib::Error::Success) {
      if (held) write(sse_event(*held));
      const ApiError e = failed_midway ? server_error(502, "the upstream sent a malformed event stream", "upstream_protocol")
                                       : transport_error(*node, o);
      write(sse_error(e));
      write(sse_done());
      sink.done();
      record(e.http_status);
      return true;
    }
    record(200);  // closes the energy window, so the cost is final
    json u = usage();
    add_cost(u, cost);
    if (held) {
      if (!include_usage && held->is_object()) (*held)["usage"] = u;
      write(sse_event(*held));
    }
    if (include_usage) {
      json chunk = usage_chunk ? *usage_chunk : json{{"object", "text_completion"}, {"choices", json::array()}};
      chunk["usage"] = u;
      write(sse_event(chunk));
    }
    write(sse_done());
    sink.done();
    return true;
  }

  bool abort() {
    call->cancel();
    record(499);
    return false;
  }
};

}  // namespace

void handle_proxy_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                             httplib::Response& res) {
  const std::int64_t t0 = node.deps.clock->now_ns();
  auto in_flight = std::make_unique<InFlight>(node.in_flight);
  const std::optional<OpenAiRequest> accepted = accept_completion(node, endpoint, t0, req, res);
  if (!accepted) return;
  const OpenAiRequest& r = *accepted;

  std::string body = req.body;
  if (r.stream) {
    // Ask the upstream for its token counts; the usage chunk is ours to pass on or fold in.
    json j = json::parse(req.body);
    j["stream_options"]["include_usage"] = true;
    body = json_text(j);
  }
  const EnergyLedger::Key key = node.next_id.fetch_add(1);
  node.ledger->open(key);
  std::shared_ptr<UpstreamCall> call =
      call_upstream(node, "POST", std::string(endpoint_path(endpoint)), std::move(body), req.headers);
  auto peer = std::make_unique<PeerWatch>(req.remote_addr, req.remote_port, req.local_port);
  CostInfo cost = node.cost_now();
  auto give_up = [&](int status) {
    call->cancel();
    settle(node, key, cost);
    RequestRecord rec = request_record(node, endpoint, status, t0);
    rec.energy_joules = cost.energy_joules;
    record_request(node, rec);
  };

  if (r.stream) {
    // Passed on as it arrives: a worker runs the call while this thread watches the client.
    call->start();
  } else {
    // A whole answer: the call runs on this thread (no hand-off between
    // threads); the watchdog cuts it off if the client leaves.
    PeerWatch* watch = peer.get();
    call->run_here([watch] { return watch->closed(); });
    if (call->outcome().cancelled && peer->closed()) {  // not shutdown's cancel_all()
      give_up(499);
      res.status = 499;
      return;
    }
  }
  while (!call->wait_head(kPoll)) {
    if (peer->closed()) {
      give_up(499);
      res.status = 499;
      return;
    }
  }
  UpstreamCall::Outcome o = call->outcome();
  const bool event_stream = o.content_type.find("text/event-stream") != std::string::npos;
  if (r.stream && o.head && o.status == 200 && event_stream) {
    auto state = std::make_shared<ProxyStream>();
    state->node = &node;
    state->call = call;
    state->endpoint = endpoint;
    state->key = key;
    state->cost = cost;
    state->include_usage = r.include_usage;
    state->t0_ns = t0;
    state->peer = std::move(peer);
    state->in_flight = std::move(in_flight);
    add_headers(res, cost_headers(cost, /*measured=*/false));
    serve_sse(res, state);
    return;
  }

  // A whole body: wait for it, watching our own client meanwhile.
  std::string upstream_body;
  while (!call->read(kPoll, upstream_body)) {
    if (peer->closed()) {
      give_up(499);
      res.status = 499;
      return;
    }
  }
  o = call->outcome();
  if (!o.head || o.error != httplib::Error::Success) {
    const ApiError e = transport_error(node, o);
    give_up(e.http_status);
    send_error(res, e);
    return;
  }
  settle(node, key, cost);
  RequestRecord rec = request_record(node, endpoint, o.status, t0);
  rec.set_cost(cost);
  json j = json::parse(upstream_body, nullptr, /*allow_exceptions=*/false);
  add_headers(res, cost_headers(cost, /*measured=*/true));
  if (o.status >= 200 && o.status < 300 && j.is_object()) {
    json& usage = j["usage"];
    if (!usage.is_object()) usage = usage_json(Usage{});
    add_cost(usage, cost);
    rec.prompt_tokens = usage.value("prompt_tokens", std::int64_t{0});
    rec.completion_tokens = usage.value("completion_tokens", std::int64_t{0});
    send_json(res, o.status, j);
  } else {
    // The upstream's own answer (an error, usually) goes back as it came.
    res.status = o.status;
    res.set_content(upstream_body, o.content_type.empty() ? "application/json" : o.content_type);
  }
  record_request(node, rec);
}

void handle_proxy_models(NodeAgent::Impl& node, httplib::Response& res) {
  const std::unique_ptr<UpstreamCall> call = call_upstream(node, "GET", "/v1/models", "", {});
  call->run_here([] { return false; });  // bounded by the node's upstream timeouts
  std::string body;
  while (!call->read(kPoll, body)) {
  }
  const UpstreamCall::Outcome o = call->outcome();
  if (!o.head || o.error != httplib::Error::Success) return send_error(res, transport_error(node, o));
  res.status = o.status;
  res.set_content(body, o.content_type.empty() ? "application/json" : o.content_type);
}

}  // namespace greenroute::server
