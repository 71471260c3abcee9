// `greenroute simulate`: the cluster of a config file under a workload file,
// every policy asked for over the same requests, on the simulator (sim), with
// the gateway's own policy code. Prints per policy latency, SLO misses,
// throughput, utilisation, energy, carbon and grams saved against the
// baseline (mean ± 95% CI over several seeds), and writes CSV and JSON of
// every figure with --out.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_common.h"
#include "greenroute/carbon/time_text.h"
#include "greenroute/routing/cluster_config.h"
#include "greenroute/sim/carbon_traces.h"
#include "greenroute/sim/compare.h"
#include "greenroute/sim/workload_config.h"
#include "progress.h"
#include "simulate_prompts.h"
#include "simulate_report.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;

// Requests a run holds in memory (about 200 bytes each with their
// predictions and latencies): beyond, the run would exhaust memory rather
// than answer.
constexpr double kMaxExpectedRequests = 20e6;
constexpr double kMaxHours = 24.0 * 366 * 10;  // ten years of simulated time

struct SimulateFlags {
  std::string cluster;
  std::string workload;
  std::string policies;
  std::string baseline;
  std::string carbon_traces;
  std::string trace_basis = "lifecycle";
  std::string trace_interp = "step";
  std::string start;
  std::string out_dir;
  std::string prompts;
  std::string tokenizer;
  double hours = 0;
  std::uint64_t seed = 0;
  int seeds = 1;
  double latency_noise = 0.1;
  double energy_noise = 0.05;
  double max_wait_ms = 0;
  int node_max_queue = 64;
  double refresh_s = 300;
  bool no_correction = false;
  bool json = false;
  bool quiet = false;
  // Set when the flag was given (CLI11 counts).
  bool hours_given = false;
  bool seed_given = false;
};

core::Result<std::vector<std::string>> parse_policies(const std::string& list) {
  std::vector<std::string> out;
  if (list.empty()) {
    for (std::string_view name : routing::policy_names()) out.emplace_back(name);
    return out;
  }
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = list.find(',', pos);
    const std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (name.empty()) return core::invalid_argument("--policies: empty name in '" + list + "'");
    auto kind = routing::parse_policy_kind(name);
    if (!kind.is_ok()) return core::invalid_argument("--policies: " + kind.status().message());
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Requests the workload will draw, on average.
double expected_requests(const sim::WorkloadConfig& w) {
  switch (w.arrival) {
    case sim::ArrivalKind::kPoisson:
    case sim::ArrivalKind::kDiurnal: return w.rate * w.duration_s;
    case sim::ArrivalKind::kBursty:
      return w.duration_s * (w.on_rate * w.on_mean_s + w.off_rate * w.off_mean_s) / (w.on_mean_s + w.off_mean_s);
  }
  return 0;
}

double mean_length(const sim::LengthSpec& s) {
  if (s.kind == sim::LengthKind::kLognormal) return std::clamp(s.mean, static_cast<double>(s.min), static_cast<double>(s.max));
  double sum = 0;
  for (int v : s.values) sum += v;
  return s.values.empty() ? 0 : sum / static_cast<double>(s.values.size());
}

// The SLO no node can meet even alone, for a mean-sized request: worth a
// warning (the run is still valid: it measures exactly that).
void warn_unreachable_slo(const sim::WorkloadConfig& w, const std::vector<sim::SimNode>& nodes,
                          const std::string& workload_file) {
  if (w.slo_fraction <= 0) return;
  const double p = mean_length(w.prompt);
  const double n = mean_length(w.output);
  double fastest = std::numeric_limits<double>::infinity();
  std::string fastest_name;
  for (const sim::SimNode& node : nodes) {
    const double ms = node.profile->predict_latency_ms(1, p, n);
    if (ms < fastest) {
      fastest = ms;
      fastest_name = node.name;
    }
  }
  if (w.slo_ms < fastest) {
    std::fprintf(stderr,
                 "greenroute: warning: %s: workload.slo_ms %g is below the fastest node's predicted latency for a "
                 "mean-sized request alone (%s: %.0f ms): nearly every SLO request will miss it\n",
                 workload_file.c_str(), w.slo_ms, fastest_name.c_str(), fastest);
  }
}

void note_zones_without_trace(const sim::AppliedTraces& traces, const fs::path& dir,
                              const std::vector<sim::SimNode>& nodes, const std::vector<std::string>& specs) {
  constexpr std::size_t kListed = 8;
  for (std::size_t i = 0; i < traces.without_trace.size() && i < kListed; ++i) {
    const std::string& zone = traces.without_trace[i];
    std::string spec;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (nodes[n].zone == zone) {
        spec = n < specs.size() ? specs[n] : std::string(nodes[n].carbon->name());
        break;
      }
    }
    const fs::path file = sim::trace_file_for(dir, zone);
    std::fprintf(stderr, "greenroute: note: no carbon trace for zone %s (%s); its nodes keep their configured source %s\n",
                 zone.c_str(), file.empty() ? "not a file name" : ("no " + file.string()).c_str(), spec.c_str());
  }
  if (traces.without_trace.size() > kListed) {
    std::fprintf(stderr, "greenroute: note: and %zu more zones without a trace keep their configured sources\n",
                 traces.without_trace.size() - kListed);
  }
}

