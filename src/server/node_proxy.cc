// Proxy mode: the node fronts an OpenAI-compatible server on the device
// (llama.cpp's server, Ollama, vLLM, or another greenroute node). Requests
// are validated here, forwarded, metered while they run (EnergyLedger, split
// equally among concurrent calls: the upstream's token progress is not
// visible), and answered with the upstream's response plus this node's cost.
//
// Each upstream call runs on a thread of its own (ProxyCall), so the handler
// learns the upstream's status before it commits to one (a refused stream is
// still a proper 4xx/5xx), can watch its own client meanwhile, and shutdown
// can cut every call off with httplib's Client::stop().
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "greenroute/core/log.h"
#include "greenroute/server/sse.h"
#include "node_impl.h"
#include "peer_watch.h"

namespace greenroute::server {

namespace {
constexpr auto kPoll = std::chrono::milliseconds(50);
constexpr std::size_t kMaxBuffered = 64u << 20;  // an upstream body we hold, at most
}  // namespace

class ProxyCall {
 public:
  ProxyCall(NodeAgent::Impl& node, std::string method, std::string path, std::string body,
            const httplib::Headers& client_headers)
      : node_(node) {
    const UpstreamUrl& up = *node.upstream;
    client_ = std::make_unique<httplib::Client>(up.scheme_host_port);
    const std::int64_t c = node.options.upstream_connect_timeout_ms;
    const std::int64_t r = node.options.upstream_read_timeout_ms;
    client_->set_connection_timeout(static_cast<time_t>(c / 1000), static_cast<time_t>((c % 1000) * 1000));
    client_->set_read_timeout(static_cast<time_t>(r / 1000), static_cast<time_t>((r % 1000) * 1000));
    req_.method = std::move(method);
    req_.path = up.path_prefix + path;
    req_.body = std::move(body);
    req_.set_header("Content-Type", "application/json");
    req_.set_header("Accept", "application/json, text/event-stream");
    // The caller's credentials for the upstream pass through untouched.
    if (const auto it = client_headers.find("Authorization"); it != client_headers.end()) {
      req_.set_header("Authorization", it->second);
    }
    req_.response_handler = [this](const httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      head_ = true;
      status_ = res.status;
      content_type_ = res.get_header_value("Content-Type");
      cv_.notify_all();
      return !cancelled_;
    };
    req_.content_receiver = [this](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_ || buffer_.size() + n > kMaxBuffered) return false;
      buffer_.append(data, n);
      cv_.notify_all();
      return true;
    };
    {
      std::lock_guard<std::mutex> lock(node_.proxy_mu);
      node_.proxy_calls.insert(this);
      shutdown_ = node_.proxy_cancelled;
    }
    thread_ = std::thread([this] { run(); });
  }

  ~ProxyCall() {
    cancel(false);
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(node_.proxy_mu);
    node_.proxy_calls.erase(this);
  }
  ProxyCall(const ProxyCall&) = delete;
  ProxyCall& operator=(const ProxyCall&) = delete;

  // Stops the call (the client left, or the node shuts down).
  void cancel(bool shutdown) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done_) return;
      cancelled_ = true;
      shutdown_ = shutdown_ || shutdown;
    }
    client_->stop();
    cv_.notify_all();
  }

  // Waits up to `timeout` for the status line (or the end). True once known.
  bool wait_head(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return head_ || done_; });
    return head_ || done_;
  }
  // Moves out the body bytes received so far, waiting up to `timeout` for
  // some. True once the call is over and everything was handed out.
  bool read(std::chrono::milliseconds timeout, std::string& out) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !buffer_.empty() || done_; });
    out += buffer_;
    buffer_.clear();
    return done_;
  }

  struct Outcome {
    bool head = false;
    int status = 0;
    std::string content_type;
    httplib::Error error = httplib::Error::Success;
    bool shutdown = false;
  };
  Outcome outcome() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {head_, status_, content_type_, error_, shutdown_};
  }

 private:
  void run() {
    httplib::Error error = httplib::Error::Success;
    bool skip = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      skip = shutdown_;
    }
    if (skip) {
      error = httplib::Error::Canceled;
    } else {
      try {
        httplib::Result res = client_->send(req_);
        error = res.error();
      } catch (...) {
        error = httplib::Error::Unknown;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    error_ = error;
    cv_.notify_all();
  }

  NodeAgent::Impl& node_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Request req_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool head_ = false;       // guarded by mu_
  int status_ = 0;          // guarded by mu_
  std::string content_type_;  // guarded by mu_
  std::string buffer_;      // guarded by mu_
  bool done_ = false;       // guarded by mu_
  bool cancelled_ = false;  // guarded by mu_
  bool shutdown_ = false;   // guarded by mu_
  httplib::Error error_ = httplib::Error::Success;  // guarded by mu_
};

void cancel_proxy_calls(NodeAgent::Impl& node) {
  std::lock_guard<std::mutex> lock(node.proxy_mu);
  node.proxy_cancelled = true;
  for (ProxyCall* call : node.proxy_calls) call->cancel(true);
}

