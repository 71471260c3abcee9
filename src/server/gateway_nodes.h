// The gateway's view of its nodes: what the config or a registration said
// (GatewayNode's spec), what the last telemetry poll said, its health, the
// work the gateway itself has in flight there, and its online predictor
// correction. NodeRegistry holds them by name.
//
// Health: a node is routable once it has answered (a good poll, a
// registration or a heartbeat) and until `eject_after` consecutive failures
// (failed polls, or connections refused while forwarding); the next good poll
// readmits it. A node whose telemetry says "draining" is not routable.
//
// Snapshot: state() turns one node into routing's NodeState:
//   load   = max(telemetry queued + running, the gateway's in flight there)
//   running_batch = min(load, effective max batch), queue = the rest, with
//            the gateway's in-flight mean shape (else the telemetry's tokens
//            split evenly between prompt and output)
//   g_co2_per_kwh = telemetry's carbon.intensity_g_per_kwh, else the config's
//            carbon source for the zone (looked up at poll time), else NaN
//            (not routable: "grid intensity unknown")
//   memory_free_bytes, kv_bytes_per_token, kv_block_tokens = telemetry's
//            memory.* (routing's KV-cache check; a node that reports none is
//            not checked, and its own admission refuses what does not fit)
//
// Prompt tokens: the gateway has no tokenizer; it divides a prompt's bytes by
// the bytes per token its nodes report for the model (telemetry's
// tokenizer.bytes_per_token, calibrated and then measured on their traffic),
// or by 4 until one has.
//
// Thread contract: GatewayNode and NodeRegistry are thread-safe; each
// guards its state with its own mutex, held for copies only (never across I/O).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/status.h"
#include "greenroute/routing/node_state.h"
#include "greenroute/routing/predictor.h"
#include "upstream_call.h"

namespace greenroute::server {

struct NodeSpec {
  std::string name;
  std::string url;
  std::string zone;
  std::string carbon = "zone-table";                      // fallback intensity source spec
  std::string profile_ref;                                // as given ("" when none)
  std::shared_ptr<const profile::DeviceProfile> profile;  // null: never routable
  std::optional<int> max_batch;                           // config override of the node's batch cap
  bool registered = false;                                // came in through POST /v1/cluster/nodes
};

// The fields of /v1/node/telemetry routing uses (docs/server.md).
struct NodeTelemetry {
  std::string status;  // "ok", "draining"
  int queued_requests = 0;
  double queued_tokens = 0;
  int queue_limit = 0;  // prompts that may wait before the node refuses; 0: not reported
  int running = 0;
  int max_batch = 0;
  std::optional<std::uint64_t> memory_free_bytes;
  std::uint64_t kv_bytes_per_token = 0;  // 0: not reported
  std::int64_t kv_block_tokens = 1;
  std::optional<double> bytes_per_token;  // tokenizer.bytes_per_token
  std::optional<double> intensity;
  nlohmann::json raw;  // the whole document, for /v1/cluster
};
// kInvalidArgument when the document is not a telemetry object.
core::Result<NodeTelemetry> parse_telemetry(const std::string& body);
// The model ids of a /v1/models answer.
core::Result<std::vector<std::string>> parse_model_ids(const std::string& body);
// A node's URL as the config or a registration gives it (errors say "node url").
inline core::Result<UpstreamUrl> parse_node_url(const std::string& url) {
  return parse_upstream_url(url, "node url");
}

class GatewayNode {
 public:
  GatewayNode(NodeSpec spec, UpstreamUrl url, std::unique_ptr<routing::OnlineCorrector> corrector,
              std::unique_ptr<carbon::CarbonSource> carbon);

  const NodeSpec& spec() const { return spec_; }
  const UpstreamUrl& url() const { return url_; }
  routing::OnlineCorrector& corrector() { return *corrector_; }
  const routing::OnlineCorrector& corrector() const { return *corrector_; }
  carbon::CarbonSource* carbon() const { return carbon_.get(); }

  // The gateway's own work at the node (forwarded, not yet answered).
  void begin(const routing::RequestShape& shape);
  void end(const routing::RequestShape& shape);
  int in_flight() const;

  // Health bookkeeping; the bool results say whether health just changed.
  bool poll_ok(NodeTelemetry telemetry, std::optional<std::vector<std::string>> models,
               std::optional<double> fallback_intensity, std::int64_t now_ns);
  bool failed(const std::string& error, int eject_after, std::int64_t now_ns);
  void contact(std::int64_t now_ns);  // registration or heartbeat
  bool healthy() const;
  std::uint64_t ejections() const;

  // True when the node serves `model`, or its models are not known yet.
  bool serves(const std::string& model) const;
  std::vector<std::string> models() const;
  std::optional<double> intensity() const;
  // Telemetry's tokenizer.bytes_per_token, if reported.
  std::optional<double> bytes_per_token() const;

  routing::NodeState state() const;
  nlohmann::json to_json(std::int64_t now_ns) const;

 private:
  const NodeSpec spec_;
  const UpstreamUrl url_;
  const std::unique_ptr<routing::OnlineCorrector> corrector_;  // thread-safe itself
  const std::unique_ptr<carbon::CarbonSource> carbon_;         // thread-safe itself; may be null

  mutable std::mutex mu_;
  bool seen_ = false;                               // guarded by mu_: answered at least once
  bool healthy_ = false;                            // guarded by mu_
  int failures_ = 0;                                // guarded by mu_: consecutive
  std::uint64_t ejections_ = 0;                     // guarded by mu_
  std::string last_error_;                          // guarded by mu_
  std::int64_t last_ok_ns_ = -1;                    // guarded by mu_
  std::int64_t last_contact_ns_ = -1;               // guarded by mu_: registration / heartbeat
  std::optional<NodeTelemetry> telemetry_;          // guarded by mu_
  std::optional<std::vector<std::string>> models_;  // guarded by mu_
  std::optional<double> fallback_intensity_;        // guarded by mu_
  int gw_requests_ = 0;                             // guarded by mu_
  double gw_prompt_tokens_ = 0;                     // guarded by mu_
  double gw_output_tokens_ = 0;                     // guarded by mu_
};

using NodePtr = std::shared_ptr<GatewayNode>;

class NodeRegistry {
 public:
  NodeRegistry(routing::PredictorOptions predictor, carbon::SourceFactoryContext carbon_context)
      : predictor_(predictor), carbon_context_(std::move(carbon_context)) {}

  // Adds a node. A registration under an existing name replaces a registered
  // node (re-registration) but not a configured one (kInvalidArgument,
  // "already configured"); the returned bool says whether it was new.
  core::Result<std::pair<NodePtr, bool>> add(NodeSpec spec);
  // Only registered nodes can be removed (kInvalidArgument otherwise); kNotFound.
  core::Status remove(const std::string& name);
  NodePtr find(const std::string& name) const;
  std::vector<NodePtr> nodes() const;  // config order, then registration order
  // Bytes of prompt text per token for `model`: the mean of what the nodes
  // serving it report, else kDefaultBytesPerToken.
  double bytes_per_token(const std::string& model) const;
  static constexpr double kDefaultBytesPerToken = 4.0;

 private:
  const routing::PredictorOptions predictor_;
  const carbon::SourceFactoryContext carbon_context_;
  mutable std::mutex mu_;
  std::vector<NodePtr> nodes_;  // guarded by mu_
};

}  // namespace greenroute::server
