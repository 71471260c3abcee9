// GET /v1/node/telemetry: what a gateway needs to route to this node (queue,
// batch, memory, power, grid intensity, energy counters, the profile), as
// one JSON document. Field by field in docs/server.md.
#include <cmath>
#include <string>

#include "greenroute/carbon/time_text.h"
#include "node_impl.h"

namespace greenroute::server {
namespace {

using nlohmann::json;

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json carbon_json(const NodeAgent::Impl& node) {
  json j = {{"zone", node.options.zone}};
  if (node.deps.carbon == nullptr || node.options.zone.empty()) {
    j["intensity_g_per_kwh"] = nullptr;
    j["error"] = node.options.zone.empty() ? "no --zone given" : "no carbon source";
    return j;
  }
  core::Result<carbon::Intensity> i = node.deps.carbon->intensity(node.options.zone, node.unix_now_s());
  if (!i.is_ok()) {
    j["intensity_g_per_kwh"] = nullptr;
    j["error"] = i.status().to_string();
    return j;
  }
  j["intensity_g_per_kwh"] = i->g_co2_per_kwh;
  j["source"] = i->source;
  j["at"] = carbon::format_utc_time(i->at_unix_s);
  j["signal"] = carbon::signal_kind_name(i->kind);
  j["basis"] = carbon::lifecycle_name(i->basis);
  j["stale"] = i->stale;
  j["forecast"] = i->forecast;
  j["estimated"] = i->estimated;
  if (i->fetched_at_unix_s > 0) j["fetched_at"] = carbon::format_utc_time(i->fetched_at_unix_s);
  return j;
}

json power_json(const NodeAgent::Impl& node) {
  json j = {{"energy_source", node.energy_source}};
  if (node.deps.sampler == nullptr) {
    j["watts"] = nullptr;
    return j;
  }
  const power::MeterInfo& m = node.deps.sampler->meter_info();
  j["meter"] = m.name;
  j["sensor"] = m.sensor;
  j["measured"] = m.measured;
  const auto latest = node.deps.sampler->latest();
  j["watts"] = latest ? number_or_null(latest->watts) : json(nullptr);
  const power::SamplerHealth h = node.deps.sampler->health();
  j["healthy"] = h.running && !h.failed;
  j["samples"] = h.samples;
  j["read_errors"] = h.read_errors;
  if (!h.last_error.is_ok()) j["last_error"] = h.last_error.to_string();
  return j;
}

json profile_json(const profile::DeviceProfile* p) {
  if (p == nullptr) return nullptr;
  return {{"kind", profile::profile_kind_name(p->kind)},
          {"device", p->device.name},
          {"model", p->model.name},
          {"meter", p->meter.name},
          {"measured", p->meter.measured},
          {"idle_watts", p->idle_watts},
          {"knee_batch", p->knee_batch},
          {"max_batch_fits", p->max_batch_fits},
          {"memory_bytes", p->device.memory_bytes},
          {"created_at", p->created_at}};
}

}  // namespace

json telemetry_json(const NodeAgent::Impl& node) {
  const core::Clock& clock = *node.deps.clock;
  json j;
  j["node"] = node.options.name;
  j["zone"] = node.options.zone;
  j["mode"] = node.embedded() ? "embedded" : "proxy";
  j["status"] = node.draining.load() ? "draining" : "ok";
  j["uptime_s"] = static_cast<double>(clock.now_ns() - node.started_ns) * 1e-9;
  std::string device = node.options.device_name;
  if (device.empty() && node.deps.profile != nullptr) device = node.deps.profile->device.name;
  j["device"] = {{"name", device}};
  if (node.embedded()) {
    const engine::context::Context& ctx = *node.deps.context;
    j["device"]["threads"] = ctx.params().n_threads;
    j["model"] = {{"id", node.options.model_id},
                  {"name", ctx.model().config().name},
                  {"n_ctx", ctx.params().n_ctx},
                  {"synthetic", ctx.model().config().synthetic}};
    const EngineSnapshot s = node.worker->snapshot();
    j["queue"] = {{"requests", s.queued_requests}, {"tokens", s.queued_tokens}, {"limit", node.options.max_queue}};
    j["batch"] = {{"running", s.running},
                  {"max_batch", node.options.max_batch},
                  {"tokens_left", s.running_tokens_left},
                  {"engine_failed", s.failed}};
    const std::uint64_t limit = s.memory_limit_bytes;
    // No limit (0): free is unknown, not infinite.
    json free_bytes = nullptr;
    if (limit > 0) free_bytes = limit > s.memory_used_bytes ? limit - s.memory_used_bytes : std::uint64_t{0};
    j["memory"] = {{"limit_bytes", limit},
                   {"used_bytes", s.memory_used_bytes},
                   {"free_bytes", free_bytes},
                   {"weights_bytes", ctx.memory_model().weight_bytes},
                   {"kv_allocated_bytes", s.kv_allocated_bytes},
                   {"kv_bytes_per_token", ctx.memory_model().kv_bytes_per_token},
                   {"kv_block_tokens", ctx.memory_model().kv_block_tokens}};
    j["tokenizer"] = {{"bytes_per_token", node.prompt_bytes->bytes_per_token()},
                      {"observed_prompt_bytes", node.prompt_bytes->observed_bytes()},
                      {"observed_prompt_tokens", node.prompt_bytes->observed_tokens()}};
  } else {
    j["upstream"] = node.options.upstream;
    j["queue"] = {{"requests", node.in_flight.load()}, {"tokens", nullptr}};
  }
  j["carbon"] = carbon_json(node);
  j["power"] = power_json(node);
  const EnergyLedger::Totals t = node.ledger->totals();
  j["energy"] = {{"device_joules_total", t.device_joules},
                 {"attributed_joules_total", t.attributed_joules},
                 {"unattributed_joules_total", t.unattributed_joules},
                 {"windows", t.windows},
                 {"failed_windows", t.failed_windows}};
  j["requests"] = {{"in_flight", node.in_flight.load()},
                   {"completed", node.completed.load()},
                   {"failed", node.failed.load()}};
  j["profile"] = profile_json(node.deps.profile);
  return j;
}

}  // namespace greenroute::server
