// One request through the gateway: parse, choose the policy, admit, decide,
// send (with retries on other nodes), and count the outcome.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#include "gateway_request.h"
#include "greenroute/core/log.h"

namespace greenroute::server {
namespace {

constexpr auto kPoll =
    std::chrono::milliseconds(20);  // how often a waiting handler checks client and deadline

// Prompt tokens, estimated without a tokenizer: bytes over the bytes per
// token the model's nodes report (NodeRegistry::bytes_per_token).
double estimate_tokens(std::size_t bytes, double bytes_per_token) {
  return std::max(1.0, std::ceil(static_cast<double>(bytes) / bytes_per_token));
}

routing::RequestShape request_shape(const OpenAiRequest& r, const Gateway::Impl& gw) {
  routing::RequestShape s;
  const double bpt = gw.registry->bytes_per_token(r.model);
  if (r.endpoint == Endpoint::kCompletions) {
    std::size_t bytes = 0;
    for (const std::string& p : r.prompts) bytes += p.size();
    s.num_prompts = static_cast<int>(std::max<std::size_t>(1, r.prompts.size()));
    s.prompt_tokens = estimate_tokens(bytes / static_cast<std::size_t>(s.num_prompts), bpt);
  } else {
    double tokens = 0;
    for (const ChatMessage& m : r.messages)
      tokens += estimate_tokens(m.content.size(), bpt) + 4;  // + the template's role markers
    s.prompt_tokens = std::max(1.0, tokens);
  }
  s.max_output_tokens = r.max_tokens.value_or(gw.options.default_max_tokens);
  if (r.greenroute.slo_ms) {
    s.slo_ms = r.greenroute.slo_ms;
  } else if (gw.defaults.slo_ms > 0) {
    s.slo_ms = static_cast<double>(gw.defaults.slo_ms);
  }
  return s;
}

double relative_error(double predicted, double observed) {
  return std::abs(predicted - observed) / observed;
}

}  // namespace

GatewayRequest::~GatewayRequest() {
  end_attempt();
  if (admitted) gw.admission->release(admitted_tokens);
  gw.in_flight.fetch_sub(1);
}

void GatewayRequest::end_attempt() {
  call.reset();  // cancels a call still running
  if (node_begun) node->end(shape);
  node_begun = false;
}

void GatewayRequest::attempt_failed(const std::string& reason, bool node_fault, int status,
                                    std::string body_text, std::string content_type) {
  spdlog::info("gateway: request to node {} failed before its first byte ({}), {}",
               node->spec().name, reason,
               attempts < gw.options.max_attempts ? "retrying elsewhere" : "no attempts left");
  if (node_fault) gw.node_failed(node, reason);
  gw.finish_decision(decision_id, status, std::nullopt, std::nullopt);
  tried.insert(node->spec().name);
  last_status = status;
  last_body = std::move(body_text);
  last_content_type = std::move(content_type);
  end_attempt();
}

StartResult start_attempt(GatewayRequest& r) {
  Gateway::Impl& gw = r.gw;
  auto fail = [&](const ApiError& e) {
    r.last_status = e.http_status;
    r.last_body = api_error_body(e);
    r.last_content_type = "application/json";
    return StartResult::kFailed;
  };
  while (true) {
    if (r.attempts >= gw.options.max_attempts) return StartResult::kFailed;  // last_* say why
    if (r.past_deadline()) {
      return fail(server_error(504,
                               "no node answered within the request timeout (" +
                                   std::to_string(gw.defaults.request_timeout_ms) + " ms)",
                               "timeout"));
    }
    // The snapshot: nodes serving the model that have not failed this request.
    const auto t_decide = std::chrono::steady_clock::now();
    std::vector<NodePtr> nodes;
    std::vector<routing::NodeState> states;
    bool any_serves = false;
    for (const NodePtr& n : gw.registry->nodes()) {
      if (!n->serves(r.model)) continue;
      any_serves = true;
      if (r.tried.contains(n->spec().name)) continue;
      nodes.push_back(n);
      states.push_back(n->state());
    }
    if (!any_serves) {
      ApiError e = invalid_request(
          "model", "the model '" + r.model + "' is not served by any node (see /v1/models)",
          "model_not_found");
      e.http_status = 404;
      return fail(e);
    }
    if (nodes.empty()) return StartResult::kFailed;  // every node serving it failed: last_* say why
    routing::Policy& policy = r.own_policy ? *r.own_policy : *gw.policies.at(r.policy_kind);
    const routing::Decision decision = policy.decide(states, r.shape);
    routing::Counterfactual cf;
    if (decision.ok()) cf = gw.counterfactual->estimate(decision, states, r.shape);
    gw.metrics->decision.with().observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_decide).count());

