// `greenroute experiment`: the README's main job and what `make demo` runs
// (docs/experiment.md). Seven phases, each with a progress line on stderr:
//   1 the model (--model, or a synthetic one)     5 simulate the reference study's
//   2 benchmark it: a local profile per thread       cluster and a large one
//     count the live nodes use                    6 validation: two 1-thread nodes,
//   3 start node agents and a gateway as real        one per core, replayed live under
//     processes, in zones of contrasting carbon      each policy, then simulated
//   4 replay one workload through the gateway     7 write the report directory and
//     under each policy                              print the tables (or --json)
// Ctrl-C stops every process it started and exits 130.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "bench_command.h"
#include "cli_common.h"
#include "experiment.h"
#include "experiment_cluster.h"
#include "experiment_live.h"
#include "experiment_output.h"
#include "experiment_sims.h"
#include "experiment_validation.h"
#include "greenroute/carbon/time_text.h"
#include "greenroute/core/thread_pool.h"
#include "interrupt.h"
#include "progress.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using namespace experiment;

constexpr int kPhases = 7;
constexpr int kExitInterrupted = 130;

// The phase headers and progress bars on stderr.
class Phases {
 public:
  explicit Phases(bool quiet) : quiet_(quiet), display_(isatty(STDERR_FILENO) != 0 && !quiet) {}

  void begin(int phase, const std::string& title) {
    started_ = std::chrono::steady_clock::now();
    if (!quiet_) display_.message(fmt::format("[{}/{}] {}", phase, kPhases, title));
  }
  ProgressSink sink() {
    ProgressSink s;
    s.update = [this](int done, int total, const std::string& what) {
      if (quiet_) return;
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      const double eta = done > 0 && total > done ? elapsed / done * (total - done) : (done >= total ? 0 : -1);
      display_.update(done, total, what, elapsed, eta);
    };
    s.message = [this](const std::string& line) {
      if (!quiet_) display_.message(line);
    };
    s.should_stop = [] { return interrupt_requested(); };
    return s;
  }
  void finish() { display_.finish(); }
  void warn(const std::string& line) { display_.message("greenroute: warning: " + line); }

