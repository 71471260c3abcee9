#include "greenroute/power/power_sampler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace greenroute::power {
namespace {

constexpr std::int64_t kMs = 1'000'000;

// Steers a FakeMeter after the sampler has taken ownership of it. Atomics,
// because the real-thread tests change it while the sampler thread reads.
struct MeterControl {
  std::atomic<double> watts{10.0};
  std::atomic<bool> fail{false};
  std::atomic<std::int64_t> time_shift_ns{0};  // added to the clock's time
  std::atomic<int> reads{0};
};

// A scripted meter: constant `watts` with a matching energy counter and one
// rail, timestamped by the injected clock. A unit-test double of PowerMeter,
// not a model of any hardware reader.
class FakeMeter final : public PowerMeter {
 public:
  FakeMeter(const core::Clock& clock, MeterControl* control) : clock_(clock), control_(control) {
    info_.name = "fake";
    info_.sensor = "scripted";
    info_.rails = {"board"};
    last_ns_ = clock_.now_ns();
  }
  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override {
    control_->reads.fetch_add(1);
    if (control_->fail.load()) return core::unavailable("fake: sensor gone");
    PowerReading r;
    r.time_ns = clock_.now_ns() + control_->time_shift_ns.load();
    r.watts = control_->watts.load();
    energy_j_ += r.watts * static_cast<double>(r.time_ns - last_ns_) * 1e-9;
    last_ns_ = r.time_ns;
    r.energy_j = energy_j_;
    r.rails.push_back(RailReading{"board", r.watts, energy_j_});
    return r;
  }

