// CpuEstimateMeter: an ESTIMATE of device power for machines with no power
// sensor, never a measurement (info().measured == false):
//   watts = idle_w + w_per_busy_core * busy_cores
// where busy_cores = (busy jiffies / all jiffies) * n_cpus between two
// successive reads of the aggregate "cpu" line of <procfs_root>/stat
// (proc(5): user nice system idle iowait irq softirq steal [guest guest_nice];
// busy = all - idle - iowait; guest time is already inside user/nice, so it is
// not added again). n_cpus counts the "cpuN" lines.
//
// detect() takes the first snapshot, so read() always has a delta; if no
// jiffy has elapsed since the previous snapshot the previous estimate is
// repeated (the first time: idle_w). No energy counter: energy_j is unset.
//
// Thread contract: single-owner (see PowerMeter).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

class CpuEstimateMeter final : public PowerMeter {
 public:
  // kNotFound when <procfs_root>/stat is absent; kCorrupt/kIoError naming the
  // file when it cannot be read or parsed; kInvalidArgument for a model with
  // negative or non-finite constants.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const std::string& procfs_root,
                                                          const core::Clock& clock,
                                                          const CpuPowerModel& model = {});

  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  struct CpuTimes {
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
    int n_cpus = 0;
  };
  // Parses /proc/stat text; `path` names the file in errors.
  static core::Result<CpuTimes> parse_proc_stat(const std::string& text, const std::string& path);

 private:
  CpuEstimateMeter(const core::Clock& clock, MeterInfo info, std::string stat_path, CpuPowerModel model,
                   CpuTimes first);

  const core::Clock& clock_;
  MeterInfo info_;
  std::string stat_path_;
  CpuPowerModel model_;
  CpuTimes last_;
  double last_watts_;
};

}  // namespace greenroute::power
