#include "greenroute/power/energy.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <optional>

namespace greenroute::power {
namespace {

constexpr double kSecondsPerNs = 1e-9;

// One point of a series: a reading's total, or one of its rails.
struct Sample {
  std::int64_t t_ns = 0;
  double watts = 0.0;
  std::optional<double> energy_j;
};

// A usable sample and its position among the usable samples, so the samples
// that contributed (always a contiguous run of them) can be counted.
struct Point {
  Sample s;
  int ord = 0;
};

bool usable(IntegrationMethod method, const Sample& s) {
  if (method == IntegrationMethod::kCounter) return s.energy_j.has_value() && std::isfinite(*s.energy_j);
  return std::isfinite(s.watts);
}

// Power at time t between usable samples a and b (a.t_ns < b.t_ns): the
// counter's interval average, or watts linear from a to b. Both are linear in
// t, so the energy over [x, y] is exactly (p(x) + p(y)) / 2 * (y - x).
double power_at(IntegrationMethod method, const Sample& a, const Sample& b, std::int64_t t) {
  const auto span_ns = static_cast<double>(b.t_ns - a.t_ns);
  if (method == IntegrationMethod::kCounter) return (*b.energy_j - *a.energy_j) / (span_ns * kSecondsPerNs);
  return a.watts + (b.watts - a.watts) * (static_cast<double>(t - a.t_ns) / span_ns);
}

double ms(std::int64_t ns) { return static_cast<double>(ns) * 1e-6; }

// kCorrupt is reserved for this error: integrate_series() reads it as "the
// counter reset" when deciding to fall back.
core::Status counter_reset(const Sample& a, const Sample& b) {
  return core::corrupt(fmt::format("energy counter decreased from {} J at {} ns to {} J at {} ns (a reset)",
                                   *a.energy_j, a.t_ns, *b.energy_j, b.t_ns));
}

// Integrates one series over [t0, t1] with a fixed method (not kAuto).
// at(i, &s) fills sample i and returns false when the series has none there.
template <typename At>
core::Result<EnergyWindow> integrate_fixed(std::size_t n, const At& at, std::int64_t t0, std::int64_t t1,
                                           const IntegrationOptions& options, IntegrationMethod method) {
  const bool counter = method == IntegrationMethod::kCounter;
  const char* what = counter ? "an energy counter" : "finite watts";
  EnergyWindow w;
  w.t0_ns = t0;
  w.t1_ns = t1;
  w.method = method;
  w.duration_s = static_cast<double>(t1 - t0) * kSecondsPerNs;
  double peak = -std::numeric_limits<double>::infinity();
  // The meter's own power readings over the window. For the counter method
  // they make the better peak: a counter that the hardware updates at its own
  // pace (NVML's, every few tens of ms) gives interval averages that swing
  // far above the true power when read faster than it updates (seen on an
  // H100: 1020 W "intervals" under a 700 W limit, board power at most 528 W).
  double reported_peak = -std::numeric_limits<double>::infinity();
  int lo_ord = INT_MAX;
  int hi_ord = -1;
  auto contributed = [&](const Point& p) {
    lo_ord = std::min(lo_ord, p.ord);
    hi_ord = std::max(hi_ord, p.ord);
  };

  Point first;
  Point second;
  Point before_last;
  Point last;
  int count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Sample s;
    if (!at(i, &s) || !usable(method, s)) continue;
    if (count > 0 && s.t_ns == last.s.t_ns) continue;  // no interval: the first one counts
    const Point p{s, count};
    if (count > 0) {
      const Sample& a = last.s;
      const std::int64_t x = std::max(a.t_ns, t0);
      const std::int64_t y = std::min(s.t_ns, t1);
      if (x < y) {
        if (counter && *s.energy_j < *a.energy_j) return counter_reset(a, s);
        const double px = power_at(method, a, s, x);
        const double py = power_at(method, a, s, y);
        w.joules += 0.5 * (px + py) * static_cast<double>(y - x) * kSecondsPerNs;
        peak = std::max({peak, px, py});
        // A reading's watts describe the interval it closes, which overlaps the window here.
        if (counter && std::isfinite(s.watts)) reported_peak = std::max(reported_peak, s.watts);
        contributed(last);
        contributed(p);
      }
    }
    if (count == 0) first = p;
    if (count == 1) second = p;
    before_last = last;
    last = p;
    ++count;
  }
  if (count < 2) {
    return core::unavailable(
        fmt::format("need two readings with {} at distinct times to integrate, have {}", what, count));
  }

  // Parts of the window outside the data: refused beyond max_extrapolate_ns,
  // else filled with the edge interval's power held constant.
  if (first.s.t_ns - t0 > options.max_extrapolate_ns) {
    return core::not_found(fmt::format("energy window starts {:.3f} ms before the oldest reading with {}",
                                       ms(first.s.t_ns - t0), what));
  }
  if (t1 - last.s.t_ns > options.max_extrapolate_ns) {
    return core::unavailable(fmt::format(
        "energy window ends {:.3f} ms after the newest reading with {}; ask again after the next sample",
        ms(t1 - last.s.t_ns), what));
  }
  auto hold = [&](const Point& edge, const Point& inner, std::int64_t len_ns) -> core::Status {
    const Sample& a = edge.ord < inner.ord ? edge.s : inner.s;
    const Sample& b = edge.ord < inner.ord ? inner.s : edge.s;
    if (counter && *b.energy_j < *a.energy_j) return counter_reset(a, b);
    const double p = counter ? power_at(method, a, b, a.t_ns) : edge.s.watts;
    w.joules += p * static_cast<double>(len_ns) * kSecondsPerNs;
    w.extrapolated_ns += len_ns;
    peak = std::max(peak, p);
    contributed(edge);
    if (counter) contributed(inner);
    return core::Status::ok();
  };
  if (first.s.t_ns > t0) GR_RETURN_IF_ERROR(hold(first, second, std::min(first.s.t_ns, t1) - t0));
  if (last.s.t_ns < t1) GR_RETURN_IF_ERROR(hold(last, before_last, t1 - std::max(last.s.t_ns, t0)));

