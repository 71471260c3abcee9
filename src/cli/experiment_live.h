// Phases 3 and 4 of `greenroute experiment`: the live cluster started as real
// processes and the workload replayed through it under every policy
// (experiment_live.cc, on top of experiment_cluster.h and experiment_replay.h).
//
// Thread contract: runs on the caller's thread (the replay's client threads
// are joined before it returns). Every process started is stopped before it
// returns, whatever the outcome.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "experiment.h"

namespace greenroute::cli::experiment {

struct LiveHooks {
  ProgressSink progress;
  std::function<void(const std::string& title)> begin_replay;  // phase 4 starts
  std::function<void(const std::string& line)> warn;
};

// What one live run starts and replays: the main cluster (phases 3-4) or
// the validation pair (phase 6).
struct LiveSetup {
  std::string label;           // "live", "validation": named in notes and warnings
  std::filesystem::path dir;   // the processes' logs and cluster.toml
  std::vector<LiveNodeSpec> specs;
  int requests = 0;            // per policy
};

// One node per --threads entry in the zones picked: "fr-1t", "de-1t", "pl-2t".
LiveSetup main_live_setup(const Plan& plan, const std::vector<ZoneCarbon>& zones, const LocalProfiles& local);

// Two nodes of one thread on the 1-thread profile, the dirtiest and the
// cleanest of `zones` (in that order), pinned to CPUs 0 and 1 when
// plan.validation_pinned: "pl-cpu1", "fr-cpu0".
LiveSetup validation_setup(const Plan& plan, const std::vector<ZoneCarbon>& zones, const LocalProfiles& local);

struct LivePhases {
  report::LiveRun run;
  std::vector<LiveNodeSpec> specs;
  LiveWorkload workload;
  std::vector<std::int64_t> starts;      // per policy: wall-clock time its replay began
  std::vector<double> backgrounds;       // per policy: other programs' busy cores during it
  std::vector<std::string> notes;
  std::vector<std::string> dead_policies;  // policies none of whose requests succeeded
};

// kUnavailable "interrupted" after Ctrl-C; the failure of a process to start
// or of the replay otherwise (messages name the process and its log).
core::Result<LivePhases> run_live_phases(const Plan& plan, const LiveSetup& setup, const LocalProfiles& local,
                                         const std::string& model_path, int cores, const LiveHooks& hooks);

}  // namespace greenroute::cli::experiment
