// The end-to-end experiment's results (`greenroute experiment`, docs/experiment.md)
// and the report directory written from them: report.html (self-contained,
// inline SVG charts, no scripts or external resources), experiment.json with
// every figure, and CSV files per table.
//
// The experiment command fills ExperimentData; this component only presents
// it, so the same data always gives the same report (byte-identical, locale
// independent), which the tests rely on.
//
// Thread contract: plain values and pure functions (write_experiment_report
// touches only the directory it names); thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/sim/compare.h"
#include "greenroute/sim/sim_result.h"

namespace greenroute::report {

// The reference study's headline figures, as cited in docs/experiment.md;
// the report puts ours beside them.
struct ReferenceStudy {
  double carbon_reduction_pct = 35;  // carbon-aware vs a greedy baseline
  double latency_speedup_low = 2;    // latency-aware vs a greedy baseline: 2-3x
  double latency_speedup_high = 3;
  int efficiency_knee_batch = 4;
  std::string devices = "Jetson Orin NX 8 GB + RTX 2000 Ada 16 GB";  // the study's cluster
};

// Step 2: the brief local benchmark, one row per batch size (medians over
// the repeats at the experiment's output length).
struct BatchPoint {
  int batch = 0;
  double latency_ms = 0;               // the batch
  double joules_per_prompt = 0;
  double joules_per_output_token = 0;
  double throughput_tokens_per_s = 0;
  bool saturated = false;              // memory model refused it
};

struct LocalBench {
  std::string device;        // "2-core AMD EPYC (cpu)"
  std::string model;         // file name and shape, "stories260K.gguf (llama, 260K params)"
  std::string energy_label;  // "estimated:cpu-estimate" or "measured:nvml"
  int output_tokens = 0;     // the max_tokens the sweep used
  std::vector<BatchPoint> points;  // ascending batch
  int knee_batch = 0;        // the profile's knee (profile/knee.h rule)
  std::string profile_path;  // written profile.json, relative to the report dir when inside it
};

// Step 3: one live node agent.
struct LiveNode {
  std::string name;
  std::string zone;
  int threads = 0;
  std::string carbon_source;      // spec, e.g. "zone-table" or "csv:traces/SE.csv"
  double mean_intensity_g_per_kwh = 0;  // over the live run
};

// One request of the live replay as the client saw it (usage extras of the
// gateway's response).
struct LiveRequest {
  double sent_s = 0;           // since the policy's replay began
  std::string policy;
  std::string node;            // usage.node ("" when it failed)
  std::string zone;
  double intensity_g_per_kwh = 0;
  double latency_ms = 0;       // client-side, send to last byte
  int prompt_tokens = 0;
  int output_tokens = 0;
  double energy_j = 0;         // usage.energy_joules
  double carbon_g = 0;         // usage.carbon_grams
  int http_status = 0;
};

struct LivePolicyRun {
  std::string policy;
  std::uint64_t requests = 0;
  std::uint64_t completed = 0;  // HTTP 200
  std::uint64_t errors = 0;     // anything else (each request got one final answer)
  double wall_s = 0;
  double throughput_rps = 0;
  double latency_mean_ms = 0;
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  double energy_j = 0;          // sum of usage.energy_joules
  double carbon_g = 0;          // sum of usage.carbon_grams
  std::string energy_source;    // usage.energy_source ("estimated:cpu-estimate", ...)
  std::map<std::string, std::uint64_t> requests_per_node;
  std::vector<LiveRequest> requests_log;  // in send order
};

struct LiveRun {
  std::vector<LiveNode> nodes;
  std::string workload;         // one line: "24 prompts, Poisson 2 req/s, max_tokens 16"
  std::string baseline_policy;  // e.g. "greedy-fastest"
  std::vector<LivePolicyRun> runs;  // one per policy, in the order run
  // Cores of the one machine every live node runs on (0: unknown). The report
  // uses it to say when spreading requests over nodes adds no compute.
  int machine_cores = 0;
};

// Live vs simulated, same scenario, per policy (target: within 15%).
struct ValidationRow {
  std::string policy;
  double live_latency_mean_ms = 0;
  double sim_latency_mean_ms = 0;
  double live_energy_j = 0;
  double sim_energy_j = 0;
  // (sim - live) / live x 100
  double latency_error_pct = 0;
  double energy_error_pct = 0;
};

// Step 5: one simulated scenario.
struct SimScenario {
  std::string name;         // "reference-study", "large"
  std::string description;  // "Jetson Orin NX 8 GB + RTX 2000 Ada 16 GB, 24 h, Poisson 0.5 req/s"
  int nodes = 0;
  int zones = 0;
  double hours = 0;
  std::uint64_t requests = 0;  // per seed
  std::vector<std::uint64_t> seeds;
  // The first seed's run of every policy (with batches recorded, for the
  // decisions-over-time chart; PolicyResult::batches may be empty).
  sim::Comparison first_seed;
  std::vector<sim::PolicySummary> over_seeds;  // mean and 95% CI per policy
  // Optional: every seed's comparison, in `seeds` order (batches not needed).
  // When empty, sim_<name>.csv has first_seed's runs only (as seeds[0]).
  std::vector<sim::Comparison> per_seed;
  // Hourly grid intensity per zone over the scenario (t_s from the start),
  // for the decisions-over-time chart.
  std::map<std::string, std::vector<std::pair<double, double>>> intensity_by_zone;
};

struct ExperimentData {
  std::string title = "greenroute experiment";
  std::string generated_at;   // ISO 8601 UTC
  std::string mode;           // "full" or "reduced"
  std::string command_line;   // how to reproduce it
  std::string machine;        // "2 cores, 24 GiB, no GPU"
  ReferenceStudy reference;
  LocalBench bench;
  std::optional<LiveRun> live;
  // The validation scenario's own live run (its nodes, workload and
  // per-policy figures), which `validation` compares with the simulator.
  std::optional<LiveRun> validation_live;
  std::vector<ValidationRow> validation;
  std::vector<SimScenario> simulations;
  std::vector<std::string> notes;  // what the command noticed (skipped steps, warnings)
};

// Our figures set against the reference study's, computed from the data:
// reduction = (baseline - carbon-aware) / baseline x 100, speedup = baseline
// mean latency / latency-aware mean latency, for the live run and for each
// simulated scenario ("live", "sim:reference-study", ...). A source whose run
// lacks one of the policies has no entry for that figure.
struct HeadlineRow {
  std::string source;
  std::optional<double> carbon_reduction_pct;
  std::optional<double> latency_speedup;
};
std::vector<HeadlineRow> headline_figures(const ExperimentData& data);

// kInvalidArgument naming the field ("live.runs[1].carbon_g: not finite
// (nan)") for: a figure that is NaN or infinite; bench points without a
// positive, strictly ascending batch; an empty or repeated policy name within
// a live run or a scenario; an empty scenario name, or two scenarios whose
// file names (sim_<slug>.csv) collide; seeds, per_seed and first_seed that
// disagree. Every render function below checks this first.
core::Status validate_experiment_data(const ExperimentData& data);

// The report as one HTML document (UTF-8).
core::Result<std::string> render_experiment_html(const ExperimentData& data);

// experiment.json: every figure of the report (schema in docs/experiment.md).
core::Result<std::string> render_experiment_json(const ExperimentData& data);

// One file of the report directory: its name (no directory part) and bytes.
struct ReportFile {
  std::string name;
  std::string contents;
};

// Every file write_experiment_report writes, in a fixed order: report.html,
// experiment.json, bench.csv, live_policies.csv, live_requests.csv,
// validation.csv, then per scenario sim_<slug>.csv and sim_<slug>_summary.csv
// (slug: the scenario name with characters outside [A-Za-z0-9_-] replaced by
// '-'). Every file is always written: a part the experiment did not run (no
// live run, no validation) leaves its CSV with the header row only, and
// experiment.json says which (e.g. "live": null).
core::Result<std::vector<ReportFile>> render_experiment_files(const ExperimentData& data);

// Creates `dir` if needed and writes report.html, experiment.json and the
// CSV files (docs/experiment.md lists them) atomically, file by file.
// Errors name the path that failed.
core::Status write_experiment_report(const std::filesystem::path& dir, const ExperimentData& data);

}  // namespace greenroute::report