 private:
  bool quiet_;
  ProgressDisplay display_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

core::Status check_writable(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::io_error("--out: cannot create " + dir.string() + ": " + ec.message());
  const fs::path probe = dir / ".greenroute-write-test";
  {
    std::ofstream f(probe);
    if (!f || !(f << "x") || !f.flush()) return core::io_error("--out: cannot write in " + dir.string());
  }
  fs::remove(probe, ec);
  return core::Status::ok();
}

std::string machine_line(int cores, const std::string& energy) {
  const std::string cpu = cpu_model_name("/proc");
  const double gib = static_cast<double>(machine_memory_bytes("/proc")) / (1024.0 * 1024 * 1024);
  return fmt::format("{} cores{}, {:.0f} GiB RAM, energy {}", cores, cpu.empty() ? "" : " (" + cpu + ")", gib, energy);
}

int interrupted(Phases& phases) {
  phases.finish();
  std::fprintf(stderr, "experiment: interrupted; every process it started has been stopped\n");
  return kExitInterrupted;
}

int run_experiment(const Flags& flags) {
  const int cores = core::ThreadPool::default_threads();
  auto plan_r = make_plan(flags, cores);
  if (!plan_r.is_ok()) return fail(plan_r.status());
  const Plan& plan = *plan_r;
  install_interrupt_handlers();
  if (core::Status s = check_writable(plan.out_dir); !s.is_ok()) return fail(s);
  if (core::Status s = check_port_free(plan.gateway_port); !s.is_ok()) return fail(s.message(), kExitFailure);
  auto catalog = load_zone_catalog(plan.carbon_traces);
  if (!catalog.is_ok()) return fail(catalog.status());
  {
    // --zones is checked now, before minutes of work; the zones themselves
    // are assigned once the benchmark says which node is fastest.
    const std::vector<double> by_threads(plan.node_threads.begin(), plan.node_threads.end());
    if (auto z = pick_live_zones(*catalog, by_threads, plan.node_zones); !z.is_ok()) return fail(z.status());
  }

  Phases phases(plan.quiet);
  report::ExperimentData data;
  data.generated_at = carbon::format_utc_time(std::time(nullptr));
  data.mode = plan.reduced ? "reduced" : "full";
  data.command_line = plan.command_line;
  data.notes = catalog->notes;
  if (plan.baseline_added) {
    data.notes.push_back(std::string("the baseline policy ") + kBaselinePolicy +
                         " was added to --policies: every other policy is compared with it");
  }

  phases.begin(1, "model");
  auto model = resolve_model(plan, phases.sink());
  if (!model.is_ok()) return fail(model.status());

  phases.begin(2, fmt::format("local benchmark: batch sizes 1, 2, 4, 8 at {} thread count(s)",
                              plan.bench_threads().size()));
  auto local = bench_local(plan, *model, phases.sink());
  phases.finish();
  if (interrupt_requested()) return interrupted(phases);
  if (!local.is_ok()) return fail(local.status());
  data.bench = local->bench;
  data.machine = machine_line(cores, local->energy_label);

  // The slowest node (for a mean request, by its local profile) gets the cleanest grid.
  double mean_prompt = 0;
  for (int tokens : local->pool.tokens) mean_prompt += tokens / static_cast<double>(local->pool.tokens.size());
  std::vector<double> latency_ms;
  for (int t : plan.node_threads) {
    latency_ms.push_back(local->by_threads.at(t)->predict_latency_ms(1, mean_prompt, plan.max_tokens));
  }
  auto zones = pick_live_zones(*catalog, latency_ms, plan.node_zones);
  if (!zones.is_ok()) return fail(zones.status());

  phases.begin(3, "live cluster: node agents and a gateway as real processes");
  LiveHooks hooks;
  hooks.progress = phases.sink();
  hooks.begin_replay = [&phases](const std::string& title) { phases.begin(4, title); };
  hooks.warn = [&phases](const std::string& line) { phases.warn(line); };
  auto live = run_live_phases(plan, main_live_setup(plan, *zones, *local), *local, *model, cores, hooks);
  phases.finish();
  if (interrupt_requested()) return interrupted(phases);
  if (!live.is_ok()) return fail(live.status().message(), kExitFailure);
  data.notes.insert(data.notes.end(), live->notes.begin(), live->notes.end());
  data.live = live->run;

  phases.begin(5, fmt::format("simulation: the reference study's cluster and {} devices over {:g} h, {} seeds",
                              plan.large_nodes, plan.large_hours, plan.seeds.size()));
  auto reference = simulate_reference_study(plan, *catalog, phases.sink());
  if (interrupt_requested()) return interrupted(phases);
  if (!reference.is_ok()) return fail(reference.status().with_context("simulation reference-study"));
  data.simulations.push_back(std::move(reference).value());
  auto large = simulate_large_cluster(plan, *catalog, phases.sink());
  phases.finish();
  if (interrupt_requested()) return interrupted(phases);
  if (!large.is_ok()) return fail(large.status().with_context("simulation large"));
  data.simulations.push_back(std::move(large).value());
  for (const report::SimScenario& sc : data.simulations) {
    for (const sim::PolicyResult& r : sc.first_seed.results) {
      if (r.policy != kBaselinePolicy || !(r.energy_j > 0)) continue;
      data.notes.push_back(fmt::format(
          "simulated {}: idle draw is {:.0f}% of the baseline's energy (first seed); routing moves only the rest",
          sc.name, 100 * r.idle_energy_j / r.energy_j));
    }
  }

  if (plan.validation_requests > 0) {
    // A scenario whose devices are separate, as the simulator's are: two
    // 1-thread nodes, one per core, run live and then simulated.
    const LiveSetup pair = validation_setup(plan, *zones, *local);
    phases.begin(6, fmt::format("validation: {} and {}{}, live and simulated", pair.specs[0].name,
                                pair.specs[1].name, plan.validation_pinned ? " (one core each)" : ""));
    LiveHooks vhooks = hooks;
    vhooks.begin_replay = [&phases](const std::string& title) { phases.begin(6, title); };
    auto vlive = run_live_phases(plan, pair, *local, *model, cores, vhooks);
    phases.finish();
    if (interrupt_requested()) return interrupted(phases);
    if (!vlive.is_ok()) return fail(vlive.status().with_context("validation").message(), kExitFailure);
    data.notes.insert(data.notes.end(), vlive->notes.begin(), vlive->notes.end());
    data.validation_live = vlive->run;
    ValidationInput vi;
    vi.nodes = &vlive->specs;
    vi.workload = &vlive->workload;
    vi.pool = &local->pool;
    vi.live = &vlive->run;
    vi.start_unix_s = vlive->starts;
    vi.live_background_cores = vlive->backgrounds;
    vi.idle_background_cores = local->idle_background_cores;
    vi.bench_background_cores = local->bench_background_cores;
    vi.cores = cores;
    auto validation = validate_live_run(vi);
    if (!validation.is_ok()) return fail(validation.status().with_context("validation"));
    data.validation = validation->rows;
    data.notes.insert(data.notes.end(), validation->notes.begin(), validation->notes.end());
  } else {
    data.notes.push_back("validation skipped (--validation-requests 0)");
  }

  phases.begin(7, "report: " + plan.out_dir.string());
  if (core::Status s = report::write_experiment_report(plan.out_dir, data); !s.is_ok()) return fail(s);
  phases.finish();
  if (plan.json) {
    std::printf("%s\n", experiment_summary_json(data, plan.out_dir.string()).dump(2).c_str());
  } else {
    print_experiment_tables(data, *local);
    std::printf("\nreport: %s\n", (plan.out_dir / "report.html").string().c_str());
  }
  if (!live->dead_policies.empty()) {
    std::string names;
    for (const std::string& p : live->dead_policies) names += (names.empty() ? "" : ", ") + p;
    return fail(fmt::format("no live request succeeded under {} (the report is written; see its notes and {})", names,
                            (plan.out_dir / "live").string()),
                kExitFailure);
  }
  return kExitOk;
}

}  // namespace

