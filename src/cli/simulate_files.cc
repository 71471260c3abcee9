// The machine-readable side of `greenroute simulate`: JSON (stdout with
// --json, results.json with --out) and the three CSV files.
#include <fmt/format.h>

#include <string>
#include <system_error>

#include "greenroute/core/file_output.h"
#include "greenroute/sim/workload.h"
#include "simulate_report.h"

namespace greenroute::cli {
namespace {

using nlohmann::json;

// RFC 4180: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// Shortest text that reads back as the same double.
std::string csv_number(double v) { return fmt::format("{}", v); }

json figures_json(const sim::PolicyResult& r) {
  json j = json::object();
  for (const SimFigure& f : sim_figures()) j[f.key] = f.of(r);
  return j;
}

json node_json(const sim::NodeResult& n) {
  return {{"name", n.name},
          {"zone", n.zone},
          {"requests", n.requests},
          {"batches", n.batches},
          {"busy_s", n.busy_s},
          {"utilisation", n.utilisation},
          {"batch_energy_j", n.batch_energy_j},
          {"idle_energy_j", n.idle_energy_j},
          {"energy_j", n.energy_j},
          {"carbon_g", n.carbon_g},
          {"max_queue", n.max_queue},
          {"queue_at_last_arrival", n.queue_at_last_arrival}};
}

std::string_view arrival_name(sim::ArrivalKind k) {
  switch (k) {
    case sim::ArrivalKind::kPoisson: return "poisson";
    case sim::ArrivalKind::kBursty: return "bursty";
    case sim::ArrivalKind::kDiurnal: return "diurnal";
  }
  return "?";
}

json length_json(const sim::LengthSpec& s) {
  if (s.kind == sim::LengthKind::kList) return {{"kind", "list"}, {"values", s.values}};
  return {{"kind", "lognormal"}, {"mean", s.mean}, {"sigma", s.sigma}, {"min", s.min}, {"max", s.max}};
}

json workload_json(const sim::WorkloadConfig& w) {
  return {{"arrival", arrival_name(w.arrival)},
          {"duration_s", w.duration_s},
          {"rate", w.rate},
          {"on_rate", w.on_rate},
          {"off_rate", w.off_rate},
          {"on_mean_s", w.on_mean_s},
          {"off_mean_s", w.off_mean_s},
          {"amplitude", w.amplitude},
          {"peak_hour", w.peak_hour},
          {"start_unix_s", w.start_unix_s},
          {"prompt", length_json(w.prompt)},
          {"output", length_json(w.output)},
          {"slo_fraction", w.slo_fraction},
          {"slo_ms", w.slo_ms},
          {"override_fraction", w.override_fraction},
          {"override_policy", w.override_policy}};
}

core::Status write(const std::filesystem::path& path, const std::string& text) {
  return core::write_file_atomically(path.string(), text);
}

}  // namespace

json to_json(const SimulateSetup& setup, std::span<const SeedRun> runs) {
  json j;
  j["cluster"] = setup.cluster_file;
  j["workload_file"] = setup.workload_file;
  j["workload"] = workload_json(setup.workload);
  j["lengths_from"] = setup.lengths_from;
  j["nodes"] = setup.nodes.size();
  j["seeds"] = setup.seeds;
  j["baseline"] = setup.baseline;
  j["options"] = {{"latency_noise_sigma", setup.options.latency_noise_sigma},
                  {"energy_noise_sigma", setup.options.energy_noise_sigma},
                  {"max_wait_ms", setup.options.max_wait_ms},
                  {"intensity_refresh_s", setup.options.intensity_refresh_s},
                  {"start_unix_s", setup.options.start_unix_s},
                  {"online_correction", setup.options.online_correction},
                  {"hybrid_alpha", setup.options.policy_options.hybrid_alpha}};
  j["energy_provenance"] = energy_provenance(setup);
  j["carbon_provenance"] = carbon_provenance(setup);
  json traces = json::array();
  for (const sim::ZoneTrace& t : setup.traces.traced) {
    traces.push_back({{"zone", t.zone}, {"file", t.file.string()}, {"nodes", t.nodes}, {"points", t.points},
                      {"first_unix_s", t.first_unix_s}, {"last_unix_s", t.last_unix_s}});
  }
  j["carbon_traces"] = {{"folder", setup.carbon_traces_dir},
                        {"traced", traces},
                        {"zones_without_trace", setup.traces.without_trace}};
  json summary = json::array();
  for (const PolicyFigures& pf : summarise(runs)) {
    json figures = json::object();
    const auto specs = sim_figures();
    for (std::size_t i = 0; i < specs.size(); ++i) {
      figures[specs[i].key] = {{"mean", pf.figures[i].mean}, {"ci95", pf.figures[i].half_width}, {"n", pf.figures[i].n}};
    }
    summary.push_back({{"policy", pf.policy}, {"baseline", pf.policy == setup.baseline}, {"figures", figures}});
  }
  j["summary"] = summary;
  json per_seed = json::array();
  for (const SeedRun& run : runs) {
    json results = json::array();
    for (const sim::PolicyResult& r : run.comparison.results) {
      json nodes = json::array();
      for (const sim::NodeResult& n : r.nodes) nodes.push_back(node_json(n));
      results.push_back({{"policy", r.policy}, {"figures", figures_json(r)}, {"nodes", nodes}});
    }
    per_seed.push_back({{"seed", run.seed}, {"requests", run.requests}, {"results", results}});
  }
  j["runs"] = per_seed;
  return j;
}

core::Status write_outputs(const std::filesystem::path& dir, const SimulateSetup& setup,
                           std::span<const SeedRun> runs) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create output folder " + dir.string() + ": " + ec.message());
  const auto specs = sim_figures();

