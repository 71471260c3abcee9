// `greenroute node`: serve one model (or front an upstream server) on this
// device over the OpenAI API, with metering, carbon accounting, telemetry
// and Prometheus metrics. The service itself is server::NodeAgent; this file
// turns flags into its dependencies and runs it until SIGINT/SIGTERM.
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "byte_size.h"
#include "cli_common.h"
#include "greenroute/carbon/http_source_options.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/clock.h"
#include "greenroute/core/cpu_affinity.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/server/node_agent.h"
#include "interrupt.h"
#include "meter_options.h"

namespace greenroute::cli {
namespace {

struct NodeCliOptions {
  std::string model_path;
  std::string model_id;
  std::string upstream;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string name;
  std::string zone;
  std::string carbon_source = "zone-table";
  std::string profile_path;
  MeterOptions meters;
  int max_batch = 0;  // 0: the profile's knee, else 4
  int max_wait_ms = 5;
  int max_queue = 64;
  int threads = 0;
  std::string cpus;  // "" = wherever the kernel schedules it
  std::int64_t ctx = 0;
  std::string memory_limit;
  int default_max_tokens = 256;
  std::string chat_template;
  std::uint64_t seed = 0;
  int http_threads = 32;
  std::string max_body = "4MiB";
  int grace_ms = 5000;
  int sample_ms = 100;
};

std::string host_name() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof(buf) - 1) == 0 && buf[0] != '\0' ? std::string(buf) : std::string("node");
}

