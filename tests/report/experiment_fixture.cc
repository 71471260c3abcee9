#include "experiment_fixture.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/rng.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/sim/compare.h"

namespace greenroute::report::testing_util {
namespace {

sim::MeanCi ci(double mean, double half_width, int n = 3) {
  return sim::MeanCi{mean, half_width, n};
}

LivePolicyRun live_run(const std::string& policy, double carbon_g, double latency_ms,
                       std::map<std::string, std::uint64_t> per_node) {
  LivePolicyRun r;
  r.policy = policy;
  r.requests = 4;
  r.completed = 4;
  r.wall_s = 2;
  r.throughput_rps = 2;
  r.latency_mean_ms = latency_ms;
  r.latency_p50_ms = latency_ms * 0.9;
  r.latency_p95_ms = latency_ms * 1.5;
  r.latency_p99_ms = latency_ms * 1.6;
  r.energy_j = carbon_g * 10;
  r.carbon_g = carbon_g;
  r.energy_source = "estimated:cpu-estimate";
  r.requests_per_node = std::move(per_node);
  return r;
}

sim::PolicyResult sim_result(const std::string& policy, double carbon_g, double latency_ms,
                             std::uint64_t on_jetson, std::uint64_t on_rtx) {
  sim::PolicyResult r;
  r.policy = policy;
  r.requests = on_jetson + on_rtx;
  r.completed = r.requests;
  r.latency_mean_ms = latency_ms;
  r.latency_p50_ms = latency_ms * 0.8;
  r.latency_p95_ms = latency_ms * 2;
  r.latency_p99_ms = latency_ms * 3;
  r.makespan_s = 3600;
  r.throughput_rps = static_cast<double>(r.completed) / 3600;
  r.energy_j = carbon_g * 5000;
  r.batch_energy_j = r.energy_j * 0.75;
  r.idle_energy_j = r.energy_j * 0.25;
  r.energy_kwh = r.energy_j / 3.6e6;
  r.carbon_g = carbon_g;
  r.nodes = {sim::NodeResult{.name = "jetson", .zone = "SE", .requests = on_jetson, .batches = on_jetson,
                             .busy_s = 1000, .utilisation = 0.28, .batch_energy_j = 1, .idle_energy_j = 1,
                             .energy_j = 2, .carbon_g = 0.1, .max_queue = 3, .queue_at_last_arrival = 0},
             sim::NodeResult{.name = "rtx", .zone = "PL", .requests = on_rtx, .batches = on_rtx,
                             .busy_s = 1500, .utilisation = 0.42, .batch_energy_j = 1, .idle_energy_j = 1,
                             .energy_j = 2, .carbon_g = 0.1, .max_queue = 5, .queue_at_last_arrival = 1}};
  // One batch per hour on the node each policy favours.
  for (int h = 0; h < 4; ++h) {
    const bool jetson = on_jetson >= on_rtx;
    r.batches.push_back(sim::BatchRecord{.node = jetson ? 0u : 1u,
                                         .start_us = h * 3'600'000'000LL + 60'000'000,
                                         .end_us = h * 3'600'000'000LL + 61'000'000,
                                         .size = 2,
                                         .joined = 2,
                                         .energy_j = 10,
                                         .g_co2_per_kwh = jetson ? 40.0 : 700.0,
                                         .carbon_g = jetson ? 0.1 : 2.0});
  }
  return r;
}

}  // namespace

ExperimentData small_experiment() {
  ExperimentData d;
  d.title = "greenroute experiment";
  d.generated_at = "2026-11-24T12:00:00Z";
  d.mode = "reduced";
  d.command_line = "greenroute experiment --reduced --out out/experiment";
  d.machine = "2 cores, 24 GiB, no GPU";

  d.bench.device = "2-core AMD EPYC (cpu)";
  d.bench.model = "stories260K.gguf (llama, 260K params)";
  d.bench.energy_label = "estimated:cpu-estimate";
  d.bench.output_tokens = 32;
  d.bench.knee_batch = 2;
  d.bench.profile_path = "profile.json";
  d.bench.points = {
      BatchPoint{.batch = 1, .latency_ms = 18, .joules_per_prompt = 0.35, .joules_per_output_token = 0.011,
                 .throughput_tokens_per_s = 1807.8, .saturated = false},
      BatchPoint{.batch = 2, .latency_ms = 21, .joules_per_prompt = 0.21, .joules_per_output_token = 0.006,
                 .throughput_tokens_per_s = 3106.2, .saturated = false},
      BatchPoint{.batch = 4, .latency_ms = 168, .joules_per_prompt = 0.84, .joules_per_output_token = 0.026,
                 .throughput_tokens_per_s = 760.4, .saturated = false},
      BatchPoint{.batch = 8, .latency_ms = 896, .joules_per_prompt = 2.24, .joules_per_output_token = 0.07,
                 .throughput_tokens_per_s = 285.6, .saturated = false}};

  LiveRun live;
  live.workload = "12 prompts, Poisson 2 req/s, max_tokens 16";
  live.baseline_policy = "greedy-fastest";
  live.machine_cores = 2;
  live.nodes = {LiveNode{"n-se", "SE", 1, "zone-table", 40},
                LiveNode{"n-de", "DE", 1, "zone-table", 400},
                LiveNode{"n-pl", "PL", 2, "zone-table", 700}};
  live.runs = {live_run("greedy-fastest", 10, 400, {{"n-pl", 4}}),
               live_run("carbon-aware", 6.5, 600, {{"n-se", 3}, {"n-pl", 1}}),
               live_run("latency-aware", 9, 160, {{"n-se", 1}, {"n-de", 1}, {"n-pl", 2}})};
  for (LivePolicyRun& run : live.runs) {
    int i = 0;
    for (const auto& [node, n] : run.requests_per_node) {
      for (std::uint64_t k = 0; k < n; ++k, ++i) {
        const LiveNode& info = node == "n-se" ? live.nodes[0] : node == "n-de" ? live.nodes[1] : live.nodes[2];
        run.requests_log.push_back(LiveRequest{.sent_s = 0.5 * i, .policy = run.policy, .node = node,
                                               .zone = info.zone,
                                               .intensity_g_per_kwh = info.mean_intensity_g_per_kwh,
                                               .latency_ms = run.latency_mean_ms, .prompt_tokens = 20,
                                               .output_tokens = 16, .energy_j = run.energy_j / 4,
                                               .carbon_g = run.carbon_g / 4, .http_status = 200});
      }
    }
  }
  d.live = live;

  d.validation = {ValidationRow{"greedy-fastest", 400, 420, 100, 104, 5, 4},
                  ValidationRow{"carbon-aware", 600, 630, 65, 52, 5, -20}};

  SimScenario s;
  s.name = "reference-study";
  s.description = "Jetson Orin NX 8 GB + RTX 2000 Ada 16 GB, 4 h, Poisson 0.5 req/s";
  s.nodes = 2;
  s.zones = 2;
  s.hours = 4;
  s.requests = 7200;
  s.seeds = {1, 2, 3};
  s.first_seed.baseline = "greedy-fastest";
  s.first_seed.results = {sim_result("greedy-fastest", 110, 980, 100, 7100),
                          sim_result("carbon-aware", 75, 1500, 7000, 200),
                          sim_result("latency-aware", 95, 280, 3000, 4200)};
  s.first_seed.results[1].saved_vs_baseline_g = 35;
  s.first_seed.results[2].saved_vs_baseline_g = 15;
  auto summary = [](const std::string& policy, double carbon, double latency) {
    sim::PolicySummary p;
    p.policy = policy;
    p.latency_mean_ms = ci(latency, latency * 0.05);
    p.latency_p95_ms = ci(latency * 2, latency * 0.1);
    p.carbon_g = ci(carbon, carbon * 0.03);
    p.energy_kwh = ci(carbon * 5000 / 3.6e6, carbon * 5000 / 3.6e6 * 0.02);
    p.saved_vs_baseline_g = ci(100 - carbon, 1.5);
    p.slo_violation_rate = ci(0.02, 0.01);
    p.throughput_rps = ci(0.5, 0.01);
    return p;
  };
  s.over_seeds = {summary("greedy-fastest", 100, 900), summary("carbon-aware", 80, 1400),
                  summary("latency-aware", 92, 300)};
  for (int h = 0; h <= 4; ++h) {
    s.intensity_by_zone["SE"].push_back({h * 3600.0, 40.0 + 5 * h});
    s.intensity_by_zone["PL"].push_back({h * 3600.0, 700.0 - 10 * h});
  }
  d.simulations.push_back(s);
  d.notes = {"reduced mode: 12 prompts per policy"};
  return d;
}

namespace {

// Hourly grid intensity with a midday solar dip and an evening peak, per zone.
class DiurnalSource : public carbon::CarbonSource {
 public:
  explicit DiurnalSource(std::map<std::string, double> base) : base_(std::move(base)) {}
  std::string_view name() const override { return "test-diurnal"; }
  core::Result<carbon::Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override {
    const auto it = base_.find(std::string(zone));
    if (it == base_.end()) return core::not_found("no zone " + std::string(zone));
    const std::int64_t hour_start = at_unix_s - at_unix_s % 3600;
    carbon::Intensity out;
    out.g_co2_per_kwh = value(it->second, hour_start);
    out.zone = std::string(zone);
    out.at_unix_s = hour_start;
    out.source = "test-diurnal";
    return out;
  }
  static double value(double base, std::int64_t unix_s) {
    const double h = static_cast<double>(unix_s % 86400) / 3600;
    const double solar = std::max(0.0, std::cos((h - 13) / 24 * 2 * std::numbers::pi));
    const double evening = std::exp(-(h - 19) * (h - 19) / 4);
    return base * (1 - 0.45 * solar * solar + 0.2 * evening);
  }

