// Workloads for the simulator: request arrivals (Poisson, bursty on/off,
// diurnal) with prompt and output lengths, SLOs and per-request policy
// overrides, all drawn from one seed.
//
// Arrival processes (rates in requests per second, times in seconds):
//   poisson   exponential inter-arrival times of mean 1 / rate
//   bursty    alternating "on" and "off" periods of exponential length (means
//             on_mean_s, off_mean_s), Poisson at on_rate / off_rate within
//             them; the run starts in an "on" period
//   diurnal   non-homogeneous Poisson, rate(t) = rate * (1 + amplitude *
//             cos(2 pi (h(t) - peak_hour) / 24)), h(t) the UTC hour of day of
//             start_unix_s + t; drawn by thinning at the peak rate
// Lengths (tokens, integers >= 1):
//   list       uniform draws from `values` (e.g. a prompt set's token counts)
//   lognormal  exp(N(mu, sigma^2)) with mu = ln(mean) - sigma^2 / 2, so the
//              unclipped mean is `mean`; rounded, then clipped to [min, max]
// A request carries an SLO (slo_ms) with probability slo_fraction, and asks
// for override_policy with probability override_fraction.
//
// Thread contract: pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/core/status.h"
#include "greenroute/sim/event_queue.h"

namespace greenroute::sim {

enum class ArrivalKind { kPoisson, kBursty, kDiurnal };
enum class LengthKind { kList, kLognormal };

struct LengthSpec {
  LengthKind kind = LengthKind::kLognormal;
  std::vector<int> values;  // list: >= 1 each, not empty
  double mean = 128;        // lognormal: > 0
  double sigma = 0.5;       // lognormal: >= 0 (log-space standard deviation)
  int min = 1;              // clip, >= 1
  int max = 4096;           // clip, >= min
};

struct WorkloadConfig {
  ArrivalKind arrival = ArrivalKind::kPoisson;
  double duration_s = 60;  // arrivals in [0, duration_s)
  double rate = 1;         // poisson, diurnal (mean rate); requests/s, > 0
  // bursty
  double on_rate = 5;    // > 0
  double off_rate = 0.2; // >= 0
  double on_mean_s = 10;  // > 0
  double off_mean_s = 30; // > 0
  // diurnal
  double amplitude = 0.5;  // [0, 1]
  double peak_hour = 14;   // [0, 24)
  std::int64_t start_unix_s = 1640995200;  // 2022-01-01T00:00:00Z; also the carbon time base

  LengthSpec prompt{.kind = LengthKind::kLognormal, .values = {}, .mean = 256, .sigma = 0.6, .min = 1, .max = 4096};
  LengthSpec output{.kind = LengthKind::kLognormal, .values = {}, .mean = 128, .sigma = 0.5, .min = 1, .max = 2048};

  double slo_fraction = 0;  // [0, 1]
  double slo_ms = 0;        // > 0 when slo_fraction > 0
  double override_fraction = 0;     // [0, 1]
  std::string override_policy;      // a policy name, required when override_fraction > 0
  std::uint64_t seed = 1;
};

// kInvalidArgument naming the field: "workload.prompt.sigma: must be >= 0 (is -1)".
core::Status validate_workload(const WorkloadConfig& config);

struct SimRequest {
  std::uint64_t id = 0;   // index in arrival order
  SimTimeUs arrival_us = 0;
  int prompt_tokens = 0;
  int output_tokens = 0;  // max output tokens (the simulated request generates them all)
  std::optional<double> slo_ms;
  std::optional<std::string> policy;  // override
};

// Validates, then draws the requests in arrival order.
core::Result<std::vector<SimRequest>> generate_workload(const WorkloadConfig& config);

// The diurnal rate multiplier at `unix_s` (1 + amplitude * cos(...)).
double diurnal_factor(const WorkloadConfig& config, double unix_s);

// One draw of a length spec (precondition: the spec is valid).
int draw_length(const LengthSpec& spec, core::Rng& rng);
// An exponential draw of mean `mean` (> 0).
double draw_exponential(double mean, core::Rng& rng);

}  // namespace greenroute::sim
