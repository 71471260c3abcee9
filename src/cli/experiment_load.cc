#include "experiment_load.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "greenroute/power/cpu_estimate_meter.h"
#include "greenroute/power/process_cpu_meter.h"

namespace greenroute::cli::experiment {
namespace {

core::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::not_found("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

core::Result<std::uint64_t> process_ticks(const std::string& pid) {
  const std::string path = "/proc/" + pid + "/stat";
  GR_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return power::ProcessCpuEstimateMeter::parse_cpu_ticks(text, path);
}

core::Result<power::CpuEstimateMeter::CpuTimes> machine_times() {
  GR_ASSIGN_OR_RETURN(std::string text, read_file("/proc/stat"));
  return power::CpuEstimateMeter::parse_proc_stat(text, "/proc/stat");
}

}  // namespace

core::Result<CpuLoadProbe> CpuLoadProbe::start(std::vector<pid_t> pids) {
  CpuLoadProbe p;
  p.pids_ = std::move(pids);
  for (pid_t pid : p.pids_) {
    auto t = process_ticks(std::to_string(pid));
    p.ticks_.push_back(t.is_ok() ? *t : 0);
  }
  GR_ASSIGN_OR_RETURN(std::uint64_t self, process_ticks("self"));
  p.ticks_.push_back(self);
  GR_ASSIGN_OR_RETURN(auto m, machine_times());
  p.machine_busy_ = m.busy;
  p.machine_total_ = m.total;
  p.n_cpus_ = std::max(1, m.n_cpus);
  p.at_ = std::chrono::steady_clock::now();
  return p;
}

core::Result<CpuLoad> CpuLoadProbe::finish() const {
  GR_ASSIGN_OR_RETURN(auto m, machine_times());
  CpuLoad load;
  load.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - at_).count();
  if (m.total <= machine_total_ || load.wall_s <= 0) return load;
  // /proc/stat counts every CPU's jiffies: busy / total is the machine's
  // utilisation, times the CPUs its busy cores.
  load.machine_cores = static_cast<double>(m.busy - std::min(m.busy, machine_busy_)) /
                       static_cast<double>(m.total - machine_total_) * n_cpus_;
  const double ticks_per_s = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::uint64_t ours = 0;
  for (std::size_t i = 0; i <= pids_.size(); ++i) {
    auto t = process_ticks(i < pids_.size() ? std::to_string(pids_[i]) : std::string("self"));
    if (t.is_ok() && *t >= ticks_[i]) ours += *t - ticks_[i];
  }
  load.ours_cores = ticks_per_s > 0 ? static_cast<double>(ours) / ticks_per_s / load.wall_s : 0;
  load.background_cores = std::max(0.0, load.machine_cores - load.ours_cores);
  return load;
}

}  // namespace greenroute::cli::experiment
