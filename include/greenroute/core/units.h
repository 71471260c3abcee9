// Units of measure used across greenroute. Quantities carry their unit in
// the name (latency_ms, energy_j, g_co2_per_kwh); these helpers convert.
#pragma once

#include <cstdint>

namespace greenroute::core {

constexpr double kJoulesPerKwh = 3.6e6;
constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;

inline double joules_to_kwh(double energy_j) { return energy_j / kJoulesPerKwh; }
inline double grams_co2(double energy_j, double g_co2_per_kwh) {
  return joules_to_kwh(energy_j) * g_co2_per_kwh;
}

}  // namespace greenroute::core
