// workload.toml: the file `greenroute simulate --workload` reads, into a
// validated WorkloadConfig (workload.h). Keys mirror the struct's fields; every
// key is optional (the struct's defaults) and an unknown key is an error, so a
// typo never falls back to a default silently:
//
//   arrival = "diurnal"          # poisson | bursty | diurnal
//   duration_s = 86400
//   rate = 2.0                   # poisson, diurnal (mean)
//   on_rate = 5.0                # bursty: on_rate, off_rate, on_mean_s, off_mean_s
//   amplitude = 0.5              # diurnal: amplitude, peak_hour
//   peak_hour = 14
//   start_unix_s = 1640995200
//   seed = 7
//   slo_fraction = 0.2           # with slo_ms
//   slo_ms = 5000
//   override_fraction = 0.1      # with override_policy
//   override_policy = "carbon-aware"
//   [prompt]                     # and [output]
//   kind = "lognormal"           # lognormal | list
//   mean = 256                   # lognormal: mean, sigma, min, max
//   sigma = 0.6
//   values = [12, 40, 230]       # list
//
// Errors are kInvalidArgument (kNotFound / kIoError for the file) naming the
// file, the line and the field path: "workload.toml:4: workload.rate: must be
// > 0 (is -1)". Nothing here throws (toml++'s exceptions are caught inside).
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/sim/workload.h"

namespace greenroute::sim {

core::Result<WorkloadConfig> parse_workload_toml(std::string_view text, std::string_view name = "workload");
core::Result<WorkloadConfig> load_workload_config(const std::filesystem::path& path);

}  // namespace greenroute::sim
