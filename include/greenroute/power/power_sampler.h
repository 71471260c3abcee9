// PowerSampler: owns one PowerMeter and reads it on a background thread at a
// fixed interval, keeping a bounded history of readings for energy queries.
//
// Time: readings carry the meter's timestamps (the injected core::Clock), and
// energy_between() works in that time base. Pacing needs a real wait, which a
// ManualClock cannot provide, so the thread sleeps on std::chrono::steady_clock
// between samples. Tests drive sample_once() by hand instead of starting the
// thread, which keeps them deterministic.
//
// Failures: a failed read never stops the thread. It is counted, the last
// error and its time are kept, and sampling goes on at the same interval (a
// sensor may come back, e.g. after a driver reload). After
// max_consecutive_failures failures in a row health().failed is set, and it
// clears on the next successful read, so a caller routing on measured energy
// can tell a dead meter from a hiccup. A reading whose time_ns is older than
// the newest kept one is refused as a read error (kCorrupt), so the history is
// always in time order.
//
// History: the newest `capacity` successful readings (capacity * interval of
// time, 10 minutes by default). Windows older than that are kNotFound.
//
// Thread contract: thread-safe. start()/stop() may be called from any thread
// (not from inside the meter). Queries take a short lock on the history and
// never wait for a sensor read in progress; the meter itself is only ever
// touched under its own lock, by the thread or by sample_once().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/power/energy.h"
#include "greenroute/power/power_meter.h"

namespace greenroute::power {

struct SamplerOptions {
  std::int64_t interval_ns = 100'000'000;  // 100 ms; > 0
  std::size_t capacity = 6000;             // readings kept; >= 2
  // Failures in a row before health().failed is set; 0 never sets it.
  int max_consecutive_failures = 10;
  // Used by energy_between(). A node agent may allow one interval of
  // extrapolation to answer right after a batch instead of waiting a sample.
  IntegrationOptions integration;
};

struct SamplerHealth {
  bool running = false;
  bool failed = false;  // consecutive_failures >= max_consecutive_failures (> 0)
  std::uint64_t samples = 0;      // successful reads since creation
  std::uint64_t read_errors = 0;  // failed reads since creation
  int consecutive_failures = 0;
  core::Status last_error;           // ok when no read has ever failed
  std::int64_t last_error_time_ns = 0;  // core::Clock time of last_error
};

class PowerSampler {
 public:
  // kInvalidArgument for a null meter or out-of-range options. The thread is
  // not started: call start().
  static core::Result<std::unique_ptr<PowerSampler>> create(std::unique_ptr<PowerMeter> meter,
                                                            const core::Clock& clock,
                                                            const SamplerOptions& options = {});
  ~PowerSampler();  // stops the thread
  PowerSampler(const PowerSampler&) = delete;
  PowerSampler& operator=(const PowerSampler&) = delete;

  // Starts the thread, which samples at once and then every interval_ns.
  // Idempotent: a no-op when already running. Restartable after stop().
  void start();
  // Asks the thread to finish and joins it; returns within one sensor read.
  // Idempotent: a no-op when not running.
  void stop();

  // Reads the meter once now and records the result, as the thread does.
  // Returns the read's status (also recorded in health()).
  core::Status sample_once();

  const MeterInfo& meter_info() const { return meter_info_; }
  const SamplerOptions& options() const { return options_; }
  SamplerHealth health() const;
  std::optional<PowerReading> latest() const;
  // The kept history, oldest first (a copy).
  std::vector<PowerReading> readings() const;

  // integrate_energy() / integrate_rail_energy() over the kept history with
  // options().integration; see energy.h for the methods and every error.
  core::Result<EnergyWindow> energy_between(std::int64_t t0_ns, std::int64_t t1_ns) const;
  core::Result<std::vector<RailEnergy>> rail_energy_between(std::int64_t t0_ns, std::int64_t t1_ns) const;

 private:
  PowerSampler(std::unique_ptr<PowerMeter> meter, const core::Clock& clock, const SamplerOptions& options);
  void run();
  // The kept readings; requires mu_.
  std::span<const PowerReading> kept() const;

  const core::Clock& clock_;
  const SamplerOptions options_;
  const MeterInfo meter_info_;  // a copy, so info never touches the meter

  // Held for the duration of a sensor read, apart from mu_ so queries never
  // wait on a slow sysfs or driver call. Lock order: meter_mu_, then mu_.
  std::mutex meter_mu_;
  std::unique_ptr<PowerMeter> meter_;  // guarded by meter_mu_

  mutable std::mutex mu_;
  // The newest options_.capacity entries are the history. It grows to twice
  // that before the oldest half is dropped in one move, which keeps it
  // contiguous (integrate_energy takes a span) at O(1) amortised per sample.
  std::vector<PowerReading> history_;  // guarded by mu_
  SamplerHealth health_;               // guarded by mu_ (except `running`, from running_)

  // The thread's lifecycle. start()/stop() hold lifecycle_mu_ throughout, so
  // concurrent calls serialise; stop_requested_ and the wake-up use run_mu_.
  std::mutex lifecycle_mu_;
  std::thread thread_;  // guarded by lifecycle_mu_
  std::mutex run_mu_;
  std::condition_variable wake_;
  bool stop_requested_ = false;  // guarded by run_mu_
  std::atomic<bool> running_{false};  // read by health() without lifecycle_mu_, which a join holds
};

}  // namespace greenroute::power