 private:
  std::map<std::string, double> base_;
};

core::Result<std::shared_ptr<const profile::DeviceProfile>> reference_profile(const std::string& name) {
  GR_ASSIGN_OR_RETURN(profile::DeviceProfile p,
                      profile::load_profile(std::string(GREENROUTE_SOURCE_DIR) + "/profiles/" + name + ".json"));
  return std::make_shared<const profile::DeviceProfile>(std::move(p));
}

core::Status run_scenario(const std::vector<sim::SimNode>& nodes, const sim::WorkloadConfig& workload,
                          const std::vector<std::uint64_t>& seeds, SimScenario* s) {
  const std::vector<std::string> policies = {"greedy-fastest", "carbon-aware", "latency-aware", "hybrid"};
  sim::SimOptions options;
  options.start_unix_s = workload.start_unix_s;
  options.noise_seed = seeds.front();
  options.record_batches = true;
  sim::WorkloadConfig first = workload;
  first.seed = seeds.front();
  GR_ASSIGN_OR_RETURN(std::vector<sim::SimRequest> requests, sim::generate_workload(first));
  GR_ASSIGN_OR_RETURN(s->first_seed, sim::compare_policies(nodes, requests, policies, options));
  options.record_batches = false;
  GR_ASSIGN_OR_RETURN(s->over_seeds, sim::compare_over_seeds(nodes, workload, policies, seeds, options));
  s->seeds = seeds;
  s->requests = requests.size();
  s->nodes = static_cast<int>(nodes.size());
  s->hours = workload.duration_s / 3600;
  std::map<std::string, double> zone_base;
  for (const sim::SimNode& n : nodes) zone_base[n.zone] = 0;
  s->zones = static_cast<int>(zone_base.size());
  for (const sim::SimNode& n : nodes) {
    if (!s->intensity_by_zone[n.zone].empty()) continue;
    for (int h = 0; h <= static_cast<int>(s->hours); ++h) {
      auto at = n.carbon->intensity(n.zone, workload.start_unix_s + h * 3600);
      if (!at.is_ok()) return at.status();
      s->intensity_by_zone[n.zone].push_back({h * 3600.0, at->g_co2_per_kwh});
    }
  }
  return core::Status::ok();
}

}  // namespace

core::Result<ExperimentData> realistic_experiment() {
  ExperimentData d = small_experiment();
  d.mode = "full";
  d.command_line = "greenroute experiment --model models/demo-smollm2-135m-q8_0.gguf --out out/experiment";
  d.notes = {"No power sensor on this machine: energy is estimated by cpu-estimate (10 W idle + 5 W per busy core).",
             "Carbon intensity: built-in yearly averages per zone (zone-table), no --carbon-traces given."};
  // docs/bench.md, stories260K at 128 output tokens.
  d.bench.output_tokens = 128;
  d.bench.points = {
      BatchPoint{1, 25, 0.51, 0.004, 5044.3, false},   BatchPoint{2, 42, 0.42, 0.003, 6152.5, false},
      BatchPoint{4, 289, 1.44, 0.011, 1773.9, false},  BatchPoint{8, 1378, 3.45, 0.027, 742.9, false},
      BatchPoint{16, 1766, 2.21, 0.017, 1159.7, false}, BatchPoint{32, 4037, 2.52, 0.02, 1014.6, true}};

  // Live: 3 nodes, 24 prompts per policy at about 2 req/s.
  LiveRun& live = *d.live;
  live.workload = "24 prompts, Poisson 2 req/s, max_tokens 16";
  live.nodes = {LiveNode{"node-se", "SE", 1, "zone-table", 45},
                LiveNode{"node-de", "DE", 1, "zone-table", 474},
                LiveNode{"node-pl", "PL", 2, "zone-table", 760}};
  live.runs.clear();
  core::Rng rng(7);
  struct Shape {
    const char* policy;
    double share[3];      // of requests per node
    double latency_ms;    // typical
  };
  const Shape shapes[] = {{"greedy-fastest", {0, 0, 1}, 1450},
                          {"carbon-aware", {0.92, 0.08, 0}, 2100},
                          {"latency-aware", {0.3, 0.3, 0.4}, 820},
                          {"hybrid", {0.6, 0.25, 0.15}, 1180}};
  for (const Shape& shape : shapes) {
    LivePolicyRun run;
    run.policy = shape.policy;
    run.energy_source = "estimated:cpu-estimate";
    double t = 0;
    std::vector<double> latencies;
    for (int i = 0; i < 24; ++i) {
      t += -std::log(1 - rng.uniform_double()) / 2;
      const double u = rng.uniform_double();
      const int node = u < shape.share[0] ? 0 : u < shape.share[0] + shape.share[1] ? 1 : 2;
      const LiveNode& n = live.nodes[node];
      LiveRequest q;
      q.sent_s = t;
      q.policy = run.policy;
      q.node = n.name;
      q.zone = n.zone;
      q.intensity_g_per_kwh = n.mean_intensity_g_per_kwh;
      q.latency_ms = shape.latency_ms * (0.6 + 0.8 * rng.uniform_double());
      q.prompt_tokens = 12 + static_cast<int>(rng.uniform_double() * 200);
      q.output_tokens = 16;
      q.energy_j = 15 * q.latency_ms / 1000;
      q.carbon_g = q.energy_j / 3.6e6 * q.intensity_g_per_kwh * 1000;
      q.http_status = 200;
      run.requests_log.push_back(q);
      ++run.requests_per_node[n.name];
      latencies.push_back(q.latency_ms);
      run.energy_j += q.energy_j;
      run.carbon_g += q.carbon_g;
    }
    run.requests = 24;
    run.completed = 24;
    run.wall_s = t + latencies.back() / 1000;
    run.throughput_rps = 24 / run.wall_s;
    double sum = 0;
    for (double l : latencies) sum += l;
    run.latency_mean_ms = sum / 24;
    std::sort(latencies.begin(), latencies.end());
    run.latency_p50_ms = sim::percentile_sorted(latencies, 50);
    run.latency_p95_ms = sim::percentile_sorted(latencies, 95);
    run.latency_p99_ms = sim::percentile_sorted(latencies, 99);
    live.runs.push_back(std::move(run));
  }
  d.validation.clear();
  for (const LivePolicyRun& run : live.runs) {
    const double sim_latency = run.latency_mean_ms * (0.92 + 0.2 * rng.uniform_double());
    const double sim_energy = run.energy_j * (0.9 + 0.12 * rng.uniform_double());
    d.validation.push_back(ValidationRow{run.policy, run.latency_mean_ms, sim_latency, run.energy_j, sim_energy,
                                         (sim_latency - run.latency_mean_ms) / run.latency_mean_ms * 100,
                                         (sim_energy - run.energy_j) / run.energy_j * 100});
  }

  // Simulations on the reference profiles.
  GR_ASSIGN_OR_RETURN(auto jetson, reference_profile("jetson-orin-nx-8gb"));
  GR_ASSIGN_OR_RETURN(auto rtx, reference_profile("rtx-2000-ada-16gb"));
  const std::map<std::string, double> zones = {{"SE", 45},  {"FR", 70},  {"GB", 230},
                                               {"DE", 474}, {"PL", 760}, {"IN", 690}};
  auto grid = std::make_shared<DiurnalSource>(zones);
  sim::WorkloadConfig workload;
  workload.arrival = sim::ArrivalKind::kDiurnal;
  workload.rate = 0.4;
  workload.duration_s = 24 * 3600;
  workload.prompt = {.kind = sim::LengthKind::kLognormal, .values = {}, .mean = 160, .sigma = 0.6, .min = 8, .max = 1024};
  workload.output = {.kind = sim::LengthKind::kLognormal, .values = {}, .mean = 96, .sigma = 0.5, .min = 4, .max = 256};
  d.simulations.clear();
  {
    SimScenario s;
    s.name = "reference-study";
    s.description = "Jetson Orin NX 8 GB (SE) + RTX 2000 Ada 16 GB (PL), 24 h, diurnal 0.4 req/s";
    const std::vector<sim::SimNode> nodes = {
        sim::SimNode{.name = "jetson", .zone = "SE", .profile = jetson, .carbon = grid, .max_batch = 0, .pue = 1.0},
        sim::SimNode{.name = "rtx", .zone = "PL", .profile = rtx, .carbon = grid, .max_batch = 0, .pue = 1.0}};
    GR_RETURN_IF_ERROR(run_scenario(nodes, workload, {1, 2, 3}, &s));
    d.simulations.push_back(std::move(s));
  }
  {
    SimScenario s;
    s.name = "large";
    s.description = "24 devices (Jetson and RTX alternating) in 6 zones, 24 h, diurnal 0.25 req/s";
    std::vector<sim::SimNode> nodes;
    std::vector<std::string> zone_names;
    for (const auto& [zone, base] : zones) zone_names.push_back(zone);
    for (int i = 0; i < 24; ++i) {
      const bool is_jetson = i % 2 == 0;
      nodes.push_back(sim::SimNode{.name = (is_jetson ? "jetson-" : "rtx-") + std::to_string(i),
                                   .zone = zone_names[i % zone_names.size()],
                                   .profile = is_jetson ? jetson : rtx, .carbon = grid, .max_batch = 0, .pue = 1.0});
    }
    sim::WorkloadConfig large = workload;
    large.rate = 0.25;
    GR_RETURN_IF_ERROR(run_scenario(nodes, large, {1, 2}, &s));
    d.simulations.push_back(std::move(s));
  }
  return d;
}

}  // namespace greenroute::report::testing_util