int run_simulate(const SimulateFlags& f) {
  using Clock = std::chrono::steady_clock;
  // Inputs: every fault here is the user's file or flag (exit 2).
  auto config = routing::load_cluster_config(f.cluster, routing::LoadOptions::simulator());
  if (!config.is_ok()) return fail(config.status().message(), kExitUsage);
  auto loaded = sim::load_workload_config(f.workload);
  if (!loaded.is_ok()) return fail(loaded.status().message(), kExitUsage);
  sim::WorkloadConfig workload = std::move(loaded).value();
  if (f.hours_given) workload.duration_s = f.hours * 3600.0;
  if (f.seed_given) workload.seed = f.seed;
  if (!f.start.empty()) {
    const auto start = carbon::parse_utc_time(f.start);
    if (!start) return fail("--start: '" + f.start + "' is not unix seconds or an ISO-8601 UTC time", kExitUsage);
    workload.start_unix_s = *start;
  }
  std::string lengths_from;
  if (!f.prompts.empty()) {
    auto lengths = prompt_lengths(f.prompts, f.tokenizer);
    if (!lengths.is_ok()) return fail(lengths.status().message(), kExitUsage);
    workload.prompt = sim::LengthSpec{};
    workload.prompt.kind = sim::LengthKind::kList;
    workload.prompt.values = lengths->prompt_tokens;
    lengths_from = fmt::format("prompt lengths: the {} prompts of {}, {}", lengths->prompt_tokens.size(), f.prompts,
                               lengths->how);
    if (!lengths->output_tokens.empty()) {
      workload.output = sim::LengthSpec{};
      workload.output.kind = sim::LengthKind::kList;
      workload.output.values = lengths->output_tokens;
      lengths_from += "; output lengths: their max_tokens";
    }
  } else if (!f.tokenizer.empty()) {
    return fail("--tokenizer counts the tokens of --prompts, which is not given", kExitUsage);
  }
  if (core::Status st = sim::validate_workload(workload); !st.is_ok()) {
    return fail(f.workload + " (with the flags applied): " + st.message(), kExitUsage);
  }
  const double expected = expected_requests(workload);
  if (expected > kMaxExpectedRequests) {
    return fail(fmt::format("{}: about {:.0f} requests per run (rate x duration), more than the {:.0f} a run holds in "
                            "memory; shorten the duration (--hours) or lower the rate",
                            f.workload, expected, kMaxExpectedRequests),
                kExitUsage);
  }
  auto policies = parse_policies(f.policies);
  if (!policies.is_ok()) return fail(policies.status().message(), kExitUsage);
  const std::string baseline =
      f.baseline.empty() ? std::string(routing::policy_name(config->defaults.baseline_policy)) : f.baseline;
  if (auto kind = routing::parse_policy_kind(baseline); !kind.is_ok()) {
    return fail("--baseline: " + kind.status().message(), kExitUsage);
  }

  SimulateSetup setup;
  setup.cluster_file = f.cluster;
  setup.workload_file = f.workload;
  setup.baseline = baseline;
  setup.lengths_from = lengths_from;
  auto nodes = sim::sim_nodes_from_config(*config);
  if (!nodes.is_ok()) return fail(f.cluster + ": " + nodes.status().message(), kExitUsage);
  setup.nodes = std::move(nodes).value();
  for (const routing::NodeConfig& nc : config->nodes) {
    setup.node_groups.push_back(nc.group);
    setup.node_carbon_specs.push_back(nc.carbon);
  }
  if (!f.carbon_traces.empty()) {
    sim::TraceOptions trace_options;
    trace_options.basis = f.trace_basis == "direct" ? carbon::Lifecycle::kDirect : carbon::Lifecycle::kLifecycle;
    trace_options.interpolation = f.trace_interp == "linear" ? carbon::Interpolation::kLinear : carbon::Interpolation::kStep;
    auto applied = sim::apply_carbon_traces(setup.nodes, f.carbon_traces, trace_options);
    if (!applied.is_ok()) return fail("--carbon-traces: " + applied.status().message(), kExitUsage);
    setup.traces = std::move(applied).value();
    setup.carbon_traces_dir = f.carbon_traces;
    note_zones_without_trace(setup.traces, f.carbon_traces, setup.nodes, setup.node_carbon_specs);
  }

  sim::SimOptions options;
  options.latency_noise_sigma = f.latency_noise;
  options.energy_noise_sigma = f.energy_noise;
  options.max_wait_ms = f.max_wait_ms;
  options.node_max_queue = f.node_max_queue;
  options.intensity_refresh_s = f.refresh_s;
  options.online_correction = !f.no_correction;
  options.baseline_policy = baseline;
  options.start_unix_s = workload.start_unix_s;
  options.policy_options.hybrid_alpha = config->defaults.hybrid_alpha;
  if (config->defaults.slo_ms > 0) options.policy_options.default_slo_ms = static_cast<double>(config->defaults.slo_ms);
  if (core::Status st = sim::validate_sim_options(options); !st.is_ok()) return fail(st.message(), kExitUsage);
  warn_unreachable_slo(workload, setup.nodes, f.workload);

  if (!f.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(f.out_dir, ec);
    if (ec) return fail("--out: cannot create " + f.out_dir + ": " + ec.message());
  }
  for (int i = 0; i < f.seeds; ++i) setup.seeds.push_back(workload.seed + static_cast<std::uint64_t>(i));
  setup.workload = workload;
  setup.options = options;

  // The runs: per seed, a fresh workload and noise seed, every policy over it
  // (compare_over_seeds' pairing, kept per run so every figure can be written).
  std::size_t runs_per_seed = policies->size();
  if (std::find(policies->begin(), policies->end(), baseline) == policies->end()) ++runs_per_seed;
  const double runs_total = static_cast<double>(runs_per_seed * setup.seeds.size());
  ProgressDisplay display(isatty(STDERR_FILENO) != 0);
  const auto t0 = Clock::now();
  double runs_done = 0;
  std::uint64_t current_seed = 0;
  options.on_progress = [&](std::string_view policy, std::uint64_t arrived, std::uint64_t total) {
    if (f.quiet) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (elapsed < 3.0) return;  // short runs stay silent
    const double frac = (runs_done + static_cast<double>(arrived) / static_cast<double>(std::max<std::uint64_t>(total, 1))) /
                        runs_total;
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : -1;
    display.update(static_cast<int>(frac * 1000), 1000,
                   fmt::format("seed {} {} {}/{} requests", current_seed, policy, arrived, total), elapsed, eta);
  };
  std::vector<SeedRun> runs;
  for (std::uint64_t seed : setup.seeds) {
    sim::WorkloadConfig w = workload;
    w.seed = seed;
    auto requests = sim::generate_workload(w);
    if (!requests.is_ok()) return fail(requests.status().message(), kExitUsage);
    sim::SimOptions o = options;
    o.noise_seed = seed;
    current_seed = seed;
    // Each policy's run ends with its last arrival reported: count it done.
    o.on_progress = [&](std::string_view policy, std::uint64_t arrived, std::uint64_t total) {
      options.on_progress(policy, arrived, total);
      if (arrived == total) runs_done += 1;
    };
    auto comparison = sim::compare_policies(setup.nodes, *requests, *policies, o);
    if (!comparison.is_ok()) return fail(comparison.status());
    runs.push_back(SeedRun{.seed = seed, .requests = requests->size(), .comparison = std::move(comparison).value()});
  }
  display.finish();

  if (f.json) {
    std::printf("%s\n", to_json(setup, runs).dump(2).c_str());
  } else {
    std::printf("%s", render_text(setup, runs).c_str());
  }
  if (!f.out_dir.empty()) {
    if (core::Status st = write_outputs(f.out_dir, setup, runs); !st.is_ok()) return fail(st.message(), kExitFailure);
    if (!f.json) std::printf("\nwrote %s/{summary.csv, runs.csv, nodes.csv, results.json}\n", f.out_dir.c_str());
  }
  return kExitOk;
}

}  // namespace

