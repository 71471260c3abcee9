// CpuLoadProbe: how busy the rest of the machine was over a window, so that
// the experiment's validation can account for programs it did not start
// (a build, another service) competing for the same cores. Busy cores of the
// whole machine come from /proc/stat, ours from /proc/<pid>/stat (utime +
// stime, and cutime + cstime of children reaped in the window); the
// background is the difference.
//
// Thread contract: a plain value; thread-compatible.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::cli::experiment {

struct CpuLoad {
  double wall_s = 0;
  double machine_cores = 0;     // busy cores of the whole machine, mean over the window
  double ours_cores = 0;        // this process and the pids given
  double background_cores = 0;  // machine - ours, >= 0
};

class CpuLoadProbe {
 public:
  // Snapshots the machine, this process and `pids` now.
  static core::Result<CpuLoadProbe> start(std::vector<pid_t> pids);
  // The load since start(). A pid that has exited since is left out of
  // "ours" (its time counts as background).
  core::Result<CpuLoad> finish() const;

 private:
  CpuLoadProbe() = default;
  std::vector<pid_t> pids_;
  std::vector<std::uint64_t> ticks_;  // per pid, then this process last
  std::uint64_t machine_busy_ = 0;
  std::uint64_t machine_total_ = 0;
  int n_cpus_ = 1;
  std::chrono::steady_clock::time_point at_;
};

}  // namespace greenroute::cli::experiment