  w.covered = w.extrapolated_ns == 0;
  w.mean_watts = w.joules / w.duration_s;
  w.peak_watts = counter && std::isfinite(reported_peak) ? reported_peak : peak;
  w.samples_used = hi_ord - lo_ord + 1;
  return w;
}

template <typename At>
core::Result<EnergyWindow> integrate_series(std::size_t n, const At& at, std::int64_t t0, std::int64_t t1,
                                            const IntegrationOptions& options) {
  if (options.method != IntegrationMethod::kAuto) {
    return integrate_fixed(n, at, t0, t1, options, options.method);
  }
  bool any_counter = false;
  for (std::size_t i = 0; i < n && !any_counter; ++i) {
    Sample s;
    any_counter = at(i, &s) && usable(IntegrationMethod::kCounter, s);
  }
  if (!any_counter) return integrate_fixed(n, at, t0, t1, options, IntegrationMethod::kTrapezoid);
  auto by_counter = integrate_fixed(n, at, t0, t1, options, IntegrationMethod::kCounter);
  if (by_counter.is_ok()) return by_counter;
  // The counter cannot serve this window (a reset, or readings lacking the
  // counter at its edges): the watts may still do.
  auto by_watts = integrate_fixed(n, at, t0, t1, options, IntegrationMethod::kTrapezoid);
  if (!by_watts.is_ok()) return by_counter.status();
  by_watts->counter_reset = by_counter.status().code() == core::StatusCode::kCorrupt;
  return by_watts;
}

core::Status check_series(std::span<const PowerReading> readings, std::int64_t t0, std::int64_t t1,
                          const IntegrationOptions& options) {
  if (t1 <= t0) {
    return core::invalid_argument(fmt::format("energy window [{}, {}] ns is empty or reversed", t0, t1));
  }
  if (options.max_extrapolate_ns < 0) {
    return core::invalid_argument(
        fmt::format("max_extrapolate_ns must be >= 0, got {}", options.max_extrapolate_ns));
  }
  if (readings.empty()) return core::unavailable("no power readings to integrate");
  for (std::size_t i = 1; i < readings.size(); ++i) {
    if (readings[i].time_ns < readings[i - 1].time_ns) {
      return core::invalid_argument(
          fmt::format("power readings out of time order: reading {} at {} ns follows {} ns", i,
                      readings[i].time_ns, readings[i - 1].time_ns));
    }
  }
  return core::Status::ok();
}

}  // namespace

std::string_view integration_method_name(IntegrationMethod method) {
  switch (method) {
    case IntegrationMethod::kAuto: return "auto";
    case IntegrationMethod::kCounter: return "counter";
    case IntegrationMethod::kTrapezoid: return "trapezoid";
  }
  return "unknown";
}

core::Result<EnergyWindow> integrate_energy(std::span<const PowerReading> readings, std::int64_t t0_ns,
                                            std::int64_t t1_ns, const IntegrationOptions& options) {
  GR_RETURN_IF_ERROR(check_series(readings, t0_ns, t1_ns, options));
  auto total = [&](std::size_t i, Sample* s) {
    s->t_ns = readings[i].time_ns;
    s->watts = readings[i].watts;
    s->energy_j = readings[i].energy_j;
    return true;
  };
  return integrate_series(readings.size(), total, t0_ns, t1_ns, options);
}

core::Result<std::vector<RailEnergy>> integrate_rail_energy(std::span<const PowerReading> readings,
                                                            std::int64_t t0_ns, std::int64_t t1_ns,
                                                            const IntegrationOptions& options) {
  GR_RETURN_IF_ERROR(check_series(readings, t0_ns, t1_ns, options));
  std::vector<std::string> names;
  for (const PowerReading& r : readings) {
    for (const RailReading& rail : r.rails) {
      if (std::find(names.begin(), names.end(), rail.name) == names.end()) names.push_back(rail.name);
    }
  }
  std::vector<RailEnergy> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    auto rail_at = [&](std::size_t i, Sample* s) {
      for (const RailReading& rail : readings[i].rails) {
        if (rail.name != name) continue;
        s->t_ns = readings[i].time_ns;
        s->watts = rail.watts;
        s->energy_j = rail.energy_j;
        return true;
      }
      return false;
    };
    RailEnergy e;
    e.name = name;
    auto w = integrate_series(readings.size(), rail_at, t0_ns, t1_ns, options);
    if (w.is_ok()) {
      e.window = *w;
    } else {
      e.status = w.status().with_context("rail " + name);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace greenroute::power
