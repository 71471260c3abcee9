// What `greenroute simulate` prints and writes: the figures of every policy
// run (one table of named figures shared by the text, CSV and JSON outputs, so
// they never disagree), their mean and 95% confidence interval over seeds,
// and the provenance of every energy and carbon figure.
//
// Thread contract: pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenroute/core/status.h"
#include "greenroute/sim/carbon_traces.h"
#include "greenroute/sim/compare.h"
#include "greenroute/sim/sim_result.h"

namespace greenroute::cli {

// One named figure of a policy run.
struct SimFigure {
  const char* key;    // CSV column / JSON key: "latency_p95_ms"
  const char* label;  // table header: "p95 ms"
  double (*of)(const sim::PolicyResult& r);
};

// Every figure, in output order.
std::span<const SimFigure> sim_figures();

// What was simulated, for headers and provenance.
struct SimulateSetup {
  std::string cluster_file;
  std::string workload_file;
  std::vector<sim::SimNode> nodes;
  std::vector<std::string> node_groups;        // per node: its [[node]] entry's name (replicas share it)
  std::vector<std::string> node_carbon_specs;  // per node: its config's carbon spec ("static:474")
  sim::WorkloadConfig workload;          // as run (seed: the first seed)
  sim::SimOptions options;               // as run (noise seed: the first seed)
  std::vector<std::uint64_t> seeds;
  std::string baseline;
  std::string lengths_from;       // where --prompts lengths came from; "" when not given
  std::string carbon_traces_dir;  // "" when not given
  sim::AppliedTraces traces;
};

// One seed: the workload drawn with it, every policy over it.
struct SeedRun {
  std::uint64_t seed = 0;
  std::uint64_t requests = 0;
  sim::Comparison comparison;
};

// Per policy (in run order), each figure's mean and 95% CI over the seeds.
struct PolicyFigures {
  std::string policy;
  std::vector<sim::MeanCi> figures;  // parallel to sim_figures()
  std::vector<double> utilisation;   // per node, mean over seeds
};
std::vector<PolicyFigures> summarise(std::span<const SeedRun> runs);

// "ESTIMATED by the simulator from the device profiles' energy models (...)".
std::string energy_provenance(const SimulateSetup& setup);
// Where each zone's intensity comes from: "DE csv trace traces/DE.csv; FR zone-table".
std::string carbon_provenance(const SimulateSetup& setup);

// The human-readable report: header, the policy table, utilisation per
// device (per node for small clusters, per [[node]] entry or device beyond).
std::string render_text(const SimulateSetup& setup, std::span<const SeedRun> runs);

// Everything, for machines (--json and results.json).
nlohmann::json to_json(const SimulateSetup& setup, std::span<const SeedRun> runs);

// summary.csv (per policy: every figure's mean and CI half-width),
// runs.csv (per seed and policy: every figure), nodes.csv (per seed, policy
// and node) and results.json, each written atomically into `dir` (created
// when missing). kIoError naming the file on failure.
core::Status write_outputs(const std::filesystem::path& dir, const SimulateSetup& setup, std::span<const SeedRun> runs);

}  // namespace greenroute::cli
