// NodeAgent: the HTTP service of one device, `greenroute node`.
//
// It serves the OpenAI API (POST /v1/completions, /v1/chat/completions,
// GET /v1/models), /health, /v1/node/telemetry and /metrics, from either
//   - the embedded engine: one engine thread owns the Context and a
//     continuous-batching Generator; HTTP threads queue work to it and read
//     back token events (EngineWorker, src/server), or
//   - an upstream OpenAI-compatible server (proxy mode, `upstream`), which it
//     fronts with the same validation, metering, telemetry and accounting.
// Every response carries its cost: usage.energy_joules (the request's share
// of the energy of the metering windows it ran in, split by tokens processed)
// and carbon_grams (that energy at the zone's intensity), plus node, zone,
// intensity_g_per_kwh and energy_source, also as X-Greenroute-* headers
// (docs/server.md has the rules).
//
// Errors never escape as exceptions: bad requests get OpenAI-style 4xx JSON,
// overload and shutdown 503, upstream failures 502/504, a stream that fails
// midway an error event. A client that disconnects has its request cancelled.
//
// Thread contract: start() and shutdown() from one controlling thread; the
// agent runs its own HTTP worker threads, engine thread and accounting
// ticker. The dependencies are borrowed and must outlive the agent; the
// Context becomes the engine thread's alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/profile.h"

namespace greenroute::server {

struct NodeOptions {
  std::string host = "127.0.0.1";
  int port = 0;               // 0: a free port the kernel picks (see NodeAgent::port())
  std::string name = "node";  // usage.node, telemetry, metrics
  std::string zone;           // grid zone for carbon; "" = unknown (carbon figures null)
  std::string model_id;       // the model name requests must give (embedded mode)
  std::string chat_template;  // chat template family when the model's is missing or unknown ("" = chatml)
  int max_batch = 4;          // sequences decoded together
  int max_wait_ms = 5;        // how long an idle engine waits to fill a batch
  std::size_t max_queue = 64; // prompts waiting for a batch slot before 503
  int default_max_tokens = 256;  // when a request gives none (capped by the context)
  std::size_t max_body_bytes = 4u << 20;
  int http_threads = 32;      // concurrent connections served (a stream holds one)
  std::int64_t tick_ms = 100; // accounting window length when nothing else closes one
  std::uint64_t seed = 0;     // seeds requests that give none (each gets the next value)
  // Proxy mode: http://host:port[/prefix] of an OpenAI-compatible server.
  std::string upstream;
  std::int64_t upstream_connect_timeout_ms = 5000;
  std::int64_t upstream_read_timeout_ms = 600000;
  std::string device_name;    // telemetry's device (default: the profile's, else the host)
};

struct NodeDependencies {
  const core::Clock* clock = nullptr;       // monotonic; the sampler's clock; required
  const core::Clock* unix_clock = nullptr;  // wall clock: `created` and carbon lookups; required
  power::PowerSampler* sampler = nullptr;   // started; null: energy unknown
  carbon::CarbonSource* carbon = nullptr;   // null: carbon unknown
  const profile::DeviceProfile* profile = nullptr;  // optional
  engine::context::Context* context = nullptr;      // embedded mode: required; proxy mode: null
};

class NodeAgent {
 public:
  // Validates, binds the port and starts serving. kInvalidArgument for bad
  // options, kUnavailable when the port cannot be bound.
  static core::Result<std::unique_ptr<NodeAgent>> start(const NodeOptions& options, const NodeDependencies& deps);
  ~NodeAgent();  // shutdown(0)
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  int port() const;
  const std::string& host() const;

  // Graceful stop: new requests get 503 at once, in-flight ones have up to
  // grace_ms to finish; the rest are cancelled and each still gets a final
  // answer (a 503 error, or an error event and [DONE] on a stream); then the
  // listener closes and every thread is joined. Idempotent.
  void shutdown(std::int64_t grace_ms);

  struct Impl;

 private:
  explicit NodeAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenroute::server