void register_simulate_command(CLI::App& root, std::vector<Command>& commands) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Simulate a cluster config under a workload file with the gateway's own routing policies, and compare them "
      "(latency, SLO misses, throughput, utilisation, kWh, gCO2e, grams saved vs the baseline)");
  cmd->footer(
      "Energy and carbon are ESTIMATED from the device profiles' models (docs/sim.md).\n"
      "Exit status: 0 ok, 1 outputs could not be written, 2 bad flags or a malformed cluster, workload or trace "
      "file.");
  cmd->add_option("--cluster", f->cluster, "Cluster config (.toml, .yaml): docs/cluster-config.md")->required();
  cmd->add_option("--workload", f->workload, "Workload file (.toml): docs/sim.md")->required();
  cmd->add_option("--policies", f->policies,
                  "Comma-separated policies to compare (default: all of round-robin, random, greedy-fastest, "
                  "greedy-least-loaded, latency-aware, carbon-aware, hybrid, slo-carbon)");
  cmd->add_option("--baseline", f->baseline,
                  "Policy that grams saved are counted against; run too when not listed (default: the config's "
                  "baseline_policy)");
  cmd->add_option("--carbon-traces", f->carbon_traces,
                  "Folder of hourly intensity traces, DIR/<ZONE>.csv (Electricity Maps export or timestamp,value): "
                  "they replace the configured carbon source of their zone's nodes");
  cmd->add_option("--trace-basis", f->trace_basis, "Electricity Maps column of the traces: lifecycle or direct")
      ->capture_default_str()
      ->check(CLI::IsMember({"lifecycle", "direct"}));
  cmd->add_option("--trace-interp", f->trace_interp, "Between trace points: step or linear")
      ->capture_default_str()
      ->check(CLI::IsMember({"step", "linear"}));
  cmd->add_option("--hours", f->hours, "Simulated duration of arrivals, overriding the workload's duration_s")
      ->check(CLI::Range(1e-6, kMaxHours));
  cmd->add_option("--start", f->start,
                  "UTC start of the simulated time (unix seconds or ISO-8601), overriding the workload's start_unix_s");
  cmd->add_option("--prompts", f->prompts,
                  "Prompt set whose prompt lengths the requests take (greenroute JSONL, MT-bench, ShareGPT, or "
                  "'builtin'), replacing the workload's [prompt]");
  cmd->add_option("--tokenizer", f->tokenizer,
                  "GGUF file whose tokenizer counts the --prompts tokens (else ESTIMATED at 4 bytes per token)");
  cmd->add_option("--seed", f->seed, "Workload and noise seed, overriding the workload's seed");
  cmd->add_option("--seeds", f->seeds, "Runs with seeds S, S+1, ...: figures become mean ±95% CI")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--latency-noise", f->latency_noise, "Lognormal sigma of each request's latency (alone) around the profile")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 5.0));
  cmd->add_option("--energy-noise", f->energy_noise, "Lognormal sigma of a batch's power around the profile (one draw per change of its members)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 5.0));
  cmd->add_option("--max-wait-ms", f->max_wait_ms,
                  "A node waits up to this long for its batch to fill (0: starts as soon as it is free)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3.6e6));
  cmd->add_option("--node-max-queue", f->node_max_queue,
                  "Requests that may wait at a node; a full node is not routed to, as with `greenroute node "
                  "--max-queue` (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--intensity-refresh-s", f->refresh_s, "How often the simulated gateway re-reads grid intensity")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  cmd->add_flag("--no-correction", f->no_correction, "Turn off the predictor's online correction");
  cmd->add_option("--out", f->out_dir, "Write summary.csv, runs.csv, nodes.csv and results.json here");
  cmd->add_flag("--json", f->json, "Print every figure as JSON");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress display");
  commands.push_back({cmd, [f, cmd] {
                        f->hours_given = cmd->count("--hours") > 0;
                        f->seed_given = cmd->count("--seed") > 0;
                        return run_simulate(*f);
                      }});
}

}  // namespace greenroute::cli
