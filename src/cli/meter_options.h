// Flags that choose and configure a power meter, shared by every command that
// measures energy (power, bench, node): --meter, --sysfs-root, --procfs-root,
// --nvml-library, --idle-watts, --watts-per-core.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/power/power_meter.h"

namespace greenroute::cli {

struct MeterOptions {
  std::string meter = "auto";  // "auto": the first meter detect_meters() finds
  power::MeterRoots roots;
};

// Adds the flags to `app`. `with_meter_choice` adds --meter as well.
void add_meter_options(CLI::App& app, MeterOptions& options, bool with_meter_choice = true);

// The meter the options ask for. "auto" takes the first one found (measured
// meters before the estimator) and kNotFound names what was looked for.
core::Result<std::unique_ptr<power::PowerMeter>> open_meter(const MeterOptions& options,
                                                            const core::Clock& clock);

// "measured (nvml: ...)" or "ESTIMATED (cpu-estimate: ...)": how every energy
// figure is labelled on output.
std::string provenance(const power::MeterInfo& info);

// A reading as JSON: watts, energy_j (when the meter has a counter), rails,
// memory; time as seconds since `origin_ns`. NaN watts become null.
nlohmann::json reading_json(const power::PowerReading& r, std::int64_t origin_ns);

}  // namespace greenroute::cli
