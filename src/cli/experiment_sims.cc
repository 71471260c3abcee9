// Phase 5 of `greenroute experiment`: the simulator (src/sim) on two clusters
// no single machine has: the reference study's two devices, and a large
// cluster of hundreds of devices across zones, both from the reference
// profiles, over hours of (hourly) grid intensity, under the same policies as
// the live run and over several workload seeds. Each scenario's cluster is
// written as a cluster config (sims/<name>.toml) and read back through the
// loader every tool uses, so `greenroute simulate` can rerun it.
#include "experiment_sims.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greenroute/core/file_output.h"
#include "greenroute/core/rng.h"
#include "greenroute/profile/reference_profiles.h"
#include "greenroute/routing/cluster_config.h"
#include "greenroute/sim/cluster_sim.h"
#include "greenroute/sim/compare.h"
#include "greenroute/sim/workload.h"

namespace greenroute::cli::experiment {
namespace fs = std::filesystem;
namespace {

constexpr const char* kJetson = "jetson-orin-nx-8gb";
constexpr const char* kRtx = "rtx-2000-ada-16gb";
// 2022-06-01T00:00:00Z: a summer day, when solar shapes the hourly traces.
constexpr std::int64_t kSimStartUnixS = 1654041600;

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string node_toml(const std::string& name, const ZoneCarbon& zone, const char* profile, int count) {
  std::string t = "\n[[node]]\n";
  t += "name = " + toml_string(name) + "\n";
  t += "zone = " + toml_string(zone.zone) + "\n";
  t += "carbon = " + toml_string(zone.spec) + "\n";
  t += "profile = " + toml_string(profile) + "\n";
  if (count > 1) t += fmt::format("count = {}\n", count);
  return t;
}

// Requests per second one device sustains when saturated, under the
// simulator's batching: batches of its effective max batch that decode
// until their longest output, for the workload's length distributions
// (averaged over sampled batches, seeded so the figure is reproducible).
core::Result<double> capacity_rps(const char* profile_name, const sim::WorkloadConfig& w) {
  GR_ASSIGN_OR_RETURN(profile::DeviceProfile p, profile::reference_profile(profile_name));
  const int b = std::max(1, std::min(p.knee_batch, p.max_batch_fits));
  core::Rng rng(12345);
  constexpr int kBatches = 2000;
  double total_ms = 0;
  for (int i = 0; i < kBatches; ++i) {
    double prompt = 0;
    int longest = 0;
    for (int k = 0; k < b; ++k) {
      prompt += sim::draw_length(w.prompt, rng);
      longest = std::max(longest, sim::draw_length(w.output, rng));
    }
    total_ms += p.predict_latency_ms(b, prompt / b, longest);
  }
  if (!(total_ms > 0)) return core::internal_error(std::string("reference profile ") + profile_name + " predicts no latency");
  return b * 1000.0 * kBatches / total_ms;
}

// Every request carries an SLO (slo-carbon needs one): five times the RTX's
// latency for one mean request alone.
core::Status add_slo(sim::WorkloadConfig& w) {
  GR_ASSIGN_OR_RETURN(profile::DeviceProfile p, profile::reference_profile(kRtx));
  w.slo_fraction = 1;
  w.slo_ms = std::ceil(5 * p.predict_latency_ms(1, w.prompt.mean, w.output.mean));
  return core::Status::ok();
}

// Per policy, the mean and 95% CI over seeds of each figure, as
// sim::compare_over_seeds summarises (its definitions: SLO violation rate =
// violations / requests that carried an SLO, 0 when none did).
std::vector<sim::PolicySummary> summarise_seeds(const std::vector<sim::Comparison>& per_seed) {
  std::vector<sim::PolicySummary> out;
  if (per_seed.empty()) return out;
  for (std::size_t p = 0; p < per_seed.front().results.size(); ++p) {
    std::vector<double> lat, p95, carbon, kwh, saved, slo, tput;
    for (const sim::Comparison& c : per_seed) {
      const sim::PolicyResult& r = c.results[p];
      lat.push_back(r.latency_mean_ms);
      p95.push_back(r.latency_p95_ms);
      carbon.push_back(r.carbon_g);
      kwh.push_back(r.energy_kwh);
      saved.push_back(r.saved_vs_baseline_g);
      slo.push_back(r.slo_requests > 0 ? static_cast<double>(r.slo_violations) / static_cast<double>(r.slo_requests)
                                       : 0.0);
      tput.push_back(r.throughput_rps);
    }
    out.push_back(sim::PolicySummary{.policy = per_seed.front().results[p].policy,
                                     .latency_mean_ms = sim::mean_ci95(lat),
                                     .latency_p95_ms = sim::mean_ci95(p95),
                                     .carbon_g = sim::mean_ci95(carbon),
                                     .energy_kwh = sim::mean_ci95(kwh),
                                     .saved_vs_baseline_g = sim::mean_ci95(saved),
                                     .slo_violation_rate = sim::mean_ci95(slo),
                                     .throughput_rps = sim::mean_ci95(tput)});
  }
  return out;
}

struct Scenario {
  std::string name;
  std::string description;
  std::string toml;
  sim::WorkloadConfig workload;
  int zones = 0;
  bool record_batches = false;
};

core::Result<report::SimScenario> run_scenario(const Plan& plan, const Scenario& s,
                                               const std::vector<const ZoneCarbon*>& zones,
                                               const ProgressSink& progress) {
  const fs::path dir = plan.out_dir / "sims";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create " + dir.string() + ": " + ec.message());
  const fs::path config_path = dir / (s.name + ".toml");
  GR_RETURN_IF_ERROR(core::write_file_atomically(config_path.string(), s.toml));
  GR_ASSIGN_OR_RETURN(routing::ClusterConfig config,
                      routing::load_cluster_config(config_path, routing::LoadOptions::simulator()));
  GR_ASSIGN_OR_RETURN(std::vector<sim::SimNode> nodes, sim::sim_nodes_from_config(config));

  report::SimScenario out;
  out.name = s.name;
  out.description = s.description;
  out.nodes = static_cast<int>(nodes.size());
  out.zones = s.zones;
  out.hours = s.workload.duration_s / 3600.0;
  out.seeds = plan.seeds;

  // Every seed's comparison (compare_policies: paired, same requests and
  // noise for every policy), the first with its batches when asked (the
  // decisions-over-time chart), then the mean and 95% CI over seeds.
  const int runs = static_cast<int>(plan.seeds.size() * plan.policies.size());
  int runs_done = 0;
  for (std::size_t i = 0; i < plan.seeds.size(); ++i) {
    sim::WorkloadConfig w = s.workload;
    w.seed = plan.seeds[i];
    GR_ASSIGN_OR_RETURN(std::vector<sim::SimRequest> requests, sim::generate_workload(w));
    sim::SimOptions options;
    options.baseline_policy = kBaselinePolicy;
    options.start_unix_s = w.start_unix_s;
    options.noise_seed = w.seed;
    options.record_batches = i == 0 && s.record_batches;
    options.on_progress = [&](std::string_view policy, std::uint64_t arrived, std::uint64_t total) {
      progress.update(runs_done, runs,
                      fmt::format("{} seed {}: {} {:.0f}%", s.name, w.seed, policy,
                                  total > 0 ? 100.0 * static_cast<double>(arrived) / static_cast<double>(total) : 100.0));
      if (arrived == total) ++runs_done;
    };
    GR_ASSIGN_OR_RETURN(sim::Comparison c, sim::compare_policies(nodes, requests, plan.policies, options));
    if (progress.should_stop()) return core::unavailable("interrupted");
    if (i == 0) {
      out.requests = requests.size();
      out.first_seed = c;
    }
    for (sim::PolicyResult& r : c.results) r.batches.clear();  // per_seed needs no batches
    out.per_seed.push_back(std::move(c));
  }
  progress.update(runs, runs, s.name + ": done");
  out.over_seeds = summarise_seeds(out.per_seed);
  for (const ZoneCarbon* z : zones) {
    GR_ASSIGN_OR_RETURN(out.intensity_by_zone[z->zone], hourly_intensity(*z, s.workload.start_unix_s, out.hours));
  }
  return out;
}

}  // namespace

core::Result<report::SimScenario> simulate_reference_study(const Plan& plan, const ZoneCatalog& catalog,
                                                           const ProgressSink& progress) {
  // The study's cluster as examples/cluster.toml has it: the Jetson on a
  // clean grid (FR), the RTX on a dirtier one (DE); with traces lacking
  // those zones, the cleanest and the dirtiest trace.
  const ZoneCarbon* clean = catalog.find("FR");
  const ZoneCarbon* dirty = catalog.find("DE");
  if (clean == nullptr || dirty == nullptr) {
    clean = &catalog.zones.front();
    dirty = &catalog.zones.back();
  }
  Scenario s;
  s.name = "reference-study";
  s.zones = 2;
  s.record_batches = true;
  s.workload.arrival = sim::ArrivalKind::kPoisson;
  s.workload.duration_s = plan.reference_hours * 3600;
  s.workload.start_unix_s = kSimStartUnixS;
  GR_RETURN_IF_ERROR(add_slo(s.workload));
  GR_ASSIGN_OR_RETURN(double rtx_rps, capacity_rps(kRtx, s.workload));
  // Near the RTX's capacity: the greedy baseline (always the RTX) queues,
  // which is where the study saw latency-aware routing win.
  s.workload.rate = 0.9 * rtx_rps;
  s.toml = "# Written by greenroute experiment: the reference study's two-device cluster.\n[defaults]\n";
  s.toml += fmt::format("baseline_policy = \"{}\"\n", kBaselinePolicy);
  s.toml += node_toml("jetson-orin-nx", *clean, kJetson, 1);
  s.toml += node_toml("rtx-2000-ada", *dirty, kRtx, 1);
  s.description = fmt::format(
      "Jetson Orin NX 8 GB ({}, {:.0f} g/kWh mean) + RTX 2000 Ada 16 GB ({}, {:.0f} g/kWh mean), reference profiles, "
      "{:g} h, Poisson {:.3g} req/s (90% of what the RTX sustains), prompts ~{:.0f} / outputs ~{:.0f} tokens "
      "(lognormal), SLO {:.0f} ms",
      clean->zone, clean->mean_g_per_kwh, dirty->zone, dirty->mean_g_per_kwh, plan.reference_hours,
      s.workload.rate, s.workload.prompt.mean, s.workload.output.mean, s.workload.slo_ms);
  return run_scenario(plan, s, {clean, dirty}, progress);
}

core::Result<report::SimScenario> simulate_large_cluster(const Plan& plan, const ZoneCatalog& catalog,
                                                         const ProgressSink& progress) {
  const std::size_t zones = std::min<std::size_t>(catalog.zones.size(), static_cast<std::size_t>(plan.large_nodes));
  Scenario s;
  s.name = "large";
  s.zones = static_cast<int>(zones);
  s.workload.arrival = sim::ArrivalKind::kDiurnal;
  s.workload.duration_s = plan.large_hours * 3600;
  s.workload.start_unix_s = kSimStartUnixS;
  s.workload.amplitude = 0.5;
  s.workload.peak_hour = 14;
  GR_RETURN_IF_ERROR(add_slo(s.workload));
  s.toml = "# Written by greenroute experiment: a large edge cluster across grid zones.\n[defaults]\n";
  s.toml += fmt::format("baseline_policy = \"{}\"\n", kBaselinePolicy);
  // Zones spread over the catalog's range, listed by name: the policies
  // break ties by node order, and name order favours no grid.
  std::vector<const ZoneCarbon*> used;
  for (std::size_t i = 0; i < zones; ++i) used.push_back(&catalog.zones[i * catalog.zones.size() / zones]);
  std::sort(used.begin(), used.end(), [](const ZoneCarbon* a, const ZoneCarbon* b) { return a->zone < b->zone; });
  GR_ASSIGN_OR_RETURN(double jetson_rps, capacity_rps(kJetson, s.workload));
  GR_ASSIGN_OR_RETURN(double rtx_rps, capacity_rps(kRtx, s.workload));
  double capacity = 0;
  int jetsons = 0;
  int rtxs = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    const int n = static_cast<int>(used.size());
    const int here = plan.large_nodes / n + (static_cast<int>(i) < plan.large_nodes % n ? 1 : 0);
    // Three small boards for each bigger GPU, as edge sites tend to have.
    const int rtx = std::max(here >= 2 ? 1 : 0, static_cast<int>(std::lround(here * 0.25)));
    const int jetson = here - rtx;
    if (jetson > 0) s.toml += node_toml("jetson-" + ascii_lower(used[i]->zone), *used[i], kJetson, jetson);
    if (rtx > 0) s.toml += node_toml("rtx-" + ascii_lower(used[i]->zone), *used[i], kRtx, rtx);
    jetsons += jetson;
    rtxs += rtx;
    capacity += jetson * jetson_rps + rtx * rtx_rps;
  }
  // The peak (1.5x the mean) at 2.5% of the cluster's capacity: well beyond
  // any one device (so policies that ignore queues fill node queues up to
  // their limit and spill over), light enough that a day of it simulates in
  // seconds per policy.
  s.workload.rate = 0.025 * capacity / (1 + s.workload.amplitude);
  s.description = fmt::format(
      "{} Jetson Orin NX + {} RTX 2000 Ada (reference profiles) across {} zones, {:g} h, diurnal arrivals "
      "averaging {:.3g} req/s (peak 14:00 UTC; {:.2f}% of the cluster's capacity), SLO {:.0f} ms",
      jetsons, rtxs, zones, plan.large_hours, s.workload.rate, 100 * s.workload.rate / capacity, s.workload.slo_ms);
  return run_scenario(plan, s, used, progress);
}

}  // namespace greenroute::cli::experiment