  std::string summary = "policy,baseline,seeds";
  for (const SimFigure& f : specs) summary += fmt::format(",{0}_mean,{0}_ci95", f.key);
  summary += "\n";
  for (const PolicyFigures& pf : summarise(runs)) {
    summary += csv_field(pf.policy) + "," + (pf.policy == setup.baseline ? "true" : "false") + "," +
               std::to_string(runs.size());
    for (const sim::MeanCi& m : pf.figures) summary += "," + csv_number(m.mean) + "," + csv_number(m.half_width);
    summary += "\n";
  }
  GR_RETURN_IF_ERROR(write(dir / "summary.csv", summary));

  std::string per_run = "seed,policy";
  for (const SimFigure& f : specs) per_run += std::string(",") + f.key;
  per_run += "\n";
  std::string nodes =
      "seed,policy,node,zone,group,requests,batches,busy_s,utilisation,batch_energy_j,idle_energy_j,energy_j,"
      "carbon_g,max_queue,queue_at_last_arrival\n";
  for (const SeedRun& run : runs) {
    for (const sim::PolicyResult& r : run.comparison.results) {
      per_run += std::to_string(run.seed) + "," + csv_field(r.policy);
      for (const SimFigure& f : specs) per_run += "," + csv_number(f.of(r));
      per_run += "\n";
      for (std::size_t i = 0; i < r.nodes.size(); ++i) {
        const sim::NodeResult& n = r.nodes[i];
        const std::string group = i < setup.node_groups.size() ? setup.node_groups[i] : n.name;
        nodes += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", run.seed, csv_field(r.policy),
                             csv_field(n.name), csv_field(n.zone), csv_field(group), n.requests, n.batches,
                             csv_number(n.busy_s), csv_number(n.utilisation), csv_number(n.batch_energy_j),
                             csv_number(n.idle_energy_j), csv_number(n.energy_j), csv_number(n.carbon_g), n.max_queue,
                             n.queue_at_last_arrival);
      }
    }
  }
  GR_RETURN_IF_ERROR(write(dir / "runs.csv", per_run));
  GR_RETURN_IF_ERROR(write(dir / "nodes.csv", nodes));
  return write(dir / "results.json", to_json(setup, runs).dump(2) + "\n");
}

}  // namespace greenroute::cli
