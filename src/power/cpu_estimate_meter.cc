#include "greenroute/power/cpu_estimate_meter.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>
#include <vector>

#include "sysfs_io.h"

namespace greenroute::power {

core::Result<CpuEstimateMeter::CpuTimes> CpuEstimateMeter::parse_proc_stat(const std::string& text,
                                                                          const std::string& path) {
  CpuTimes t;
  bool have_aggregate = false;
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.rfind("cpu", 0) != 0) continue;
    std::istringstream fields(line);
    std::string label;
    fields >> label;
    int idx = 0;
    if (label == "cpu") {
      std::vector<std::uint64_t> v;
      std::string tok;
      while (fields >> tok) {
        auto n = detail::parse_int(tok, path + ":" + std::to_string(line_no));
        if (!n.is_ok()) return n.status();
        if (*n < 0) return core::corrupt(path + ":" + std::to_string(line_no) + ": negative jiffies");
        v.push_back(static_cast<std::uint64_t>(*n));
      }
      // user nice system idle are present on every kernel since 2.6.
      if (v.size() < 4) {
        return core::corrupt(path + ":" + std::to_string(line_no) + ": 'cpu' line has " +
                             std::to_string(v.size()) + " fields, need at least 4");
      }
      // Fields 0..7: user nice system idle iowait irq softirq steal. 8, 9 are
      // guest/guest_nice, already counted in user/nice.
      std::uint64_t total = 0;
      for (std::size_t i = 0; i < v.size() && i < 8; ++i) total += v[i];
      const std::uint64_t idle = v[3] + (v.size() > 4 ? v[4] : 0);
      t.total = total;
      t.busy = total - idle;
      have_aggregate = true;
    } else if (detail::match_indexed(label, "cpu", "", &idx)) {
      ++t.n_cpus;
    }
  }
  if (!have_aggregate) return core::corrupt(path + ": no aggregate 'cpu' line");
  if (t.n_cpus == 0) return core::corrupt(path + ": no per-cpu 'cpuN' lines");
  return t;
}

CpuEstimateMeter::CpuEstimateMeter(const core::Clock& clock, MeterInfo info, std::string stat_path,
                                   CpuPowerModel model, CpuTimes first)
    : clock_(clock),
      info_(std::move(info)),
      stat_path_(std::move(stat_path)),
      model_(model),
      last_(first),
      last_watts_(model.idle_w) {}

core::Result<std::unique_ptr<PowerMeter>> CpuEstimateMeter::detect(const std::string& procfs_root,
                                                                   const core::Clock& clock,
                                                                   const CpuPowerModel& model) {
  if (!std::isfinite(model.idle_w) || !std::isfinite(model.w_per_busy_core) || model.idle_w < 0 ||
      model.w_per_busy_core < 0) {
    return core::invalid_argument("cpu-estimate: model constants must be finite and >= 0");
  }
  const std::string path = detail::join_path(procfs_root, "stat");
  GR_ASSIGN_OR_RETURN(std::string text, detail::read_text_file(path));
  GR_ASSIGN_OR_RETURN(CpuTimes first, parse_proc_stat(text, path));
  MeterInfo info;
  info.name = "cpu-estimate";
  info.measured = false;
  char buf[160];
  std::snprintf(buf, sizeof(buf), "ESTIMATE from %s cpu time: %.3g W idle + %.3g W per busy core, %d cpus",
                path.c_str(), model.idle_w, model.w_per_busy_core, first.n_cpus);
  info.sensor = buf;
  info.rails = {"cpu"};
  return std::unique_ptr<PowerMeter>(new CpuEstimateMeter(clock, std::move(info), path, model, first));
}

core::Result<PowerReading> CpuEstimateMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  GR_ASSIGN_OR_RETURN(std::string text, detail::read_text_file(stat_path_));
  GR_ASSIGN_OR_RETURN(CpuTimes now, parse_proc_stat(text, stat_path_));
  if (now.total < last_.total || now.busy < last_.busy) {
    // Counters only go backwards if the file is not the same machine's
    // /proc/stat (or is corrupt); restart from this snapshot.
    last_ = now;
    return core::corrupt(stat_path_ + ": cpu jiffies went backwards");
  }
  const std::uint64_t d_total = now.total - last_.total;
  if (d_total > 0) {
    const double util = static_cast<double>(now.busy - last_.busy) / static_cast<double>(d_total);
    const double busy_cores = util * static_cast<double>(now.n_cpus);
    last_watts_ = model_.idle_w + model_.w_per_busy_core * busy_cores;
    last_ = now;
  }
  out.watts = last_watts_;
  out.rails.push_back(RailReading{"cpu", last_watts_, std::nullopt});
  return out;
}

}  // namespace greenroute::power
