// Flags -> Plan: the mode's defaults (full, or --reduced for tests), then
// every value checked with a message naming its flag.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "experiment.h"
#include "greenroute/routing/policy.h"

namespace greenroute::cli::experiment {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

core::Status bad_flag(const std::string& flag, const std::string& value, const std::string& why) {
  return core::invalid_argument(fmt::format("{} '{}': {}", flag, value, why));
}

core::Result<std::vector<int>> parse_threads(const std::string& text, int cores) {
  std::vector<int> out;
  if (text.empty()) {
    // Two single-threaded nodes and one with two threads: three devices of
    // two speeds, which two cores can still run (docs/experiment.md).
    out = {1, 1, std::min(2, std::max(1, cores))};
    return out;
  }
  for (const std::string& item : split_list(text)) {
    const bool digits = !item.empty() && item.size() <= 3 && item.find_first_not_of("0123456789") == std::string::npos;
    const int v = digits ? std::stoi(item) : 0;
    if (!digits || v < 1 || v > 256) {
      return bad_flag("--threads", text, fmt::format("'{}' is not a thread count in 1..256", item));
    }
    out.push_back(v);
  }
  if (out.size() < 2 || out.size() > 16) {
    return bad_flag("--threads", text, "give one thread count per live node, 2 to 16 nodes");
  }
  return out;
}

core::Result<std::vector<std::string>> parse_policies(const std::string& text, bool reduced, bool* baseline_added) {
  std::vector<std::string> out;
  if (text.empty()) {
    if (reduced) {
      out = {kBaselinePolicy, "latency-aware", "carbon-aware"};
    } else {
      for (std::string_view name : routing::policy_names()) out.emplace_back(name);
    }
  } else {
    std::set<std::string> seen;
    for (const std::string& item : split_list(text)) {
      auto kind = routing::parse_policy_kind(item);
      if (!kind.is_ok()) return bad_flag("--policies", text, kind.status().message());
      if (!seen.insert(item).second) return bad_flag("--policies", text, "'" + item + "' is listed twice");
      out.push_back(item);
    }
  }
  *baseline_added = std::find(out.begin(), out.end(), kBaselinePolicy) == out.end();
  // The baseline runs first: every other policy is compared with it.
  out.erase(std::remove(out.begin(), out.end(), kBaselinePolicy), out.end());
  out.insert(out.begin(), kBaselinePolicy);
  return out;
}

std::string canonical_command(const Flags& f) {
  std::string cmd = "greenroute experiment";
  auto add = [&](const std::string& flag, const std::string& value) {
    cmd += " " + flag;
    if (!value.empty()) cmd += " " + (value.find_first_of(" '\"") == std::string::npos ? value : "'" + value + "'");
  };
  if (f.reduced) add("--reduced", "");
  if (!f.model_path.empty()) add("--model", f.model_path);
  if (f.model_cache != "models") add("--model-cache", f.model_cache);
  add("--out", f.out_dir);
  if (!f.carbon_traces.empty()) add("--carbon-traces", f.carbon_traces);
  if (!f.policies.empty()) add("--policies", f.policies);
  if (!f.threads.empty()) add("--threads", f.threads);
  if (!f.zones.empty()) add("--zones", f.zones);
  if (f.requests > 0) add("--requests", std::to_string(f.requests));
  if (f.rate > 0) add("--rate", fmt::format("{}", f.rate));
  if (f.max_tokens > 0) add("--max-tokens", std::to_string(f.max_tokens));
  if (f.slo_ms > 0) add("--slo-ms", fmt::format("{}", f.slo_ms));
  if (f.sim_hours > 0) add("--sim-hours", fmt::format("{}", f.sim_hours));
  if (f.sim_nodes > 0) add("--sim-nodes", std::to_string(f.sim_nodes));
  if (f.validation_requests >= 0) add("--validation-requests", std::to_string(f.validation_requests));
  if (f.seeds > 0) add("--seeds", std::to_string(f.seeds));
  if (f.gateway_port > 0) add("--gateway-port", std::to_string(f.gateway_port));
  add("--seed", std::to_string(f.seed));
  return cmd;
}

}  // namespace

std::vector<int> Plan::bench_threads() const {
  std::set<int> t(node_threads.begin(), node_threads.end());
  if (validation_requests > 0) t.insert(1);
  return {t.begin(), t.end()};
}

