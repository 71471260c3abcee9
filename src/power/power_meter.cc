#include "greenroute/power/power_meter.h"

#include <spdlog/spdlog.h>

#include "greenroute/power/cpu_estimate_meter.h"
#include "greenroute/power/hwmon_meter.h"
#include "greenroute/power/jetson_meter.h"
#include "greenroute/power/nvml_meter.h"
#include "greenroute/power/rapl_meter.h"

namespace greenroute::power {

const std::vector<std::string>& meter_names() {
  static const std::vector<std::string> kNames = {"nvml", "rapl", "hwmon", "jetson", "cpu-estimate"};
  return kNames;
}

core::Result<std::unique_ptr<PowerMeter>> make_meter(const std::string& name, const MeterRoots& roots,
                                                     const core::Clock& clock) {
  if (name == "nvml") return NvmlMeter::detect(roots.nvml_library, clock);
  if (name == "rapl") return RaplMeter::detect(roots.sysfs_root, clock);
  if (name == "hwmon") return HwmonMeter::detect(roots.sysfs_root, clock);
  if (name == "jetson") return JetsonMeter::detect(roots.sysfs_root, clock);
  if (name == "cpu-estimate") return CpuEstimateMeter::detect(roots.procfs_root, clock, roots.cpu_model);
  std::string known;
  for (const std::string& n : meter_names()) known += (known.empty() ? "" : ", ") + n;
  return core::invalid_argument("unknown power meter '" + name + "' (known: " + known + ")");
}

std::vector<std::unique_ptr<PowerMeter>> detect_meters(const MeterRoots& roots, const core::Clock& clock) {
  std::vector<std::unique_ptr<PowerMeter>> found;
  for (const std::string& name : meter_names()) {
    auto m = make_meter(name, roots, clock);
    if (m.is_ok()) {
      found.push_back(std::move(m).value());
    } else if (m.status().code() == core::StatusCode::kNotFound) {
      spdlog::debug("power: {} not available: {}", name, m.status().message());
    } else {
      spdlog::warn("power: {} present but unusable: {}", name, m.status().to_string());
    }
  }
  return found;
}

}  // namespace greenroute::power