 private:
  const core::Clock& clock_;
  MeterControl* control_;
  MeterInfo info_;
  std::int64_t last_ns_ = 0;
  double energy_j_ = 0.0;
};

std::unique_ptr<PowerSampler> make_sampler(const core::Clock& clock, MeterControl* control,
                                           const SamplerOptions& options = {}) {
  auto s = PowerSampler::create(std::make_unique<FakeMeter>(clock, control), clock, options);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

TEST(PowerSampler, CreateValidatesItsInputs) {
  core::ManualClock clock;
  MeterControl control;
  auto bad = [&](SamplerOptions o) {
    return PowerSampler::create(std::make_unique<FakeMeter>(clock, &control), clock, o).status().code();
  };
  EXPECT_EQ(PowerSampler::create(nullptr, clock).status().code(), core::StatusCode::kInvalidArgument);
  SamplerOptions o;
  o.interval_ns = 0;
  EXPECT_EQ(bad(o), core::StatusCode::kInvalidArgument);
  o = {};
  o.capacity = 1;
  EXPECT_EQ(bad(o), core::StatusCode::kInvalidArgument);
  o = {};
  o.max_consecutive_failures = -1;
  EXPECT_EQ(bad(o), core::StatusCode::kInvalidArgument);
  o = {};
  o.integration.max_extrapolate_ns = -5;
  EXPECT_EQ(bad(o), core::StatusCode::kInvalidArgument);
}

TEST(PowerSampler, SampleOnceRecordsAndIntegrates) {
  core::ManualClock clock(1000 * kMs);
  MeterControl control;
  auto sampler = make_sampler(clock, &control);
  ASSERT_NE(sampler, nullptr);
  EXPECT_EQ(sampler->meter_info().name, "fake");
  EXPECT_FALSE(sampler->latest().has_value());
  EXPECT_EQ(sampler->energy_between(0, kMs).status().code(), core::StatusCode::kUnavailable);

  for (int i = 1; i <= 10; ++i) {
    clock.advance_ns(100 * kMs);
    control.watts.store(i <= 5 ? 10.0 : 30.0);
    ASSERT_TRUE(sampler->sample_once().is_ok());
  }
  ASSERT_TRUE(sampler->latest().has_value());
  EXPECT_EQ(sampler->latest()->time_ns, 2000 * kMs);
  EXPECT_EQ(sampler->readings().size(), 10u);
  const SamplerHealth h = sampler->health();
  EXPECT_EQ(h.samples, 10u);
  EXPECT_EQ(h.read_errors, 0u);
  EXPECT_FALSE(h.running);
  EXPECT_TRUE(h.last_error.is_ok());

  // The counter: 10 W until 1.5 s, 30 W after; window [1.25 s, 1.85 s].
  auto w = sampler->energy_between(1250 * kMs, 1850 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(w->joules, 10.0 * 0.25 + 30.0 * 0.35, 1e-9);
  auto rails = sampler->rail_energy_between(1250 * kMs, 1850 * kMs);
  ASSERT_TRUE(rails.is_ok());
  ASSERT_EQ(rails->size(), 1u);
  EXPECT_NEAR((*rails)[0].window.joules, w->joules, 1e-9);

  // Right after the newest sample: refused until the next one...
  EXPECT_EQ(sampler->energy_between(1900 * kMs, 2050 * kMs).status().code(), core::StatusCode::kUnavailable);
  clock.advance_ns(100 * kMs);
  ASSERT_TRUE(sampler->sample_once().is_ok());
  auto later = sampler->energy_between(1900 * kMs, 2050 * kMs);
  ASSERT_TRUE(later.is_ok()) << later.status().to_string();
  EXPECT_NEAR(later->joules, 30.0 * 0.15, 1e-9);
}

TEST(PowerSampler, ExtrapolationIsOptIn) {
  core::ManualClock clock;
  MeterControl control;
  SamplerOptions o;
  o.integration.max_extrapolate_ns = o.interval_ns;
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);
  for (int i = 0; i < 3; ++i) {
    clock.advance_ns(100 * kMs);
    ASSERT_TRUE(sampler->sample_once().is_ok());
  }
  auto w = sampler->energy_between(150 * kMs, 350 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_FALSE(w->covered);
  EXPECT_EQ(w->extrapolated_ns, 50 * kMs);
  EXPECT_NEAR(w->joules, 2.0, 1e-9);
}

TEST(PowerSampler, HistoryIsBoundedAndStaysInOrder) {
  core::ManualClock clock;
  MeterControl control;
  SamplerOptions o;
  o.capacity = 5;
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);
  for (int i = 1; i <= 37; ++i) {  // several trims of the history
    clock.advance_ns(100 * kMs);
    ASSERT_TRUE(sampler->sample_once().is_ok());
    const auto kept = sampler->readings();
    ASSERT_EQ(kept.size(), static_cast<std::size_t>(std::min(i, 5)));
    for (std::size_t k = 0; k < kept.size(); ++k) {
      EXPECT_EQ(kept[k].time_ns, (i - static_cast<int>(kept.size()) + 1 + static_cast<int>(k)) * 100 * kMs);
    }
  }
  EXPECT_EQ(sampler->health().samples, 37u);
  // 3.3 s .. 3.7 s are kept; older windows are gone for good.
  EXPECT_EQ(sampler->energy_between(3200 * kMs, 3500 * kMs).status().code(), core::StatusCode::kNotFound);
  auto w = sampler->energy_between(3300 * kMs, 3700 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_NEAR(w->joules, 4.0, 1e-9);
}

TEST(PowerSampler, MeterFailingMidRunIsRecordedAndSurvived) {
  core::ManualClock clock;
  MeterControl control;
  SamplerOptions o;
  o.max_consecutive_failures = 3;
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);
  for (int i = 0; i < 3; ++i) {
    clock.advance_ns(100 * kMs);
    ASSERT_TRUE(sampler->sample_once().is_ok());
  }

  control.fail.store(true);
  for (int i = 1; i <= 4; ++i) {
    clock.advance_ns(100 * kMs);
    const core::Status s = sampler->sample_once();
    EXPECT_EQ(s.code(), core::StatusCode::kUnavailable);
    EXPECT_NE(s.message().find("sensor gone"), std::string::npos) << s.message();
    const SamplerHealth h = sampler->health();
    EXPECT_EQ(h.read_errors, static_cast<std::uint64_t>(i));
    EXPECT_EQ(h.consecutive_failures, i);
    EXPECT_EQ(h.failed, i >= 3) << "after " << i << " failures";
    EXPECT_EQ(h.last_error.code(), core::StatusCode::kUnavailable);
    EXPECT_EQ(h.last_error_time_ns, clock.now_ns());
  }
  EXPECT_EQ(sampler->latest()->time_ns, 300 * kMs);  // the last good reading stands
  EXPECT_EQ(sampler->health().samples, 3u);

  control.fail.store(false);
  clock.advance_ns(100 * kMs);
  ASSERT_TRUE(sampler->sample_once().is_ok());
  const SamplerHealth h = sampler->health();
  EXPECT_FALSE(h.failed);
  EXPECT_EQ(h.consecutive_failures, 0);
  EXPECT_EQ(h.read_errors, 4u);
  EXPECT_FALSE(h.last_error.is_ok());  // history of the failure is kept
  // The counter spans the gap: 10 W over 100 ms .. 800 ms.
  auto w = sampler->energy_between(100 * kMs, 800 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_NEAR(w->joules, 7.0, 1e-9);
}

TEST(PowerSampler, ZeroFailureLimitNeverMarksFailed) {
  core::ManualClock clock;
  MeterControl control;
  SamplerOptions o;
  o.max_consecutive_failures = 0;
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);
  control.fail.store(true);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(sampler->sample_once().is_ok());
  EXPECT_FALSE(sampler->health().failed);
  EXPECT_EQ(sampler->health().consecutive_failures, 50);
}

TEST(PowerSampler, RefusesAReadingOlderThanTheNewest) {
  core::ManualClock clock;
  MeterControl control;
  auto sampler = make_sampler(clock, &control);
  ASSERT_NE(sampler, nullptr);
  clock.advance_ns(100 * kMs);
  ASSERT_TRUE(sampler->sample_once().is_ok());
  control.time_shift_ns.store(-50 * kMs);
  clock.advance_ns(10 * kMs);
  const core::Status s = sampler->sample_once();
  EXPECT_EQ(s.code(), core::StatusCode::kCorrupt);
  EXPECT_EQ(sampler->readings().size(), 1u);
  EXPECT_EQ(sampler->health().read_errors, 1u);
  // An unchanged time is accepted (integration skips the duplicate).
  control.time_shift_ns.store(-10 * kMs);
  EXPECT_TRUE(sampler->sample_once().is_ok());
  EXPECT_EQ(sampler->readings().size(), 2u);
}

// Polls `done` for up to a minute. Only a guard against hanging: the tests
// below assert on what happened, never on how long it took.
template <typename Pred>
bool eventually(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

TEST(PowerSamplerThread, CollectsSamplesAndStopsCleanly) {
  core::SteadyClock clock;
  MeterControl control;
  SamplerOptions o;
  o.interval_ns = kMs;
  o.capacity = 1'000'000;  // nothing is trimmed between two reader calls below
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);

  sampler->start();
  sampler->start();  // idempotent
  EXPECT_TRUE(sampler->health().running);
  ASSERT_TRUE(eventually([&] { return sampler->health().samples >= 5; }));
  // Readers on this thread while the sampler thread writes.
  for (int i = 0; i < 100; ++i) {
    auto latest = sampler->latest();
    ASSERT_TRUE(latest.has_value());
    const auto kept = sampler->readings();
    ASSERT_GE(kept.size(), 2u);
    auto w = sampler->energy_between(kept.front().time_ns, kept.back().time_ns);
    ASSERT_TRUE(w.is_ok()) << w.status().to_string();
    EXPECT_NEAR(w->mean_watts, 10.0, 1e-6);
  }
  sampler->stop();
  sampler->stop();  // idempotent
  EXPECT_FALSE(sampler->health().running);
  const int reads = control.reads.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(control.reads.load(), reads) << "the thread kept reading after stop()";

  // Restartable, and a failing meter does not stop the thread.
  control.fail.store(true);
  sampler->start();
  ASSERT_TRUE(eventually([&] { return sampler->health().read_errors >= 3; }));
  EXPECT_TRUE(sampler->health().running);
  const std::uint64_t before = sampler->health().samples;
  control.fail.store(false);
  ASSERT_TRUE(eventually([&] { return sampler->health().samples > before; }));
  sampler->stop();
  EXPECT_FALSE(sampler->health().running);
}

TEST(PowerSamplerThread, DestructorStopsARunningSampler) {
  core::SteadyClock clock;
  MeterControl control;
  SamplerOptions o;
  o.interval_ns = 10'000 * kMs;  // asleep in its wait when destroyed
  auto sampler = make_sampler(clock, &control, o);
  ASSERT_NE(sampler, nullptr);
  sampler->start();
  ASSERT_TRUE(eventually([&] { return control.reads.load() >= 1; }));
  sampler.reset();  // must wake the wait and join, not sleep out the interval
  SUCCEED();
}

}  // namespace
}  // namespace greenroute::power