core::Result<Plan> make_plan(const Flags& f, int cores) {
  Plan p;
  p.reduced = f.reduced;
  p.cores = std::max(1, cores);
  p.out_dir = f.out_dir;
  if (f.out_dir.empty()) return bad_flag("--out", f.out_dir, "must name a directory");
  p.model_path = f.model_path;
  p.model_cache = f.model_cache;
  if (f.model_path.empty() && f.model_cache.empty()) return bad_flag("--model-cache", "", "must name a directory");
  // A synthetic model with a real model's shape (135M parameters) keeps each
  // request at a few hundred milliseconds on two cores, long enough that HTTP
  // overhead is small next to the engine's work; tests use the tiny preset.
  p.synth_preset = f.reduced ? "tiny" : "smollm2-135m";
  p.synth_type = "q8_0";
  p.carbon_traces = f.carbon_traces;

  GR_ASSIGN_OR_RETURN(p.policies, parse_policies(f.policies, f.reduced, &p.baseline_added));
  GR_ASSIGN_OR_RETURN(p.node_threads, parse_threads(f.threads, p.cores));
  if (!f.zones.empty()) {
    p.node_zones = split_list(f.zones);
    for (const std::string& z : p.node_zones) {
      if (z.empty()) return bad_flag("--zones", f.zones, "an empty zone");
    }
    if (p.node_zones.size() != p.node_threads.size()) {
      return bad_flag("--zones", f.zones,
                      fmt::format("{} zones for {} live nodes (one per --threads entry)", p.node_zones.size(),
                                  p.node_threads.size()));
    }
  }

  p.requests = f.requests > 0 ? f.requests : (f.reduced ? 8 : 40);
  if (f.requests < 0 || p.requests > 10000) {
    return bad_flag("--requests", std::to_string(f.requests), "must be in 1..10000");
  }
  if (f.validation_requests < -1 || f.validation_requests > 10000) {
    return bad_flag("--validation-requests", std::to_string(f.validation_requests), "must be in 0..10000 (0: skip)");
  }
  p.validation_requests = f.validation_requests >= 0 ? f.validation_requests : (f.reduced ? 6 : 20);
  // Two nodes of one thread each, one per core: separate devices, as the
  // simulator models them. A one-core machine runs them unpinned.
  p.validation_pinned = p.cores >= 2;
  if (!std::isfinite(f.rate) || f.rate < 0 || f.rate > 1000) {
    return bad_flag("--rate", fmt::format("{}", f.rate), "must be a rate in (0, 1000] requests/s (0: automatic)");
  }
  p.rate = f.rate;
  p.max_tokens = f.max_tokens > 0 ? f.max_tokens : (f.reduced ? 8 : 16);
  if (f.max_tokens < 0 || p.max_tokens > 4096) {
    return bad_flag("--max-tokens", std::to_string(f.max_tokens), "must be in 1..4096");
  }
  if (!std::isfinite(f.slo_ms) || f.slo_ms < 0 || f.slo_ms > 3.6e6) {
    return bad_flag("--slo-ms", fmt::format("{}", f.slo_ms), "must be in (0, 3600000] ms (0: automatic)");
  }
  p.slo_ms = f.slo_ms;

  p.bench_repeat = f.reduced ? 1 : 2;
  p.idle_seconds = f.reduced ? 0.3 : 1.0;

  if (!std::isfinite(f.sim_hours) || f.sim_hours < 0 || f.sim_hours > 8784) {
    return bad_flag("--sim-hours", fmt::format("{}", f.sim_hours), "must be in (0, 8784] hours (0: the default)");
  }
  p.large_hours = f.sim_hours > 0 ? f.sim_hours : (f.reduced ? 2 : 24);
  p.reference_hours = f.sim_hours > 0 ? f.sim_hours : (f.reduced ? 2 : 24);
  if (f.sim_nodes < 0 || f.sim_nodes == 1 || f.sim_nodes > 100000) {
    return bad_flag("--sim-nodes", std::to_string(f.sim_nodes), "must be in 2..100000");
  }
  p.large_nodes = f.sim_nodes > 0 ? f.sim_nodes : (f.reduced ? 40 : 240);
  if (f.seeds < 0 || f.seeds > 50) return bad_flag("--seeds", std::to_string(f.seeds), "must be in 1..50");
  const int seeds = f.seeds > 0 ? f.seeds : (f.reduced ? 2 : 3);
  for (int i = 0; i < seeds; ++i) p.seeds.push_back(f.seed + static_cast<std::uint64_t>(i));
  if (f.gateway_port < 0 || f.gateway_port > 65535) {
    return bad_flag("--gateway-port", std::to_string(f.gateway_port), "must be a port in 0..65535 (0: any free port)");
  }
  p.gateway_port = f.gateway_port;
  p.seed = f.seed;
  p.json = f.json;
  p.quiet = f.quiet;
  p.command_line = canonical_command(f);
  return p;
}

}  // namespace greenroute::cli::experiment
