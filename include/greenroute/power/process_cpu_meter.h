// ProcessCpuEstimateMeter: an ESTIMATE of the power one process (with the
// children it has waited for) draws, from its own CPU time, for machines with
// no power sensor and for attributing a shared device to one workload:
//   watts = [idle_w] + w_per_busy_core * busy_cores
// where busy_cores = d(utime + stime + cutime + cstime) / CLK_TCK / d(wall s)
// between successive reads of <procfs_root>/<pid>/stat (proc(5) fields 14-17,
// counted after the ")" that closes the command name, which may itself hold
// spaces and parentheses). The idle term is included only when asked for:
// a process's share of a machine usually excludes the idle floor, which the
// machine pays whether or not the process runs.
//
// Wall time comes from the injected core::Clock. No energy counter
// (energy_j unset); info().measured is false. detect() takes the first
// snapshot. Thread contract: single-owner (see PowerMeter).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

struct ProcessCpuOptions {
  std::string procfs_root = "/proc";
  std::string pid = "self";  // a number, or "self"
  bool include_idle = false;
  long ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
};

class ProcessCpuEstimateMeter final : public PowerMeter {
 public:
  // kNotFound when the stat file is absent (no such process); kCorrupt naming
  // the file when it cannot be parsed; kInvalidArgument for a bad model.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const ProcessCpuOptions& options,
                                                          const core::Clock& clock,
                                                          const CpuPowerModel& model = {});

  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  // utime + stime + cutime + cstime, in clock ticks, from /proc/<pid>/stat
  // text; `path` names the file in errors.
  static core::Result<std::uint64_t> parse_cpu_ticks(const std::string& text, const std::string& path);

 private:
  ProcessCpuEstimateMeter(const core::Clock& clock, MeterInfo info, std::string stat_path, CpuPowerModel model,
                          bool include_idle, double ticks_per_second, std::uint64_t first_ticks);

  const core::Clock& clock_;
  MeterInfo info_;
  std::string stat_path_;
  CpuPowerModel model_;
  bool include_idle_;
  double ticks_per_second_;
  std::uint64_t last_ticks_;
  std::int64_t last_time_ns_;
  double last_watts_;
};

}  // namespace greenroute::power
