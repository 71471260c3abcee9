// PowerMeter: one source of device power readings (a hardware sensor or an
// estimator), plus detection and selection by name.
//
// Thread contract: a PowerMeter is single-owner (the sampler thread); read()
// mutates the meter's previous-sample state. detect_meters()/make_meter() are
// thread-compatible free functions.
//
// Conventions shared by every backend:
// - time_ns comes from the injected core::Clock, never from the OS.
// - energy_j is cumulative joules since the meter was created (detect()), with
//   hardware counter wraparound already unwrapped; it is set only when the
//   sensor has an energy counter. Consumers use deltas between readings.
// - watts is NaN when it cannot be known yet: a counter-only meter needs two
//   samples at different times. detect() takes the first sample, so the first
//   read() has a watts value as soon as the clock has moved.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"

namespace greenroute::power {

struct RailReading {
  std::string name;
  double watts = 0.0;
  // Cumulative, unwrapped, from a hardware counter when the sensor has one.
  std::optional<double> energy_j;
};

struct PowerReading {
  std::int64_t time_ns = 0;  // from the injected core::Clock
  double watts = 0.0;        // total device power (see MeterInfo::sensor for what "total" is)
  std::optional<double> energy_j;
  std::vector<RailReading> rails;
  // Device memory, where the meter can see it (NVML: summed over GPUs).
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<std::uint64_t> memory_total_bytes;
};

struct MeterInfo {
  std::string name;    // "nvml", "rapl", "hwmon", "jetson", "cpu-estimate"
  std::string sensor;  // what exactly is read, and any rails skipped as invalid
  bool measured = true;  // false for estimators
  std::vector<std::string> rails;
};

class PowerMeter {
 public:
  virtual ~PowerMeter() = default;
  virtual const MeterInfo& info() const = 0;
  virtual core::Result<PowerReading> read() = 0;
};

// Constants of the CPU-time power estimator. The defaults are ASSUMPTIONS
// (a small x86 edge box: ~10 W idle, ~5 W per fully busy core), not
// measurements; a device profile or CLI flags should override them.
struct CpuPowerModel {
  double idle_w = 10.0;
  double w_per_busy_core = 5.0;
};

// Where detection looks. Tests point these at fake trees.
struct MeterRoots {
  std::string sysfs_root = "/sys";
  std::string procfs_root = "/proc";
  CpuPowerModel cpu_model;
  // What dlopen() is given for NVML: the driver's soname, or a file path.
  std::string nvml_library = "libnvidia-ml.so.1";
};

// Names accepted by make_meter(), in detection order.
const std::vector<std::string>& meter_names();

// Every meter whose sensor is present, measured ones first (nvml, rapl,
// hwmon, jetson) and the cpu-estimate last. Absent sensors are skipped silently
// (logged at debug); a present but broken sensor is logged as a warning.
std::vector<std::unique_ptr<PowerMeter>> detect_meters(const MeterRoots& roots,
                                                       const core::Clock& clock);

// The meter called `name`; kInvalidArgument for an unknown name (listing the
// known ones), otherwise the backend's detect() error.
core::Result<std::unique_ptr<PowerMeter>> make_meter(const std::string& name, const MeterRoots& roots,
                                                     const core::Clock& clock);

}  // namespace greenroute::power