    DecisionRecord rec;
    rec.id = gw.next_id.fetch_add(1);
    rec.unix_ms = gw.deps.unix_clock->now_ns() / 1'000'000;
    rec.endpoint = std::string(endpoint_label(r.endpoint));
    rec.model = r.model;
    rec.policy = r.policy_label();
    rec.reason = decision.reason;
    rec.attempt = r.attempts + 1;
    rec.slo_ms = r.shape.slo_ms;
    rec.slo_fallback = decision.slo_fallback;
    rec.baseline = cf;
    if (cf.baseline_chosen) rec.baseline_node = nodes[*cf.baseline_chosen]->spec().name;
    if (!decision.ok()) {
      rec.status = 503;
      gw.record_decision(std::move(rec));
      if (r.attempts > 0) return StartResult::kFailed;  // the earlier failure is the better answer
      return fail(server_error(503, decision.status.message(), "no_eligible_node"));
    }
    r.node = nodes[*decision.chosen];
    r.predicted = decision.chosen_prediction();
    r.baseline = cf;
    r.decision_id = rec.id;
    rec.node = r.node->spec().name;
    rec.predicted = r.predicted;
    ++r.attempts;

    // Gateway batching: wait for the group to leave (first attempt only).
    if (gw.batcher && r.attempts == 1) {
      rec.batch = gw.batcher->wait_turn(r.node, r.shape, r.deadline_ns);
    }
    gw.record_decision(std::move(rec));

    r.node->begin(r.shape);
    r.node_begun = true;
    // A call made while shutdown cuts calls off is born cancelled (below).
    r.call = std::make_unique<UpstreamCall>(gw.upstream, r.node->url(), "POST",
                                            std::string(endpoint_path(r.endpoint)), r.body,
                                            r.forward_headers, gw.timeouts);
    r.sent_ns = gw.now_ns();
    if (r.stream) {
      // A stream is passed on as it arrives: the call runs on a worker while
      // this thread watches the client and the deadline.
      r.call->start();
      while (!r.call->wait_head(kPoll) && !r.client_gone() && !r.past_deadline()) {
      }
    } else {
      // A whole answer: the call runs on this thread (no hand-off between
      // threads); the watchdog cuts it off when the client leaves or the
      // deadline passes.
      r.call->run_here([&r] { return r.client_gone() || r.past_deadline(); });
    }
    UpstreamCall::Outcome o = r.call->outcome();
    if (!o.head && (o.cancelled || !o.done)) {
      // Stopped before the node answered: the client left, the deadline
      // passed, or the gateway is shutting down.
      r.end_attempt();
      if (r.client_gone()) return StartResult::kClientGone;
      if (r.past_deadline()) {
        return fail(server_error(504,
                                 "node " + r.node_label() +
                                     " did not answer within the request timeout (" +
                                     std::to_string(gw.defaults.request_timeout_ms) + " ms)",
                                 "timeout"));
      }
      return fail(server_error(503, "the gateway is shutting down", "shutting_down"));
    }
    if (!o.head) {
      const ApiError e =
          server_error(502, "node " + r.node_label() + " failed: " + httplib::to_string(o.error),
                       "node_unavailable");
      gw.metrics->retries.with({"connect"}).inc();
      r.attempt_failed(httplib::to_string(o.error), /*node_fault=*/true, e.http_status,
                       api_error_body(e), "application/json");
      continue;
    }
    if (o.status >= 500) {
      std::string text;
      while (!r.call->read(kPoll, text) && !r.past_deadline() && text.size() < (64u << 10)) {
      }
      gw.metrics->retries.with({"status_" + std::to_string(o.status)}).inc();
      r.attempt_failed("HTTP " + std::to_string(o.status), /*node_fault=*/false, o.status,
                       std::move(text),
                       o.content_type.empty() ? "application/json" : o.content_type);
      continue;
    }
    return StartResult::kStarted;
  }
}

