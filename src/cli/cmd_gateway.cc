// `greenroute gateway`: the cluster's OpenAI-compatible front door. Reads the
// cluster config (TOML or YAML), routes every request to a node agent by the
// configured (or per-request) policy, and runs until SIGINT/SIGTERM. The
// service itself is server::Gateway; this file turns flags into its options.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "byte_size.h"
#include "cli_common.h"
#include "greenroute/carbon/http_source_options.h"
#include "greenroute/core/clock.h"
#include "greenroute/routing/cluster_config.h"
#include "greenroute/server/gateway.h"
#include "interrupt.h"

namespace greenroute::cli {
namespace {

struct GatewayCliOptions {
  std::string config_path;
  std::string host = "127.0.0.1";
  int port = 8080;
  int http_threads = 64;
  int max_attempts = 3;
  int default_max_tokens = 256;
  std::string max_body = "4MiB";
  int grace_ms = 5000;
  std::uint64_t seed = 1;
};

int run_gateway(const GatewayCliOptions& o) {
  auto max_body = parse_byte_size(o.max_body);
  if (!max_body.is_ok()) return fail(max_body.status().with_context("--max-body"));
  auto config = routing::load_cluster_config(o.config_path, routing::LoadOptions::gateway());
  if (!config.is_ok()) return fail(config.status());

  // Signals go to this thread only: every thread started from here on
  // (HTTP workers, poller, batcher) inherits the blocked mask.
  install_interrupt_handlers();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  core::SteadyClock clock;
  carbon::UnixSystemClock unix_clock;
  server::GatewayOptions go;
  go.host = o.host;
  go.port = o.port;
  go.http_threads = o.http_threads;
  go.max_attempts = o.max_attempts;
  go.default_max_tokens = o.default_max_tokens;
  go.max_body_bytes = static_cast<std::size_t>(*max_body);
  go.seed = o.seed;
  server::GatewayDependencies deps{.clock = &clock, .unix_clock = &unix_clock};
  auto gateway = server::Gateway::start(*config, go, deps);
  if (!gateway.is_ok()) return fail(gateway.status());
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);

  // Tests and scripts read the port from this line (--port 0 picks a free one).
  std::printf("greenroute gateway: listening on http://%s:%d\n", go.host.c_str(),
              (*gateway)->port());
  std::fflush(stdout);
  const routing::ClusterDefaults& d = config->defaults;
  std::fprintf(stderr,
               "gateway: %zu node(s) from %s, policy %s (baseline %s), batch window %lld ms\n",
               config->nodes.size(), o.config_path.c_str(),
               std::string(routing::policy_name(d.policy)).c_str(),
               std::string(routing::policy_name(d.baseline_policy)).c_str(),
               static_cast<long long>(d.batch_window_ms));

  while (!interrupt_requested()) sleep_unless_interrupted(1'000'000'000);
  std::fprintf(stderr, "gateway: shutting down (grace %d ms)\n", o.grace_ms);
  (*gateway)->shutdown(o.grace_ms);
  gateway->reset();
  return kExitOk;
}

}  // namespace

void register_gateway_command(CLI::App& root, std::vector<Command>& commands) {
  auto o = std::make_shared<GatewayCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "gateway",
      "Route OpenAI API requests to the cluster's node agents by carbon, latency or both");
  cmd->footer(
      "Endpoints: POST /v1/completions, /v1/chat/completions (SSE with \"stream\": true), GET "
      "/v1/models,\n"
      "/health, /v1/cluster, /metrics; POST /v1/cluster/nodes (register), "
      "/v1/cluster/nodes/NAME/heartbeat,\n"
      "DELETE /v1/cluster/nodes/NAME. Per request: body field greenroute.policy / "
      "greenroute.slo_ms or headers\n"
      "X-Greenroute-Policy / X-Greenroute-Slo-Ms. Config keys: docs/cluster-config.md; the rest: "
      "docs/server.md.\n"
      "Prints 'greenroute gateway: listening on http://HOST:PORT' once serving; SIGINT/SIGTERM "
      "drains and exits 0.");
  cmd->add_option("--config,-c", o->config_path, "Cluster config (.toml, .yaml or .yml)")
      ->required();
  cmd->add_option("--host", o->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port,-p", o->port, "Port to listen on (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--http-threads", o->http_threads,
                  "Client connections served at once (a stream holds one)")
      ->capture_default_str()
      ->check(CLI::Range(2, 4096));
  cmd->add_option("--max-attempts", o->max_attempts,
                  "Nodes tried per request when one fails before its first byte")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_option("--default-max-tokens", o->default_max_tokens,
                  "Output tokens routing assumes for requests that give no max_tokens")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--max-body", o->max_body, "Largest request body accepted")
      ->capture_default_str();
  cmd->add_option("--grace-ms", o->grace_ms,
                  "On SIGINT/SIGTERM, how long in-flight requests may finish")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  cmd->add_option("--seed", o->seed, "Seed of the random policy")->capture_default_str();
  commands.push_back({cmd, [o] { return run_gateway(*o); }});
}

}  // namespace greenroute::cli