namespace {

using nlohmann::json;

// The error for a call that produced no usable response.
ApiError transport_error(const NodeAgent::Impl& node, const ProxyCall::Outcome& o) {
  if (o.shutdown) return server_error(503, "the node is shutting down", "shutting_down");
  const std::string where = node.upstream->scheme_host_port;
  if (o.error == httplib::Error::ConnectionTimeout || o.error == httplib::Error::Read) {
    return server_error(504, "the upstream " + where + " did not answer in time (" + httplib::to_string(o.error) + ")",
                        "upstream_timeout");
  }
  return server_error(502, "the upstream " + where + " failed: " + httplib::to_string(o.error), "upstream_unavailable");
}

struct ProxyStream {
  NodeAgent::Impl* node = nullptr;
  std::shared_ptr<ProxyCall> call;
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
    const EnergyLedger::Charge charge = node->ledger->finish(key);
    NodeAgent::Impl::charge(cost, charge.measured ? std::optional<double>(charge.joules) : std::nullopt);
    RequestRecord rec;
    rec.endpoint = endpoint;
    rec.http_status = status;
    const json u = usage();
    rec.prompt_tokens = u.value("prompt_tokens", std::int64_t{0});
    rec.completion_tokens = u.value("completion_tokens", std::int64_t{0});
    rec.energy_joules = cost.energy_joules;
    rec.carbon_grams = cost.carbon_grams;
    const std::int64_t now = node->deps.clock->now_ns();
    rec.duration_s = static_cast<double>(now - t0_ns) * 1e-9;
    if (first_ns >= 0) rec.ttft_s = static_cast<double>(first_ns - t0_ns) * 1e-9;
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
    const ProxyCall::Outcome o = call->outcome();
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
    call->cancel(false);
    record(499);
    return false;
  }
};

}  // namespace

void handle_proxy_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                             httplib::Response& res) {
  const core::Clock& clock = *node.deps.clock;
  const std::int64_t t0 = clock.now_ns();
  auto in_flight = std::make_unique<InFlight>(node.in_flight);
  auto fail = [&](const ApiError& e) {
    send_error(res, e);
    RequestRecord rec;
    rec.endpoint = endpoint;
    rec.http_status = e.http_status;
    rec.duration_s = static_cast<double>(clock.now_ns() - t0) * 1e-9;
    record_request(node, rec);
  };
  ApiResult<OpenAiRequest> parsed = parse_openai_request(endpoint, req.body, node.parse_options);
  if (!parsed.is_ok()) return fail(parsed.error());
  const OpenAiRequest& r = parsed.value();
  if (node.draining.load()) return fail(server_error(503, "the node is shutting down", "shutting_down"));

  std::string body = req.body;
  if (r.stream) {
    // Ask the upstream for its token counts; the usage chunk is ours to pass on or fold in.
    json j = json::parse(req.body);
    j["stream_options"]["include_usage"] = true;
    body = json_text(j);
  }
  const EnergyLedger::Key key = node.next_id.fetch_add(1);
  node.ledger->open(key);
  auto call = std::make_shared<ProxyCall>(node, "POST", std::string(endpoint_path(endpoint)), std::move(body),
                                          req.headers);
  auto peer = std::make_unique<PeerWatch>(req.remote_addr, req.remote_port, req.local_port);
  CostInfo cost = node.cost_now();
  auto give_up = [&](int status) {
    call->cancel(false);
    const EnergyLedger::Charge charge = node.ledger->finish(key);
    NodeAgent::Impl::charge(cost, charge.measured ? std::optional<double>(charge.joules) : std::nullopt);
    RequestRecord rec;
    rec.endpoint = endpoint;
    rec.http_status = status;
    rec.energy_joules = cost.energy_joules;
    rec.duration_s = static_cast<double>(clock.now_ns() - t0) * 1e-9;
    record_request(node, rec);
  };

  while (!call->wait_head(kPoll)) {
    if (peer->closed()) {
      give_up(499);
      res.status = 499;
      return;
    }
  }
  ProxyCall::Outcome o = call->outcome();
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
    res.set_header("Cache-Control", "no-cache");
    res.status = 200;
    res.set_chunked_content_provider(
        std::string(kSseContentType), [state](std::size_t, httplib::DataSink& sink) {
          // Providers run inside httplib's writer, outside any handler's guard.
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
  const EnergyLedger::Charge charge = node.ledger->finish(key);
  NodeAgent::Impl::charge(cost, charge.measured ? std::optional<double>(charge.joules) : std::nullopt);
  RequestRecord rec;
  rec.endpoint = endpoint;
  rec.http_status = o.status;
  rec.duration_s = static_cast<double>(clock.now_ns() - t0) * 1e-9;
  rec.energy_joules = cost.energy_joules;
  rec.carbon_grams = cost.carbon_grams;
  json j = json::parse(upstream_body, nullptr, /*allow_exceptions=*/false);
  if (o.status >= 200 && o.status < 300 && j.is_object()) {
    json& usage = j["usage"];
    if (!usage.is_object()) usage = usage_json(Usage{});
    add_cost(usage, cost);
    rec.prompt_tokens = usage.value("prompt_tokens", std::int64_t{0});
    rec.completion_tokens = usage.value("completion_tokens", std::int64_t{0});
    add_headers(res, cost_headers(cost, /*measured=*/true));
    send_json(res, o.status, j);
  } else {
    // The upstream's own answer (an error, usually) goes back as it came.
    add_headers(res, cost_headers(cost, /*measured=*/true));
    res.status = o.status;
    res.set_content(upstream_body, o.content_type.empty() ? "application/json" : o.content_type);
  }
  record_request(node, rec);
}

void handle_proxy_models(NodeAgent::Impl& node, httplib::Response& res) {
  ProxyCall call(node, "GET", "/v1/models", "", {});
  std::string body;
  while (!call.read(kPoll, body)) {
  }
  const ProxyCall::Outcome o = call.outcome();
  if (!o.head || o.error != httplib::Error::Success) return send_error(res, transport_error(node, o));
  res.status = o.status;
  res.set_content(body, o.content_type.empty() ? "application/json" : o.content_type);
}

}  // namespace greenroute::server