void finish_request(GatewayRequest& r, int status, std::optional<double> energy_j,
                    std::optional<double> carbon_g) {
  if (r.recorded) return;
  r.recorded = true;
  spdlog::debug("gateway: request done: decision {}, node {}, status {}, {} attempt(s)",
                r.decision_id, r.node_label(), status, r.attempts);
  Gateway::Impl& gw = r.gw;
  GatewayMetrics& m = *gw.metrics;
  const std::int64_t now = gw.now_ns();
  const std::string ep(endpoint_label(r.endpoint));
  m.requests.with({ep, r.policy_label(), r.node_label(), std::to_string(status)}).inc();
  m.duration.with({ep}).observe(static_cast<double>(now - r.t0_ns) * 1e-9);
  if (!r.node) return;
  std::optional<double> observed_ms;
  const bool ok = status >= 200 && status < 300;
  if (ok) {
    observed_ms = static_cast<double>(now - r.sent_ns) * 1e-6;
    if (energy_j) m.energy.with({r.node_label()}).inc(*energy_j);
    if (carbon_g) m.carbon.with({r.node_label()}).inc(*carbon_g);
    routing::Observation obs{.predicted = r.predicted,
                             .observed_latency_ms = *observed_ms,
                             .observed_energy_j = energy_j};
    if (energy_j && *energy_j <= 0) obs.observed_energy_j.reset();
    (void)r.node->corrector().observe(obs);  // a malformed sample is counted as rejected there
    if (*observed_ms > 0)
      m.prediction_error.with({"latency"})
          .observe(relative_error(r.predicted.latency_ms, *observed_ms));
    if (obs.observed_energy_j) {
      m.prediction_error.with({"energy"})
          .observe(relative_error(r.predicted.energy_j, *obs.observed_energy_j));
    }
    m.predicted_carbon.with({"actual"}).inc(r.predicted.carbon_g);
    m.predicted_latency.with({"actual"}).inc(r.predicted.latency_ms * 1e-3);
    if (r.baseline.baseline_chosen) {
      m.predicted_carbon.with({"baseline"}).inc(r.baseline.baseline_prediction.carbon_g);
      m.predicted_latency.with({"baseline"}).inc(r.baseline.baseline_prediction.latency_ms * 1e-3);
      m.carbon_saved.with().inc(r.baseline.carbon_saved_g);
      m.latency_gained.with().inc(r.baseline.latency_gained_ms * 1e-3);
    }
  }
  gw.finish_decision(r.decision_id, status, observed_ms, energy_j);
}

void send_failure(GatewayRequest& r, httplib::Response& res) {
  if (r.last_status == 0) {
    r.last_status = 503;
    r.last_body =
        api_error_body(server_error(503, "no node could take the request", "no_eligible_node"));
    r.last_content_type = "application/json";
  }
  res.status = r.last_status;
  if (r.last_status == 503) res.set_header("Retry-After", "1");
  res.set_header("X-Greenroute-Policy", r.policy_label());
  res.set_content(r.last_body,
                  r.last_content_type.empty() ? "application/json" : r.last_content_type);
  r.node.reset();  // the failure is the gateway's answer, not a node's
  finish_request(r, r.last_status, std::nullopt, std::nullopt);
}

void add_gateway_headers(const GatewayRequest& r, const httplib::Headers& node_headers,
                         httplib::Response& res) {
  for (const auto& [name, value] : node_headers) {
    if (name.size() > 13 &&
        (name.starts_with("X-Greenroute-") || name.starts_with("x-greenroute-"))) {
      res.set_header(name.c_str(), value);
    }
  }
  res.set_header("X-Greenroute-Policy", r.policy_label());
  res.set_header("X-Greenroute-Decision-Id", std::to_string(r.decision_id));
}