// The machine's RAM: the memory budget a CPU engine has without --memory-limit.
std::uint64_t mem_total_bytes(const std::string& procfs_root) {
  std::ifstream in(procfs_root + "/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

int run_node(NodeCliOptions o) {
  if (o.model_path.empty() == o.upstream.empty()) {
    return fail("give exactly one of --model FILE (embedded engine) or --upstream URL (proxy)", kExitUsage);
  }
  // Pinned first: every thread started from here on (signals, sampler,
  // engine pool, HTTP workers) inherits the CPU mask.
  if (!o.cpus.empty()) {
    auto cpus = core::parse_cpu_list(o.cpus);
    if (!cpus.is_ok()) return fail(cpus.status().with_context("--cpus"));
    if (core::Status s = core::pin_process_to_cpus(*cpus); !s.is_ok()) return fail(s.with_context("--cpus"));
    if (o.threads == 0) o.threads = static_cast<int>(cpus->size());
  }
  // Signals go to this thread only: every thread started from here on
  // (sampler, engine pool, HTTP workers) inherits the blocked mask.
  install_interrupt_handlers();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  core::SteadyClock clock;
  carbon::UnixSystemClock unix_clock;
  std::optional<profile::DeviceProfile> prof;
  if (!o.profile_path.empty()) {
    auto p = profile::load_profile(o.profile_path);
    if (!p.is_ok()) return fail(p.status());
    prof = std::move(p).value();
  }
  auto max_body = parse_byte_size(o.max_body);
  if (!max_body.is_ok()) return fail(max_body.status().with_context("--max-body"));

  server::NodeOptions no;
  no.host = o.host;
  no.port = o.port;
  no.name = o.name.empty() ? host_name() : o.name;
  no.zone = o.zone;
  no.chat_template = o.chat_template;
  no.max_batch = o.max_batch > 0 ? o.max_batch : prof ? std::max(1, prof->knee_batch) : 4;
  no.max_wait_ms = o.max_wait_ms;
  no.max_queue = static_cast<std::size_t>(o.max_queue);
  no.default_max_tokens = o.default_max_tokens;
  no.max_body_bytes = static_cast<std::size_t>(*max_body);
  no.http_threads = o.http_threads;
  no.seed = o.seed;
  no.upstream = o.upstream;
  no.device_name = prof ? prof->device.name : host_name();

  std::unique_ptr<engine::model::Model> model;
  std::unique_ptr<engine::context::Context> context;
  if (!o.model_path.empty()) {
    auto m = engine::model::Model::load(o.model_path);
    if (!m.is_ok()) return fail(m.status());
    model = std::move(m).value();
    std::uint64_t limit = 0;
    if (!o.memory_limit.empty()) {
      auto l = parse_byte_size(o.memory_limit);
      if (!l.is_ok()) return fail(l.status().with_context("--memory-limit"));
      limit = *l;
    } else if (prof && prof->device.memory_bytes > 0) {
      limit = prof->device.memory_bytes;
    } else {
      limit = mem_total_bytes(o.meters.roots.procfs_root);
    }
    engine::context::ContextParams cp;
    cp.n_threads = o.threads;
    cp.n_ctx = o.ctx;
    cp.max_sequences = no.max_batch;
    cp.memory_limit_bytes = limit;
    auto c = engine::context::Context::create(*model, cp);
    if (!c.is_ok()) return fail(c.status());
    context = std::move(c).value();
    no.model_id = o.model_id.empty() ? std::filesystem::path(o.model_path).stem().string() : o.model_id;
  }

  std::unique_ptr<power::PowerSampler> sampler;
  auto meter = open_meter(o.meters, clock);
  if (!meter.is_ok()) {
    std::fprintf(stderr, "greenroute: warning: no power meter, energy figures will be null: %s\n",
                 meter.status().to_string().c_str());
  } else {
    power::SamplerOptions so;
    so.interval_ns = static_cast<std::int64_t>(o.sample_ms) * 1'000'000;
    // Lets a request's last window be charged right away instead of a sample later.
    so.integration.max_extrapolate_ns = 2 * so.interval_ns;
    auto s = power::PowerSampler::create(std::move(meter).value(), clock, so);
    if (!s.is_ok()) return fail(s.status());
    sampler = std::move(s).value();
    sampler->start();
  }
  carbon::SourceFactoryContext cctx;
  cctx.unix_clock = &unix_clock;
  auto carbon_source = carbon::make_carbon_source(o.carbon_source, cctx);
  if (!carbon_source.is_ok()) return fail(carbon_source.status().with_context("--carbon"));

  server::NodeDependencies deps;
  deps.clock = &clock;
  deps.unix_clock = &unix_clock;
  deps.sampler = sampler.get();
  deps.carbon = carbon_source->get();
  deps.profile = prof ? &*prof : nullptr;
  deps.context = context.get();
  auto agent = server::NodeAgent::start(no, deps);
  if (!agent.is_ok()) {
    if (sampler) sampler->stop();
    return fail(agent.status());
  }
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);

  // Tests and scripts read the port from this line (--port 0 picks a free one).
  std::printf("greenroute node: listening on http://%s:%d\n", no.host.c_str(), (*agent)->port());
  std::fflush(stdout);
  std::fprintf(stderr, "node %s: %s, zone %s, energy %s, max batch %d\n", no.name.c_str(),
               o.upstream.empty() ? ("model " + no.model_id).c_str() : ("upstream " + o.upstream).c_str(),
               no.zone.empty() ? "(none: carbon unknown)" : no.zone.c_str(),
               sampler ? provenance(sampler->meter_info()).c_str() : "none", no.max_batch);

  while (!interrupt_requested()) sleep_unless_interrupted(1'000'000'000);
  std::fprintf(stderr, "node %s: shutting down (grace %d ms)\n", no.name.c_str(), o.grace_ms);
  (*agent)->shutdown(o.grace_ms);
  agent->reset();
  if (sampler) sampler->stop();
  return kExitOk;
}

}  // namespace

void register_node_command(CLI::App& root, std::vector<Command>& commands) {
  auto o = std::make_shared<NodeCliOptions>();
  CLI::App* cmd = root.add_subcommand("node", "Serve a model on this device over the OpenAI API, with energy and carbon per request");
  cmd->footer(
      "Endpoints: POST /v1/completions, /v1/chat/completions (SSE with \"stream\": true), GET /v1/models,\n"
      "/health, /v1/node/telemetry, /metrics. Every response's usage adds energy_joules, carbon_grams, node,\n"
      "zone, intensity_g_per_kwh and energy_source (also X-Greenroute-* headers). See docs/server.md.\n"
      "Prints 'greenroute node: listening on http://HOST:PORT' once serving; SIGINT/SIGTERM drains and exits 0.");
  cmd->add_option("--model,-m", o->model_path, "GGUF model file to serve on the embedded engine");
  cmd->add_option("--model-id", o->model_id, "Model name clients must send (default: the file name without .gguf)");
  cmd->add_option("--upstream", o->upstream,
                  "Proxy mode: base URL of an OpenAI-compatible server on this device (http://host:port)");
  cmd->add_option("--host", o->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port,-p", o->port, "Port to listen on (0: any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--name", o->name, "Node name reported in usage and telemetry (default: the host name)");
  cmd->add_option("--zone", o->zone, "Grid zone of this device, for gCO2e (e.g. DE, FR, GB)");
  cmd->add_option("--carbon", o->carbon_source, "Carbon source spec for --zone (docs/carbon.md)")->capture_default_str();
  cmd->add_option("--profile", o->profile_path, "Device profile (profile.json): default batch size, telemetry");
  add_meter_options(*cmd, o->meters);
  cmd->add_option("--max-batch", o->max_batch, "Sequences decoded together (default: the profile's knee, else 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-wait-ms", o->max_wait_ms, "How long an idle engine waits to fill a batch")
      ->capture_default_str()->check(CLI::Range(0, 10000));
  cmd->add_option("--max-queue", o->max_queue, "Prompts that may wait for a batch slot before 503")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--threads,-t", o->threads, "Compute threads (default: all cores, or one per --cpus CPU)")
      ->check(CLI::Range(0, 512));
  cmd->add_option("--cpus", o->cpus,
                  "Run only on these CPUs (e.g. 0, 0-3, 0,2): nodes sharing a machine then behave as separate devices");
  cmd->add_option("--ctx", o->ctx, "Context length per sequence (default: min(training context, 4096))")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory-limit", o->memory_limit,
                  "Memory budget admission works to (default: the profile's device memory, else RAM)");
  cmd->add_option("--default-max-tokens", o->default_max_tokens, "max_tokens for requests that give none")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--chat-template", o->chat_template, "Chat template family for models whose file has none");
  cmd->add_option("--seed", o->seed, "Base seed for requests that give none")->capture_default_str();
  cmd->add_option("--http-threads", o->http_threads, "Connections served at once (a stream holds one)")
      ->capture_default_str()->check(CLI::Range(2, 4096));
  cmd->add_option("--max-body", o->max_body, "Largest request body accepted")->capture_default_str();
  cmd->add_option("--grace-ms", o->grace_ms, "On SIGINT/SIGTERM, how long in-flight requests may finish")
      ->capture_default_str()->check(CLI::Range(0, 3600000));
  cmd->add_option("--sample-ms", o->sample_ms, "Power meter sampling interval")
      ->capture_default_str()->check(CLI::Range(10, 10000));
  commands.push_back({cmd, [o] { return run_node(*o); }});
}

}  // namespace greenroute::cli
