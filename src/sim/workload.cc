#include "greenroute/sim/workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "greenroute/routing/policy.h"

namespace greenroute::sim {
namespace {

core::Status bad(const std::string& field, const std::string& rule, double is) {
  std::ostringstream os;
  os << "workload." << field << ": must be " << rule << " (is " << is << ")";
  return core::invalid_argument(os.str());
}

bool finite(double x) { return std::isfinite(x); }

core::Status validate_length(const LengthSpec& s, const std::string& name) {
  if (s.kind == LengthKind::kList) {
    if (s.values.empty()) return core::invalid_argument("workload." + name + ".values: must not be empty");
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (s.values[i] < 1) return bad(name + ".values[" + std::to_string(i) + "]", ">= 1", s.values[i]);
    }
    return core::Status::ok();
  }
  if (!finite(s.mean) || s.mean <= 0) return bad(name + ".mean", "> 0", s.mean);
  if (!finite(s.sigma) || s.sigma < 0) return bad(name + ".sigma", ">= 0", s.sigma);
  if (s.min < 1) return bad(name + ".min", ">= 1", s.min);
  if (s.max < s.min) return bad(name + ".max", ">= min", s.max);
  return core::Status::ok();
}

}  // namespace

core::Status validate_workload(const WorkloadConfig& c) {
  if (!finite(c.duration_s) || c.duration_s <= 0) return bad("duration_s", "> 0", c.duration_s);
  if (c.arrival == ArrivalKind::kPoisson || c.arrival == ArrivalKind::kDiurnal) {
    if (!finite(c.rate) || c.rate <= 0) return bad("rate", "> 0", c.rate);
  }
  if (c.arrival == ArrivalKind::kBursty) {
    if (!finite(c.on_rate) || c.on_rate <= 0) return bad("on_rate", "> 0", c.on_rate);
    if (!finite(c.off_rate) || c.off_rate < 0) return bad("off_rate", ">= 0", c.off_rate);
    if (!finite(c.on_mean_s) || c.on_mean_s <= 0) return bad("on_mean_s", "> 0", c.on_mean_s);
    if (!finite(c.off_mean_s) || c.off_mean_s <= 0) return bad("off_mean_s", "> 0", c.off_mean_s);
  }
  if (c.arrival == ArrivalKind::kDiurnal) {
    if (!finite(c.amplitude) || c.amplitude < 0 || c.amplitude > 1) return bad("amplitude", "in [0, 1]", c.amplitude);
    if (!finite(c.peak_hour) || c.peak_hour < 0 || c.peak_hour >= 24) return bad("peak_hour", "in [0, 24)", c.peak_hour);
  }
  GR_RETURN_IF_ERROR(validate_length(c.prompt, "prompt"));
  GR_RETURN_IF_ERROR(validate_length(c.output, "output"));
  if (!finite(c.slo_fraction) || c.slo_fraction < 0 || c.slo_fraction > 1) return bad("slo_fraction", "in [0, 1]", c.slo_fraction);
  if (c.slo_fraction > 0 && (!finite(c.slo_ms) || c.slo_ms <= 0)) return bad("slo_ms", "> 0 when slo_fraction > 0", c.slo_ms);
  if (!finite(c.override_fraction) || c.override_fraction < 0 || c.override_fraction > 1) {
    return bad("override_fraction", "in [0, 1]", c.override_fraction);
  }
  if (c.override_fraction > 0) {
    auto kind = routing::parse_policy_kind(c.override_policy);
    if (!kind.is_ok()) return core::invalid_argument("workload.override_policy: " + kind.status().message());
  }
  return core::Status::ok();
}

double draw_exponential(double mean, core::Rng& rng) {
  // 1 - u is in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - rng.uniform_double());
}

int draw_length(const LengthSpec& s, core::Rng& rng) {
  if (s.kind == LengthKind::kList) {
    auto i = static_cast<std::size_t>(rng.uniform_double() * static_cast<double>(s.values.size()));
    return s.values[std::min(i, s.values.size() - 1)];
  }
  const double mu = std::log(s.mean) - 0.5 * s.sigma * s.sigma;
  const double x = std::exp(mu + s.sigma * rng.normal());
  const double r = std::clamp(std::round(x), static_cast<double>(s.min), static_cast<double>(s.max));
  return static_cast<int>(r);
}

double diurnal_factor(const WorkloadConfig& c, double unix_s) {
  const double hour = std::fmod(unix_s / 3600.0, 24.0);
  return 1.0 + c.amplitude * std::cos(2.0 * std::numbers::pi * (hour - c.peak_hour) / 24.0);
}

core::Result<std::vector<SimRequest>> generate_workload(const WorkloadConfig& c) {
  GR_RETURN_IF_ERROR(validate_workload(c));
  // Separate streams, so changing the length spec does not move arrivals.
  core::Rng arrivals(c.seed * 0x9E3779B97F4A7C15ULL + 1);
  core::Rng lengths(c.seed * 0x9E3779B97F4A7C15ULL + 2);
  core::Rng extras(c.seed * 0x9E3779B97F4A7C15ULL + 3);

  std::vector<double> times_s;
  const double end = c.duration_s;
  switch (c.arrival) {
    case ArrivalKind::kPoisson: {
      for (double t = draw_exponential(1.0 / c.rate, arrivals); t < end;
           t += draw_exponential(1.0 / c.rate, arrivals)) {
        times_s.push_back(t);
      }
      break;
    }
    case ArrivalKind::kBursty: {
      double t = 0;
      bool on = true;
      while (t < end) {
        const double period_end = std::min(end, t + draw_exponential(on ? c.on_mean_s : c.off_mean_s, arrivals));
        const double rate = on ? c.on_rate : c.off_rate;
        if (rate > 0) {
          // Memoryless: restarting the clock at each period boundary is exact.
          for (double a = t + draw_exponential(1.0 / rate, arrivals); a < period_end;
               a += draw_exponential(1.0 / rate, arrivals)) {
            times_s.push_back(a);
          }
        }
        t = period_end;
        on = !on;
      }
      break;
    }
    case ArrivalKind::kDiurnal: {
      const double peak = c.rate * (1.0 + c.amplitude);
      for (double t = draw_exponential(1.0 / peak, arrivals); t < end;
           t += draw_exponential(1.0 / peak, arrivals)) {
        const double keep = c.rate * diurnal_factor(c, static_cast<double>(c.start_unix_s) + t) / peak;
        if (arrivals.uniform_double() < keep) times_s.push_back(t);
      }
      break;
    }
  }

  std::vector<SimRequest> out;
  out.reserve(times_s.size());
  for (std::size_t i = 0; i < times_s.size(); ++i) {
    SimRequest r;
    r.id = i;
    r.arrival_us = static_cast<SimTimeUs>(std::floor(times_s[i] * static_cast<double>(kUsPerS)));
    r.prompt_tokens = draw_length(c.prompt, lengths);
    r.output_tokens = draw_length(c.output, lengths);
    if (c.slo_fraction > 0 && extras.uniform_double() < c.slo_fraction) r.slo_ms = c.slo_ms;
    if (c.override_fraction > 0 && extras.uniform_double() < c.override_fraction) r.policy = c.override_policy;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace greenroute::sim