void handle_gateway_completion(Gateway::Impl& gw, Endpoint endpoint, const httplib::Request& req,
                               httplib::Response& res) {
  auto r = std::make_shared<GatewayRequest>(gw, endpoint);
  r->t0_ns = gw.now_ns();
  r->policy_kind = gw.defaults.policy;
  auto reject = [&](const ApiError& e, const char* reason, int retry_after_s = 0) {
    if (reason != nullptr) gw.metrics->rejected.with({reason}).inc();
    send_error(res, e, retry_after_s);
    finish_request(*r, e.http_status, std::nullopt, std::nullopt);
  };
  if (gw.draining.load())
    return reject(server_error(503, "the gateway is shutting down", "shutting_down"),
                  "shutting_down");
  ApiResult<OpenAiRequest> parsed = parse_openai_request(endpoint, req.body, gw.parse_options);
  if (!parsed.is_ok()) return reject(parsed.error(), nullptr);
  ApiResult<GreenrouteExtras> extras =
      apply_greenroute_headers(parsed->greenroute, req.get_header_value("X-Greenroute-Policy"),
                               req.get_header_value("X-Greenroute-Slo-Ms"));
  if (!extras.is_ok()) return reject(extras.error(), nullptr);
  OpenAiRequest& o = parsed.value();
  o.greenroute = extras.value();
  if (o.greenroute.policy) {
    core::Result<routing::PolicyKind> kind = routing::parse_policy_kind(*o.greenroute.policy);
    if (!kind.is_ok()) {
      const bool from_header = !req.get_header_value("X-Greenroute-Policy").empty();
      return reject(invalid_request(from_header ? "X-Greenroute-Policy" : "greenroute.policy",
                                    kind.status().message(), "unknown_policy"),
                    nullptr);
    }
    r->policy_kind = *kind;
  }
  if (o.greenroute.alpha && r->policy_kind == routing::PolicyKind::kHybrid) {
    routing::PolicyOptions po;
    po.hybrid_alpha = *o.greenroute.alpha;
    auto p = routing::make_policy(routing::PolicyKind::kHybrid, po);
    if (!p.is_ok())
      return reject(invalid_request("greenroute.alpha", p.status().message()), nullptr);
    r->own_policy = std::move(p).value();
  }
  r->body = req.body;
  r->model = o.model;
  r->stream = o.stream;
  r->shape = request_shape(o, gw);
  r->deadline_ns = r->t0_ns + gw.defaults.request_timeout_ms * 1'000'000;
  if (const auto it = req.headers.find("Authorization"); it != req.headers.end()) {
    r->forward_headers.emplace_back("Authorization", it->second);
  }
  const auto tokens = static_cast<std::uint64_t>(std::ceil(r->shape.total_tokens()));
  const routing::AdmissionResult admit = gw.admission->try_admit(tokens);
  if (!admit.admitted()) {
    if (admit.verdict == routing::AdmissionVerdict::kQueueFull) {
      return reject(server_error(429,
                                 "the gateway queue is full (" + admit.reason + "); retry after " +
                                     std::to_string(admit.retry_after_s) + " s",
                                 "queue_full"),
                    "queue_full", std::max(1, admit.retry_after_s));
    }
    ApiError e = invalid_request(
        "", "the request is larger than the gateway queue: " + admit.reason, "too_large");
    e.http_status = 413;
    return reject(e, "too_large");
  }
  r->admitted = true;
  r->admitted_tokens = tokens;
  r->peer = std::make_unique<PeerWatch>(req.remote_addr, req.remote_port, req.local_port);

  switch (start_attempt(*r)) {
    case StartResult::kClientGone:
      res.status = 499;
      r->node.reset();
      finish_request(*r, 499, std::nullopt, std::nullopt);
      return;
    case StartResult::kFailed:
      if (r->last_status == 503 && r->attempts == 0) gw.metrics->rejected.with({"no_node"}).inc();
      return send_failure(*r, res);
    case StartResult::kStarted:
      break;
  }
  const UpstreamCall::Outcome head = r->call->outcome();
  if (r->stream && head.status == 200 &&
      head.content_type.find("text/event-stream") != std::string::npos) {
    return forward_stream(r, res);
  }
  forward_whole(r, res);
}

}  // namespace greenroute::server