void register_experiment_command(CLI::App& root, std::vector<Command>& commands) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand(
      "experiment", "The end-to-end experiment: benchmark, a live local cluster under every policy, simulations, "
                    "a report");
  cmd->footer(
      "Phases: 1 the model (--model, else a synthetic one kept in --model-cache); 2 a local profile per thread count\n"
      "(batch sizes 1, 2, 4, 8); 3 node agents (one per --threads entry) and a gateway as real processes on\n"
      "127.0.0.1, in zones of contrasting carbon intensity; 4 one workload replayed through the gateway under each\n"
      "policy; 5 the reference study's cluster and a large one simulated; 6 validation: two 1-thread nodes pinned\n"
      "to a core each (separate devices, as the simulator has them) replay a workload under each policy, and the\n"
      "simulator replays the same; 7 the report directory (report.html, experiment.json, CSV) and the tables.\n"
      "Energy is measured by the meter found (here usually ESTIMATED by cpu-estimate) and labelled so.\n"
      "Ctrl-C stops every process started. Exit status: 0 ok, 1 the work failed, 2 bad flags, 130 interrupted.\n"
      "See docs/experiment.md.");
  cmd->add_option("--model,-m", f->model_path, "GGUF model to serve (default: a synthetic SmolLM2-135M-shaped model)");
  cmd->add_option("--model-cache", f->model_cache, "Where the synthetic model is written once and reused")
      ->capture_default_str();
  cmd->add_option("--out,-o", f->out_dir, "Report directory")->capture_default_str();
  cmd->add_option("--carbon-traces", f->carbon_traces,
                  "Directory of hourly intensity traces, one CSV per zone named ZONE[_...].csv (Electricity Maps "
                  "exports or timestamp,value); default: the built-in yearly zone table");
  cmd->add_option("--policies", f->policies,
                  "Comma-separated policies to compare (default: all eight; --reduced: greedy-fastest,latency-aware,"
                  "carbon-aware); greedy-fastest, the baseline, is always run");
  cmd->add_option("--threads", f->threads,
                  "Engine threads of each live node, comma-separated, one entry per node (default: 1,1,2)");
  cmd->add_option("--zones", f->zones,
                  "Grid zone of each live node, comma-separated (default: FR, DE, PL from the zone table, or spread "
                  "over the traces' range; slow nodes on clean grids)");
  cmd->add_option("--requests", f->requests, "Requests per policy in the live replay (default: 40; --reduced: 8)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--validation-requests", f->validation_requests,
                  "Requests per policy in the validation scenario: two 1-thread nodes, one per core, run live and "
                  "simulated (default: 20; --reduced: 6; 0: skip)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--rate", f->rate,
                  "Live arrival rate, requests/s (default: 70% of the fastest node's capacity, from its profile, at most half "
                  "of what the cores other programs leave free can serve)")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--max-tokens", f->max_tokens, "Output tokens per request (default: 16; --reduced: 8)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--slo-ms", f->slo_ms,
                  "Latency SLO every live request carries (slo-carbon uses it; default: 3x the fastest node's latency)")
      ->check(CLI::Range(0.0, 3.6e6));
  cmd->add_option("--sim-hours", f->sim_hours, "Simulated hours per scenario (default: 24; --reduced: 2)")
      ->check(CLI::Range(0.0, 8784.0));
  cmd->add_option("--sim-nodes", f->sim_nodes, "Devices in the large simulated cluster (default: 240; --reduced: 40)")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--seeds", f->seeds, "Workload seeds per simulated scenario (default: 3; --reduced: 2)")
      ->check(CLI::Range(1, 50));
  cmd->add_flag("--reduced", f->reduced,
                "Small and quick (for tests): the tiny model, 8 requests, 3 policies, 2 simulated hours");
  cmd->add_option("--gateway-port", f->gateway_port, "Port of the live gateway on 127.0.0.1 (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--seed", f->seed, "Seed of the workloads (arrivals, prompts) and of the random policy")
      ->capture_default_str();
  cmd->add_flag("--json", f->json, "Print a JSON summary instead of the tables");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress display");
  commands.push_back({cmd, [f] { return run_experiment(*f); }});
}

}  // namespace greenroute::cli
