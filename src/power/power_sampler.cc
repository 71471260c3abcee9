#include "greenroute/power/power_sampler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

namespace greenroute::power {

core::Result<std::unique_ptr<PowerSampler>> PowerSampler::create(std::unique_ptr<PowerMeter> meter,
                                                                 const core::Clock& clock,
                                                                 const SamplerOptions& options) {
  if (meter == nullptr) return core::invalid_argument("power sampler: no meter");
  if (options.interval_ns <= 0) {
    return core::invalid_argument("power sampler: interval_ns must be > 0, got " +
                                  std::to_string(options.interval_ns));
  }
  // Two readings are the least any window needs; the upper bound keeps the
  // history's doubling (see history_) from overflowing.
  if (options.capacity < 2 || options.capacity > std::numeric_limits<std::size_t>::max() / 4) {
    return core::invalid_argument("power sampler: capacity must be >= 2 and < SIZE_MAX / 4, got " +
                                  std::to_string(options.capacity));
  }
  if (options.max_consecutive_failures < 0) {
    return core::invalid_argument("power sampler: max_consecutive_failures must be >= 0, got " +
                                  std::to_string(options.max_consecutive_failures));
  }
  if (options.integration.max_extrapolate_ns < 0) {
    return core::invalid_argument("power sampler: max_extrapolate_ns must be >= 0, got " +
                                  std::to_string(options.integration.max_extrapolate_ns));
  }
  return std::unique_ptr<PowerSampler>(new PowerSampler(std::move(meter), clock, options));
}

PowerSampler::PowerSampler(std::unique_ptr<PowerMeter> meter, const core::Clock& clock,
                           const SamplerOptions& options)
    : clock_(clock), options_(options), meter_info_(meter->info()), meter_(std::move(meter)) {}

PowerSampler::~PowerSampler() { stop(); }

void PowerSampler::start() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stop_requested_ = false;
  }
  thread_ = std::thread([this] { run(); });
  running_.store(true);
  spdlog::debug("power sampler: {} every {} ms", meter_info_.name,
                static_cast<double>(options_.interval_ns) * 1e-6);
}

void PowerSampler::stop() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  thread_.join();
  running_.store(false);
}

void PowerSampler::run() {
  using Steady = std::chrono::steady_clock;
  const auto period =
      std::chrono::duration_cast<Steady::duration>(std::chrono::nanoseconds(options_.interval_ns));
  auto next = Steady::now();
  for (;;) {
    (void)sample_once();  // the outcome is recorded in health_
    // Deadlines advance on a fixed grid so the rate does not drift by the read
    // time; ticks missed by a slow read are skipped rather than bunched up.
    next += period;
    const auto now = Steady::now();
    if (next <= now) next += period * ((now - next) / period + 1);
    std::unique_lock<std::mutex> lock(run_mu_);
    if (wake_.wait_until(lock, next, [this] { return stop_requested_; })) return;
  }
}

core::Status PowerSampler::sample_once() {
  core::Status error;
  int streak = 0;
  bool recovered = false;
  {
    std::lock_guard<std::mutex> meter_lock(meter_mu_);
    core::Result<PowerReading> r = meter_->read();
    std::lock_guard<std::mutex> lock(mu_);
    if (r.is_ok() && !history_.empty() && r->time_ns < history_.back().time_ns) {
      r = core::corrupt("reading at " + std::to_string(r->time_ns) +
                        " ns is older than the newest kept, at " + std::to_string(history_.back().time_ns) +
                        " ns");
    }
    if (r.is_ok()) {
      recovered = health_.consecutive_failures > 0;
      streak = health_.consecutive_failures;
      health_.consecutive_failures = 0;
      health_.failed = false;
      ++health_.samples;
      history_.push_back(std::move(r).value());
      if (history_.size() >= 2 * options_.capacity) {
        history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(options_.capacity));
      }
    } else {
      error = r.status().with_context("power sampler");  // the meter's message names the meter
      ++health_.read_errors;
      streak = ++health_.consecutive_failures;
      health_.failed = options_.max_consecutive_failures > 0 && streak >= options_.max_consecutive_failures;
      health_.last_error = error;
      health_.last_error_time_ns = clock_.now_ns();
    }
  }
  // Logged outside the locks; one line per streak edge, not per failed read,
  // so a dead sensor read ten times a second does not flood the log.
  if (recovered) {
    spdlog::info("power sampler: {} read again after {} failed reads", meter_info_.name, streak);
  } else if (!error.is_ok() && streak == options_.max_consecutive_failures) {
    spdlog::error("{}; {} failed reads in a row, sampler marked failed", error.to_string(), streak);
  } else if (!error.is_ok() && streak == 1) {
    spdlog::warn("{}", error.to_string());
  }
  return error;
}

SamplerHealth PowerSampler::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  SamplerHealth h = health_;
  h.running = running_.load();
  return h;
}

std::span<const PowerReading> PowerSampler::kept() const {
  const std::size_t n = std::min(history_.size(), options_.capacity);
  return std::span<const PowerReading>(history_).subspan(history_.size() - n);
}

std::optional<PowerReading> PowerSampler::latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (history_.empty()) return std::nullopt;
  return history_.back();
}

std::vector<PowerReading> PowerSampler::readings() const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::span<const PowerReading> k = kept();
  return std::vector<PowerReading>(k.begin(), k.end());
}

// Integration runs under the lock on the history in place: a linear pass over
// at most `capacity` readings (microseconds), cheaper than copying them out.
core::Result<EnergyWindow> PowerSampler::energy_between(std::int64_t t0_ns, std::int64_t t1_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return integrate_energy(kept(), t0_ns, t1_ns, options_.integration);
}

core::Result<std::vector<RailEnergy>> PowerSampler::rail_energy_between(std::int64_t t0_ns,
                                                                        std::int64_t t1_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return integrate_rail_energy(kept(), t0_ns, t1_ns, options_.integration);
}

}  // namespace greenroute::power
