// Phase 6 of `greenroute experiment`: a live scenario simulated (the same
// nodes, zones and local profiles, the same requests at the times the client
// sent them) and compared with what the live run measured, per policy.
//
// The live nodes share this machine's cores (with each other and with
// whatever else runs on it), which the simulator, one device per node, does
// not know. The contention model (docs/experiment.md) corrects for it from
// the simulated schedule itself, never from the live results:
//   - cores are not independent (shared caches, memory bus, and on a VM
//     perhaps SMT siblings): k busy threads do S(k) threads' work together,
//     S(1) = 1, S(k) <= k. S is measured from the local profiles themselves
//     (core_scaling): a node of t threads alone served a mean request
//     L_1 / L_t times as fast as one of one thread; S is linear between
//     the thread counts measured and proportional beyond the largest; with
//     no 1-thread profile, S(k) = k;
//   - a thread among D busy ones progresses at share(D) = S(min(D, C)) / D
//     of a lone thread's speed (C cores; S(k) = k gives min(1, C / D));
//   - node i was benchmarked alone at t_i threads while B_b other busy cores
//     ran on the machine; it then progressed at r_b = share(t_i + B_b)
//     (t_i capped at C);
//   - in the simulated schedule, while node i runs a batch, the other nodes
//     running batches want D = t_i + sum t_j + B_l cores (B_l: the background
//     measured during the live run), so it progresses at r = share(D)
//     (processor sharing); its batches take s_i = r_b / mean(r) as long as
//     the profile says, the mean taken over its own busy time;
//   - its meter reads the whole machine: the power charged to its requests is
//     P(D) = a + w min(C, D), a and w from the two powers its bench saw (idle
//     with B_i busy cores, the sweep with t_i + B_b), so its energy scales by
//     e_i = s_i mean(P(D)) / P_sweep;
//   - latency and energy models scaled by s_i and e_i, the scenario simulated
//     again, until the factors settle (running mean of the iterates).
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "experiment.h"

namespace greenroute::cli::experiment {

// One node's CPU and power, as its bench saw them.
struct ContentionNode {
  int threads = 1;
  double base_watts = 0;       // a: power with no core busy
  double watts_per_core = 0;   // w
  double bench_background = 0; // B_b: other busy cores while it was benchmarked
  double sweep_watts = 0;      // P_sweep: mean power of its unsaturated sweep points
};

// From the profile (idle_watts measured with `idle_background` busy cores,
// the sweep's mean watts with threads + bench_background).
ContentionNode contention_node(const profile::DeviceProfile& profile, int threads, int cores, double idle_background,
                               double bench_background);

// A batch in the simulated schedule.
struct BusyInterval {
  std::size_t node = 0;
  double start_s = 0;
  double end_s = 0;
};

struct ContentionFactors {
  std::vector<double> latency;  // s_i (1 for a node with no batch)
  std::vector<double> energy;   // e_i
};

// S(1), ..., S(cores) from one local profile per thread count (latency of a
// request of `prompt_tokens` + `output_tokens` alone, each profile's
// latency first corrected to a quiet machine with the linear share, using
// `bench_background` of its thread count). Empty when there is no 1-thread
// profile (S is then linear).
std::vector<double> core_scaling(const std::map<int, const profile::DeviceProfile*>& by_threads,
                                 const std::map<int, double>& bench_background, int cores, double prompt_tokens,
                                 double output_tokens);

// The factors for a schedule on `cores` cores with `background` other busy
// cores; `scaling` is S(1..cores) (core_scaling), empty for S(k) = k.
ContentionFactors contention_from_schedule(const std::vector<ContentionNode>& nodes,
                                           const std::vector<BusyInterval>& schedule, double background, int cores,
                                           const std::vector<double>& scaling = {});

// The profile with its latency (and TTFT) model scaled by `latency` and its
// energy model by `energy` (what the simulator reads).
profile::DeviceProfile scaled_profile(const profile::DeviceProfile& base, double latency, double energy);

struct ValidationResult {
  std::vector<report::ValidationRow> rows;  // one per live policy run
  std::vector<std::string> notes;           // the factors found, the errors without them
};

struct ValidationInput {
  const std::vector<LiveNodeSpec>* nodes = nullptr;
  const LiveWorkload* workload = nullptr;
  const PromptPool* pool = nullptr;
  const report::LiveRun* live = nullptr;
  std::vector<std::int64_t> start_unix_s;     // per live run: the wall-clock time its replay began
  std::vector<double> live_background_cores;  // per live run
  double idle_background_cores = 0;           // while the bench measured idle power
  std::map<int, double> bench_background_cores;  // per thread count, during its sweep
  int cores = 1;
  double max_wait_ms = 5;  // the node agents' --max-wait-ms
};

core::Result<ValidationResult> validate_live_run(const ValidationInput& input);

}  // namespace greenroute::cli::experiment
