// Shared fixtures for the profile tests: synthetic benchmark rows from a
// known cost model, and a small valid measured profile.
#pragma once

#include <array>
#include <filesystem>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/profile/fit.h"
#include "greenroute/profile/measurement.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile::testing {

// A latency and an energy model with every term positive.
inline constexpr std::array<double, kNumTerms> kLatencyCoef = {20.0, 0.8, 15.0, 1.0};   // ms
inline constexpr std::array<double, kNumTerms> kEnergyCoef = {0.1, 0.015, 0.16, 0.02};  // J

struct RowOptions {
  std::vector<int> batches = {1, 2, 4, 8, 16};
  std::vector<int> max_tokens = {32, 128};
  int repeats = 1;
  double prompt_tokens = 200;
  double noise = 0;       // multiplicative, standard deviation (0.05 = 5%)
  int saturate_from = 0;  // batch sizes >= this are saturated (0: none)
  std::uint64_t seed = 1;
};

// Rows whose latency, energy and TTFT follow kLatencyCoef / kEnergyCoef,
// with predicted_bytes = 1e9 + B * 1e7.
std::vector<RunMeasurement> synthetic_rows(const RowOptions& options);

// A valid measured profile built from synthetic_rows with the default options.
DeviceProfile sample_profile();

// A fresh directory under the system temp directory, removed by the caller.
std::filesystem::path make_temp_dir(const char* tag);

}  // namespace greenroute::profile::testing
