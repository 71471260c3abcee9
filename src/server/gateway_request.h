// GatewayRequest: one client request on its way through the gateway, shared
// by the route (gateway_route.cc), the whole-body answer
// (gateway_forward.cc) and the stream (gateway_stream.cc). Its destructor
// gives back everything the request held: the node's in-flight share, the
// admission tokens and the gateway's in-flight count.
//
// Attempts: start_attempt() decides on the nodes not tried yet, sends, and
// waits for the node's status line. A connect or transport failure, or a 5xx
// status, before the first byte of a body is forwarded to the client, makes
// the request try another node (at most options.max_attempts in all, within
// the request's deadline); everything else is the node's answer.
//
// Thread contract: single-owner at any time (the handler, then the stream's
// content provider); shared_ptr only so the stream's callbacks can hold it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gateway_impl.h"
#include "peer_watch.h"

namespace greenroute::server {

struct GatewayRequest {
  GatewayRequest(Gateway::Impl& gateway, Endpoint ep) : gw(gateway), endpoint(ep) {
    gw.in_flight.fetch_add(1);
  }
  ~GatewayRequest();
  GatewayRequest(const GatewayRequest&) = delete;
  GatewayRequest& operator=(const GatewayRequest&) = delete;

  Gateway::Impl& gw;
  Endpoint endpoint;
  std::string body;  // forwarded as the client sent it
  std::string model;
  bool stream = false;
  routing::RequestShape shape;
  routing::PolicyKind policy_kind = routing::PolicyKind::kLatencyAware;
  std::unique_ptr<routing::Policy> own_policy;  // a per-request hybrid alpha; else the shared one
  std::vector<std::pair<std::string, std::string>> forward_headers;
  std::int64_t t0_ns = 0;
  std::int64_t deadline_ns = 0;
  std::uint64_t admitted_tokens = 0;
  bool admitted = false;
  std::unique_ptr<PeerWatch> peer;

  std::set<std::string> tried;  // node names that failed this request
  int attempts = 0;
  bool recorded = false;  // its final outcome was counted

  // The current attempt.
  NodePtr node;
  std::uint64_t decision_id = 0;
  routing::Prediction predicted;
  routing::Counterfactual baseline;
  std::unique_ptr<UpstreamCall> call;
  std::int64_t sent_ns = 0;
  bool node_begun = false;

  // Why the last attempt failed: the node's own 5xx answer, or ours.
  int last_status = 0;
  std::string last_body;
  std::string last_content_type;

  std::string policy_label() const { return std::string(routing::policy_name(policy_kind)); }
  std::string node_label() const { return node ? node->spec().name : std::string("none"); }
  bool past_deadline() const { return gw.now_ns() >= deadline_ns; }
  bool client_gone() const { return peer != nullptr && peer->closed(); }

  // Closes the current attempt (cancels its call, gives back the node's share).
  void end_attempt();
  // Marks the current node as failed for this request (and, for transport
  // failures, towards its ejection), remembering why.
  void attempt_failed(const std::string& reason, bool node_fault, int status, std::string body,
                      std::string content_type);
};

enum class StartResult { kStarted, kFailed, kClientGone };

// Tries nodes until one answers with a status line below 500. kStarted:
// `call` has its head. kFailed: last_status/last_body hold the final error.
StartResult start_attempt(GatewayRequest& r);

// Counts the final outcome once: metrics, the decision's outcome, and (2xx
// with an observed latency) the node's online correction.
void finish_request(GatewayRequest& r, int status, std::optional<double> energy_j,
                    std::optional<double> carbon_g);

// The failure answer of a request that start_attempt could not place.
void send_failure(GatewayRequest& r, httplib::Response& res);

// The answers once start_attempt succeeded.
void forward_whole(const std::shared_ptr<GatewayRequest>& r, httplib::Response& res);
void forward_stream(const std::shared_ptr<GatewayRequest>& r, httplib::Response& res);

// Headers the gateway adds to every answer from a node: the node's
// X-Greenroute-* cost headers plus the policy and decision id.
void add_gateway_headers(const GatewayRequest& r, const httplib::Headers& node_headers,
                         httplib::Response& res);

}  // namespace greenroute::server
