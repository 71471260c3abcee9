#include "greenroute/power/energy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

#include "greenroute/core/rng.h"

namespace greenroute::power {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::int64_t at_s(double s) { return static_cast<std::int64_t>(std::llround(s * 1e9)); }
double to_s(std::int64_t ns) { return static_cast<double>(ns) * 1e-9; }

// A synthetic power trace with a known integral.
struct Trace {
  std::function<double(double)> watts;   // P(t), t in seconds
  std::function<double(double)> energy;  // integral of P from 0 to t, joules
};

Trace constant(double w) {
  return {[w](double) { return w; }, [w](double t) { return w * t; }};
}
Trace ramp(double a, double b) {  // a + b t
  return {[a, b](double t) { return a + b * t; }, [a, b](double t) { return a * t + 0.5 * b * t * t; }};
}
Trace sine(double mean, double amp, double period_s) {
  const double w = 2.0 * std::numbers::pi / period_s;
  return {[=](double t) { return mean + amp * std::sin(w * t); },
          [=](double t) { return mean * t + amp * (1.0 - std::cos(w * t)) / w; }};
}
Trace step(double before, double after, double at) {
  return {[=](double t) { return t < at ? before : after; },
          [=](double t) { return t < at ? before * t : before * at + after * (t - at); }};
}

// Samples `trace` over [0, end_s] every interval_s, each time moved by up to
// +-jitter * interval_s (deterministic), always including both ends. A
// perfect counter rides along when `with_counter`.
std::vector<PowerReading> sample(const Trace& trace, double end_s, double interval_s, double jitter,
                                 bool with_counter, std::uint64_t seed = 7) {
  core::Rng rng(seed);
  std::vector<PowerReading> out;
  auto add = [&](double t) {
    PowerReading r;
    r.time_ns = at_s(t);
    r.watts = trace.watts(to_s(r.time_ns));
    if (with_counter) r.energy_j = trace.energy(to_s(r.time_ns));
    out.push_back(r);
  };
  add(0.0);
  for (double t = interval_s; t < end_s - 0.5 * interval_s; t += interval_s) {
    add(t + (2.0 * rng.uniform_double() - 1.0) * jitter * interval_s);
  }
  add(end_s);
  return out;
}

double relative_error(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

TEST(IntegrateEnergy, ConstantIsExactByBothMethods) {
  const Trace t = constant(42.0);
  for (bool counter : {false, true}) {
    auto readings = sample(t, 10.0, 0.1, 0.3, counter);
    auto w = integrate_energy(readings, at_s(1.234), at_s(7.777));
    ASSERT_TRUE(w.is_ok()) << w.status().to_string();
    EXPECT_EQ(w->method, counter ? IntegrationMethod::kCounter : IntegrationMethod::kTrapezoid);
    EXPECT_NEAR(w->joules, 42.0 * (7.777 - 1.234), 1e-9);
    EXPECT_NEAR(w->mean_watts, 42.0, 1e-9);
    EXPECT_NEAR(w->peak_watts, 42.0, 1e-9);
    EXPECT_DOUBLE_EQ(w->duration_s, 7.777 - 1.234);
    EXPECT_TRUE(w->covered);
    EXPECT_EQ(w->extrapolated_ns, 0);
    EXPECT_GE(w->samples_used, 60);
  }
}

TEST(IntegrateEnergy, RampIsExactWithMidSampleEdges) {
  // Power linear in time: the trapezoid rule and the interpolated edges are exact.
  const Trace t = ramp(10.0, 3.0);
  auto readings = sample(t, 5.0, 0.25, 0.4, false);
  const double a = 0.61;
  const double b = 4.13;
  auto w = integrate_energy(readings, at_s(a), at_s(b));
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_NEAR(w->joules, t.energy(b) - t.energy(a), 1e-9);
  EXPECT_NEAR(w->peak_watts, t.watts(b), 1e-9);
}

TEST(IntegrateEnergy, TrapezoidWithinHalfAPercentOfAnalytic) {
  struct Case {
    const char* name;
    Trace trace;
    double end_s;
  };
  // The step's error is confined to the interval holding it: at most 30 W x
  // 0.32 s (the longest jittered interval), under 0.35% of the window's energy.
  const std::vector<Case> cases = {
      {"sine", sine(50.0, 30.0, 10.0), 37.0},
      {"fast sine", sine(15.0, 10.0, 2.0), 9.3},
      {"step", step(20.0, 80.0, 3.02), 40.0},
      {"ramp", ramp(5.0, 7.0), 12.0},
  };
  for (const Case& c : cases) {
    for (double interval : {0.05, 0.1, 0.2}) {
      for (double jitter : {0.0, 0.3}) {
        auto readings = sample(c.trace, c.end_s, interval, jitter, false);
        // Window edges away from the sample grid on both sides.
        const double a = 0.37;
        const double b = c.end_s - 0.71;
        auto w = integrate_energy(readings, at_s(a), at_s(b));
        ASSERT_TRUE(w.is_ok()) << c.name << ": " << w.status().to_string();
        const double want = c.trace.energy(b) - c.trace.energy(a);
        EXPECT_LT(relative_error(w->joules, want), 0.005)
            << c.name << " at " << interval << " s, jitter " << jitter << ": " << w->joules << " vs "
            << want;
        EXPECT_EQ(w->method, IntegrationMethod::kTrapezoid);
      }
    }
  }
}

TEST(IntegrateEnergy, CounterIsExactAtSamplesWhateverTheShape) {
  // A counter integrates the true power between samples, so windows that
  // start and end on readings are exact even for a step between samples.
  const Trace t = step(20.0, 80.0, 3.02);
  auto readings = sample(t, 20.0, 0.1, 0.3, true);
  const std::int64_t t0 = readings[5].time_ns;
  const std::int64_t t1 = readings[150].time_ns;
  auto w = integrate_energy(readings, t0, t1);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(w->joules, t.energy(to_s(t1)) - t.energy(to_s(t0)), 1e-9);
  EXPECT_EQ(w->samples_used, 146);
}

TEST(IntegrateEnergy, CounterInterpolatesMidSampleEdges) {
  // A counter-only meter: 10 W, then 20 W, then 30 W per second; the first
  // reading has no watts yet.
  std::vector<PowerReading> r(4);
  const double energies[] = {0.0, 10.0, 30.0, 60.0};
  for (int i = 0; i < 4; ++i) {
    r[i].time_ns = i * kSecond;
    r[i].energy_j = energies[i];
    r[i].watts = i == 0 ? kNan : energies[i] - energies[i - 1];
  }
  auto w = integrate_energy(r, 500 * kMs, 2250 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kCounter);
  // E(0.5 s) = 5 J, E(2.25 s) = 30 + 0.25 * 30 = 37.5 J.
  EXPECT_NEAR(w->joules, 32.5, 1e-12);
  EXPECT_NEAR(w->mean_watts, 32.5 / 1.75, 1e-12);
  EXPECT_NEAR(w->peak_watts, 30.0, 1e-12);
  EXPECT_EQ(w->samples_used, 4);

  // Inside one interval: that interval's average power.
  auto inner = integrate_energy(r, 1200 * kMs, 1700 * kMs);
  ASSERT_TRUE(inner.is_ok());
  EXPECT_NEAR(inner->joules, 10.0, 1e-12);
  EXPECT_EQ(inner->samples_used, 2);

  // The trapezoid on the same readings skips the NaN and cannot reach 0.5 s.
  IntegrationOptions trap;
  trap.method = IntegrationMethod::kTrapezoid;
  auto no = integrate_energy(r, 500 * kMs, 2250 * kMs, trap);
  ASSERT_FALSE(no.is_ok());
  EXPECT_EQ(no.status().code(), core::StatusCode::kNotFound);
  auto yes = integrate_energy(r, 1500 * kMs, 3000 * kMs, trap);
  ASSERT_TRUE(yes.is_ok()) << yes.status().to_string();
  EXPECT_EQ(yes->method, IntegrationMethod::kTrapezoid);
  EXPECT_NEAR(yes->joules, 0.5 * (15.0 + 20.0) * 0.5 + 0.5 * (20.0 + 30.0), 1e-12);
}

TEST(IntegrateEnergy, CounterSkipsReadingsWithoutIt) {
  // hwmon leaves energy_j unset when a rail failed that read; the counter is
  // cumulative, so the next reading still carries everything.
  auto readings = sample(constant(12.0), 4.0, 0.5, 0.0, true);
  readings[3].energy_j.reset();
  readings[4].energy_j.reset();
  auto w = integrate_energy(readings, at_s(0.2), at_s(3.3));
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(w->joules, 12.0 * 3.1, 1e-9);
  EXPECT_EQ(w->samples_used, 6);  // 0, 0.5, 1.0, 2.5, 3.0, 3.5 s
}

std::vector<PowerReading> counter_with_reset() {
  // 10 W throughout; the counter restarts from 0 between 2 s and 3 s.
  std::vector<PowerReading> r(6);
  const double energies[] = {0.0, 10.0, 20.0, 4.0, 14.0, 24.0};
  for (int i = 0; i < 6; ++i) {
    r[i].time_ns = i * kSecond;
    r[i].energy_j = energies[i];
    r[i].watts = 10.0;
  }
  return r;
}

TEST(IntegrateEnergy, CounterResetFallsBackToWatts) {
  auto r = counter_with_reset();
  auto w = integrate_energy(r, 500 * kMs, 4500 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kTrapezoid);
  EXPECT_TRUE(w->counter_reset);
  EXPECT_NEAR(w->joules, 40.0, 1e-12);

  // Windows that do not touch the reset interval keep the counter.
  auto before = integrate_energy(r, 0, 2 * kSecond);
  ASSERT_TRUE(before.is_ok());
  EXPECT_EQ(before->method, IntegrationMethod::kCounter);
  EXPECT_FALSE(before->counter_reset);
  EXPECT_NEAR(before->joules, 20.0, 1e-12);
  auto after = integrate_energy(r, 3 * kSecond, 5 * kSecond);
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(after->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(after->joules, 20.0, 1e-12);

  IntegrationOptions forced;
  forced.method = IntegrationMethod::kCounter;
  auto no = integrate_energy(r, 500 * kMs, 4500 * kMs, forced);
  ASSERT_FALSE(no.is_ok());
  EXPECT_EQ(no.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(no.status().message().find("reset"), std::string::npos) << no.status().message();

  // With no watts to fall back on, the reset is the answer.
  for (PowerReading& p : r) p.watts = kNan;
  auto bare = integrate_energy(r, 500 * kMs, 4500 * kMs);
  ASSERT_FALSE(bare.is_ok());
  EXPECT_EQ(bare.status().code(), core::StatusCode::kCorrupt);
}

TEST(IntegrateEnergy, RejectsBadWindowsAndSeries) {
  auto readings = sample(constant(5.0), 3.0, 1.0, 0.0, false);
  EXPECT_EQ(integrate_energy(readings, kSecond, kSecond).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(integrate_energy(readings, 2 * kSecond, kSecond).status().code(),
            core::StatusCode::kInvalidArgument);
  IntegrationOptions negative;
  negative.max_extrapolate_ns = -1;
  EXPECT_EQ(integrate_energy(readings, 0, kSecond, negative).status().code(),
            core::StatusCode::kInvalidArgument);

  EXPECT_EQ(integrate_energy({}, 0, kSecond).status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(integrate_energy(std::span(readings).first(1), 0, kSecond).status().code(),
            core::StatusCode::kUnavailable);

  auto unsorted = readings;
  std::swap(unsorted[1].time_ns, unsorted[2].time_ns);
  auto u = integrate_energy(unsorted, 0, kSecond);
  ASSERT_FALSE(u.is_ok());
  EXPECT_EQ(u.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(u.status().message().find("out of time order"), std::string::npos) << u.status().message();

  // Every reading NaN: nothing to integrate.
  for (PowerReading& p : readings) p.watts = kNan;
  EXPECT_EQ(integrate_energy(readings, 0, kSecond).status().code(), core::StatusCode::kUnavailable);
}

TEST(IntegrateEnergy, DuplicateTimestampsKeepTheFirstReading) {
  std::vector<PowerReading> r(4);
  r[0].time_ns = 0;
  r[0].watts = 10.0;
  r[1].time_ns = kSecond;
  r[1].watts = 10.0;
  r[2].time_ns = kSecond;  // same time, different value: skipped
  r[2].watts = 1000.0;
  r[3].time_ns = 2 * kSecond;
  r[3].watts = 10.0;
  auto w = integrate_energy(r, 0, 2 * kSecond);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_NEAR(w->joules, 20.0, 1e-12);
  EXPECT_NEAR(w->peak_watts, 10.0, 1e-12);
  EXPECT_EQ(w->samples_used, 3);
}

TEST(IntegrateEnergy, WindowOutsideTheDataIsRefusedByDefault) {
  std::vector<PowerReading> r(3);
  for (int i = 0; i < 3; ++i) {
    r[i].time_ns = (10 + i) * kSecond;
    r[i].watts = 8.0 + i;  // 8, 9, 10 W
  }
  auto early = integrate_energy(r, 9 * kSecond, 11 * kSecond);
  ASSERT_FALSE(early.is_ok());
  EXPECT_EQ(early.status().code(), core::StatusCode::kNotFound);
  auto late = integrate_energy(r, 11 * kSecond, 12 * kSecond + 50 * kMs);
  ASSERT_FALSE(late.is_ok());
  EXPECT_EQ(late.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(late.status().message().find("next sample"), std::string::npos) << late.status().message();
  auto beyond = integrate_energy(r, 20 * kSecond, 21 * kSecond);
  EXPECT_EQ(beyond.status().code(), core::StatusCode::kUnavailable);
  auto exact = integrate_energy(r, 10 * kSecond, 12 * kSecond);
  ASSERT_TRUE(exact.is_ok());
  EXPECT_TRUE(exact->covered);
  EXPECT_NEAR(exact->joules, 18.0, 1e-12);
}

TEST(IntegrateEnergy, ExtrapolationHoldsEdgePowerWithinTheLimit) {
  std::vector<PowerReading> r(3);
  for (int i = 0; i < 3; ++i) {
    r[i].time_ns = (10 + i) * kSecond;
    r[i].watts = 8.0 + i;
  }
  IntegrationOptions opt;
  opt.max_extrapolate_ns = 100 * kMs;
  auto w = integrate_energy(r, 10 * kSecond - 100 * kMs, 12 * kSecond + 50 * kMs, opt);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_FALSE(w->covered);
  EXPECT_EQ(w->extrapolated_ns, 150 * kMs);
  EXPECT_NEAR(w->joules, 0.1 * 8.0 + 18.0 + 0.05 * 10.0, 1e-12);
  EXPECT_EQ(w->samples_used, 3);

  // Entirely after the newest reading but within the limit.
  auto tail = integrate_energy(r, 12 * kSecond + 20 * kMs, 12 * kSecond + 70 * kMs, opt);
  ASSERT_TRUE(tail.is_ok()) << tail.status().to_string();
  EXPECT_NEAR(tail->joules, 0.05 * 10.0, 1e-12);
  EXPECT_EQ(tail->extrapolated_ns, 50 * kMs);
  EXPECT_EQ(tail->samples_used, 1);

  // A counter holds its edge interval's average power.
  std::vector<PowerReading> c(2);
  c[0].time_ns = 0;
  c[0].energy_j = 100.0;
  c[0].watts = kNan;
  c[1].time_ns = kSecond;
  c[1].energy_j = 104.0;
  c[1].watts = 4.0;
  auto held = integrate_energy(c, 0, kSecond + 100 * kMs, opt);
  ASSERT_TRUE(held.is_ok()) << held.status().to_string();
  EXPECT_EQ(held->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(held->joules, 4.4, 1e-12);

  // Past the limit: refused again.
  auto far = integrate_energy(r, 12 * kSecond, 12 * kSecond + 101 * kMs, opt);
  EXPECT_EQ(far.status().code(), core::StatusCode::kUnavailable);
}

TEST(IntegrateRailEnergy, IntegratesEachRailOnItsOwn) {
  std::vector<PowerReading> r(5);
  for (int i = 0; i < 5; ++i) {
    r[i].time_ns = i * kSecond;
    RailReading gpu{"gpu", 30.0, std::nullopt};
    RailReading cpu{"cpu", i == 0 ? kNan : 5.0, 5.0 * i};
    r[i].rails = {gpu, cpu};
    if (i >= 3) r[i].rails.push_back(RailReading{"late", 1.0, std::nullopt});
  }
  r[2].rails.erase(r[2].rails.begin());  // gpu left out of one reading
  auto rails = integrate_rail_energy(r, 500 * kMs, 3500 * kMs);
  ASSERT_TRUE(rails.is_ok()) << rails.status().to_string();
  ASSERT_EQ(rails->size(), 3u);
  EXPECT_EQ((*rails)[0].name, "gpu");
  ASSERT_TRUE((*rails)[0].status.is_ok()) << (*rails)[0].status.to_string();
  EXPECT_NEAR((*rails)[0].window.joules, 90.0, 1e-12);
  EXPECT_EQ((*rails)[0].window.method, IntegrationMethod::kTrapezoid);
  EXPECT_EQ((*rails)[1].name, "cpu");
  ASSERT_TRUE((*rails)[1].status.is_ok());
  EXPECT_EQ((*rails)[1].window.method, IntegrationMethod::kCounter);
  EXPECT_NEAR((*rails)[1].window.joules, 15.0, 1e-12);
  EXPECT_EQ((*rails)[2].name, "late");
  EXPECT_EQ((*rails)[2].status.code(), core::StatusCode::kNotFound);
  EXPECT_NE((*rails)[2].status.message().find("rail late"), std::string::npos);

  EXPECT_FALSE(integrate_rail_energy(r, kSecond, 0).is_ok());
}

TEST(IntegrationMethodName, NamesEveryMethod) {
  EXPECT_EQ(integration_method_name(IntegrationMethod::kAuto), "auto");
  EXPECT_EQ(integration_method_name(IntegrationMethod::kCounter), "counter");
  EXPECT_EQ(integration_method_name(IntegrationMethod::kTrapezoid), "trapezoid");
}

TEST(IntegrateEnergy, CounterPeakComesFromTheMetersOwnWatts) {
  // NVML-like: steady 300 W board power, but the counter is updated in
  // bursts, so 50 ms interval averages swing between 0 and 600 W. Energy
  // comes from the counter; the peak from the reported power.
  std::vector<PowerReading> r(21);
  for (int i = 0; i < 21; ++i) {
    r[i].time_ns = i * 50 * kMs;
    r[i].watts = 300.0;
    r[i].energy_j = 30.0 * (i / 2);  // +30 J every second reading
  }
  auto w = integrate_energy(r, 0, 1000 * kMs);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->method, IntegrationMethod::kCounter);
  EXPECT_NEAR(w->joules, 300.0, 1e-9);
  EXPECT_NEAR(w->peak_watts, 300.0, 1e-9) << "not the 600 W burst interval";
}

}  // namespace
}  // namespace greenroute::power
