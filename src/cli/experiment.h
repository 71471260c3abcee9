// `greenroute experiment` (docs/experiment.md): the end-to-end run that
// `make demo` starts. This header is shared by its parts:
//
//   cmd_experiment.cc        flags, the phases in order, Ctrl-C, exit codes
//   experiment_plan.cc       flags -> a validated Plan (mode defaults)
//   experiment_zones.cc      grid zones and their carbon sources (traces or the zone table)
//   experiment_bench.cc      phase 1-2: the model, and a local profile per thread count
//   experiment_live.cc       phases 3-4 (and 6's live half): cluster up, replay every policy, notes
//   experiment_cluster.cc    phase 3: node agents and a gateway as real processes
//   experiment_replay.cc     phase 4: the same workload through the gateway per policy
//   experiment_load.cc       the machine's background CPU load over a window
//   experiment_sims.cc       phase 5: the reference study's cluster and a large one
//   experiment_validation.cc phase 6: a live scenario simulated, with CPU contention
//   experiment_output.cc     tables on stdout, the --json summary
//
// Thread contract: the experiment runs on the command's thread; the replay
// starts one client thread per request in flight and joins them all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"
#include "greenroute/report/experiment_report.h"

namespace greenroute::cli::experiment {

// The flags as given (validated into a Plan by make_plan).
struct Flags {
  std::string model_path;              // --model; "" = synthesize
  std::string model_cache = "models";  // --model-cache: where a synthesized model is kept
  std::string out_dir = "out/experiment";
  std::string carbon_traces;           // --carbon-traces DIR
  std::string policies;                // comma list; "" = the mode's default
  std::string threads;                 // comma list, one per live node; "" = default
  std::string zones;                   // comma list, one per live node; "" = chosen
  int requests = 0;                    // per policy; 0 = the mode's default
  int validation_requests = -1;        // per policy in the validation pair; -1 = the mode's default, 0 = skip
  double rate = 0;                     // requests/s; 0 = from the local profile
  int max_tokens = 0;                  // 0 = the mode's default
  double slo_ms = 0;                   // 0 = from the local profile
  double sim_hours = 0;                // 0 = the mode's default
  int sim_nodes = 0;                   // 0 = the mode's default
  int seeds = 0;                       // 0 = the mode's default
  bool reduced = false;
  int gateway_port = 0;                // 0 = any free port
  std::uint64_t seed = 1;
  bool json = false;
  bool quiet = false;
};

inline constexpr const char* kBaselinePolicy = "greedy-fastest";

struct Plan {
  bool reduced = false;
  std::filesystem::path out_dir;
  std::string model_path;         // "" = synthesize synth_preset into model_cache
  std::filesystem::path model_cache;
  std::string synth_preset;
  std::string synth_type;         // "q8_0"
  std::string carbon_traces;
  std::vector<std::string> policies;  // in run order; the baseline is always among them
  bool baseline_added = false;        // the baseline was not asked for
  std::vector<int> node_threads;      // one per live node
  std::vector<std::string> node_zones;  // empty: chosen from the catalog
  int cores = 1;
  // The validation scenario: two 1-thread nodes pinned to CPUs 0 and 1 (when
  // the machine has two), replayed under every policy and simulated.
  int validation_requests = 0;  // per policy; 0: no validation
  bool validation_pinned = false;
  // Thread counts the local benchmark profiles: every --threads entry, and 1
  // for the validation pair.
  std::vector<int> bench_threads() const;
  // Live workload.
  int requests = 0;
  double rate = 0;  // 0: auto
  int max_tokens = 0;
  double slo_ms = 0;  // 0: auto
  // Local benchmark.
  std::vector<int> bench_batches = {1, 2, 4, 8};
  int bench_repeat = 2;
  int bench_warmup = 1;
  double idle_seconds = 1.0;
  // Simulations.
  double reference_hours = 24;
  double large_hours = 24;
  int large_nodes = 240;
  std::vector<std::uint64_t> seeds;
  int gateway_port = 0;
  std::uint64_t seed = 1;
  bool json = false;
  bool quiet = false;
  std::string command_line;  // the canonical command that reproduces the run
};

// Mode defaults, then every flag checked; kInvalidArgument naming the flag.
core::Result<Plan> make_plan(const Flags& flags, int cores);

// ---- zones (experiment_zones.cc) -------------------------------------------

// ASCII lower case: zone names in node names ("FR" -> "fr-1t") and file
// extensions.
std::string ascii_lower(std::string s);

// One grid zone and the carbon source the experiment uses for it.
struct ZoneCarbon {
  std::string zone;
  std::string spec;       // carbon source spec: "zone-table" or "csv:ABS,zone=Z,basis=lifecycle,loop=yes"
  std::string trace;      // the trace file, "" for the zone table
  double mean_g_per_kwh = 0;  // over the whole trace, or the table's yearly value
};

struct ZoneCatalog {
  bool from_traces = false;
  std::vector<ZoneCarbon> zones;  // ascending mean intensity
  std::vector<std::string> notes;
  const ZoneCarbon* find(const std::string& zone) const;
};

// The zones of --carbon-traces DIR (one CSV per zone, named ZONE[_anything].csv;
// every file is loaded and checked, errors name the file and line), else a
// fixed set of the built-in table's zones whose yearly values come from
// hourly traces (docs/carbon.md).
core::Result<ZoneCatalog> load_zone_catalog(const std::string& traces_dir);

// The zone of each live node: the asked ones (each must be in the catalog),
// else spread over the catalog's range so that the slowest nodes (the
// largest `latency_ms`, one per node: the local profile's prediction for a
// mean request) get the cleanest grids and the fastest node the dirtiest
// (the reference study's trade-off: clean and slow against fast and dirty).
core::Result<std::vector<ZoneCarbon>> pick_live_zones(const ZoneCatalog& catalog, const std::vector<double>& latency_ms,
                                                      const std::vector<std::string>& asked);

// Hourly intensity of `zone` from its source over [start, start + hours]:
// (seconds from start, gCO2e/kWh) pairs.
core::Result<std::vector<std::pair<double, double>>> hourly_intensity(const ZoneCarbon& zone, std::int64_t start_unix_s,
                                                                      double hours);

// ---- phases 1-2 (experiment_bench.cc) ---------------------------------------

struct ProgressSink {
  std::function<void(int done, int total, const std::string& what)> update;
  std::function<void(const std::string& line)> message;
  std::function<bool()> should_stop;
};

// The prompts the live workload draws from (and the bench runs): the built-in
// set without its long prompts, so that prefill does not dwarf decoding.
struct PromptPool {
  std::vector<std::string> ids;
  std::vector<std::string> texts;
  std::vector<int> tokens;  // with the model's tokenizer (BOS included)
};

struct LocalProfiles {
  std::string model_path;
  std::string model_label;  // "experiment-smollm2-135m-q8_0.gguf (llama, 135M params, synthetic)"
  std::string model_id = "experiment";
  PromptPool pool;
  std::map<int, std::shared_ptr<const profile::DeviceProfile>> by_threads;
  std::map<int, std::string> path_by_threads;  // profile.json written, relative to out_dir
  std::string energy_label;                    // "estimated:cpu-estimate"
  report::LocalBench bench;                    // the sweep at the largest thread count
  // Busy cores of other programs on this machine (experiment_load.h) while
  // idle power was measured and during each thread count's sweep.
  double idle_background_cores = 0;
  std::map<int, double> bench_background_cores;
};

// The model: --model, or the synthetic one in the cache (made when missing).
core::Result<std::string> resolve_model(const Plan& plan, const ProgressSink& progress);

// Benchmarks the model at every distinct thread count of the plan and writes
// out_dir/profiles/local-<T>t.json (and measurements-<T>t.csv).
core::Result<LocalProfiles> bench_local(const Plan& plan, const std::string& model_path, const ProgressSink& progress);

// ---- phase 3 (experiment_cluster.cc) ----------------------------------------

struct LiveNodeSpec {
  std::string name;
  ZoneCarbon zone;
  int threads = 1;
  std::string cpus;  // `greenroute node --cpus`; "" = not pinned
  std::string profile_path;  // absolute
  std::shared_ptr<const profile::DeviceProfile> profile;
};

// ---- phase 4 (experiment_replay.cc) ----------------------------------------

struct WorkloadRequest {
  double send_s = 0;        // from the start of a policy's replay
  std::size_t prompt = 0;   // index into the pool
};

struct LiveWorkload {
  std::vector<WorkloadRequest> requests;  // ascending send_s
  int max_tokens = 0;
  double slo_ms = 0;
  double rate = 0;
  std::string description;
};

// Poisson arrivals at `rate` and uniform prompts from the pool, from `seed`.
LiveWorkload make_live_workload(const PromptPool& pool, int requests, double rate, int max_tokens, double slo_ms,
                                std::uint64_t seed);

// Per-policy figures from the requests' log (send order kept).
report::LivePolicyRun summarize_live_run(const std::string& policy, std::vector<report::LiveRequest> log,
                                         double wall_s);

}  // namespace greenroute::cli::experiment
