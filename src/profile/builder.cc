#include "greenroute/profile/builder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace greenroute::profile {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

Spread spread(const std::vector<double>& v) {
  if (v.empty()) return {};
  return Spread{median(v), *std::min_element(v.begin(), v.end()),
                *std::max_element(v.begin(), v.end())};
}

// The field over the rows, skipping values that are not finite (a run whose
// energy could not be measured records NaN; the other repeats still count).
template <typename Field>
std::vector<double> collect(const std::vector<const RunMeasurement*>& rows, Field field) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const RunMeasurement* r : rows) {
    const double v = field(*r);
    if (std::isfinite(v)) out.push_back(v);
  }
  return out;
}

// B of a row: the prompts that ran (fewer than batch_size when the prompt
// set ran out).
double batch_of(const RunMeasurement& r) {
  return r.prompts > 0 ? r.prompts : r.batch_size;
}

template <typename Y>
std::vector<FitPoint> points_of(const std::vector<RunMeasurement>& rows, Y y) {
  std::vector<FitPoint> out;
  for (const RunMeasurement& r : rows) {
    // Saturated rows measured nothing; a NaN cost is a run whose meter failed.
    if (r.saturated || !std::isfinite(y(r))) continue;
    out.push_back(FitPoint{batch_of(r), r.mean_prompt_tokens, r.mean_output_tokens, y(r)});
  }
  return out;
}

}  // namespace

std::vector<SweepPoint> summarize_sweep(const std::vector<RunMeasurement>& rows) {
  std::map<std::pair<int, int>, std::vector<const RunMeasurement*>> groups;
  for (const RunMeasurement& r : rows) groups[{r.batch_size, r.max_tokens}].push_back(&r);
  std::vector<SweepPoint> out;
  for (const auto& [key, group] : groups) {
    SweepPoint p;
    p.batch_size = key.first;
    p.max_tokens = key.second;
    p.repeats = static_cast<int>(group.size());
    std::vector<const RunMeasurement*> ran;
    for (const RunMeasurement* r : group) {
      p.predicted_bytes = std::max(p.predicted_bytes, r->predicted_bytes);
      if (r->saturated) {
        if (!p.saturated) p.note = r->note;
        p.saturated = true;
      } else {
        ran.push_back(r);
      }
    }
    if (!ran.empty()) {
      p.mean_prompt_tokens =
          median(collect(ran, [](const auto& r) { return r.mean_prompt_tokens; }));
      p.mean_output_tokens =
          median(collect(ran, [](const auto& r) { return r.mean_output_tokens; }));
      p.latency_ms = spread(collect(ran, [](const auto& r) { return r.latency_ms; }));
      p.prompt_latency_ms =
          median(collect(ran, [](const auto& r) { return r.prompt_latency_ms_median; }));
      p.ttft_ms = median(collect(ran, [](const auto& r) { return r.ttft_ms_median; }));
      p.throughput_tokens_per_s =
          median(collect(ran, [](const auto& r) { return r.throughput_tokens_per_s; }));
      p.joules_per_prompt = spread(collect(ran, [](const auto& r) { return r.joules_per_prompt; }));
      p.joules_per_output_token =
          median(collect(ran, [](const auto& r) { return r.joules_per_output_token; }));
      p.mean_watts = median(collect(ran, [](const auto& r) { return r.mean_watts; }));
      p.peak_watts = median(collect(ran, [](const auto& r) { return r.peak_watts; }));
      for (const RunMeasurement* r : ran)
        p.peak_rss_bytes = std::max(p.peak_rss_bytes, r->peak_rss_bytes);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<FitPoint> latency_points(const std::vector<RunMeasurement>& rows) {
  return points_of(rows, [](const RunMeasurement& r) { return r.latency_ms; });
}

std::vector<FitPoint> energy_points(const std::vector<RunMeasurement>& rows) {
  return points_of(rows, [](const RunMeasurement& r) { return r.joules; });
}

std::vector<FitPoint> ttft_points(const std::vector<RunMeasurement>& rows) {
  return points_of(rows, [](const RunMeasurement& r) { return r.ttft_ms_median; });
}

std::optional<int> derive_max_batch_fits(const std::vector<SweepPoint>& sweep,
                                         std::uint64_t memory_bytes) {
  int max_tokens = 0;
  for (const SweepPoint& p : sweep) {
    if (p.predicted_bytes > 0) max_tokens = std::max(max_tokens, p.max_tokens);
  }
  // Least-squares line bytes = base + per_seq * B at the longest output.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const SweepPoint& p : sweep) {
    if (p.max_tokens != max_tokens || p.predicted_bytes == 0) continue;
    const double x = p.batch_size, y = static_cast<double>(p.predicted_bytes);
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double det = n * sxx - sx * sx;
  if (n >= 2 && det > 0) {
    const double per_seq = (n * sxy - sx * sy) / det;
    const double base = (sy - per_seq * sx) / n;
    const double room = static_cast<double>(memory_bytes) - base;
    if (per_seq > 0 && room >= per_seq)
      return static_cast<int>(std::min(std::floor(room / per_seq), 1e9));
  }
  std::optional<int> largest;
  for (const SweepPoint& p : sweep) {
    if (!p.saturated) largest = std::max(largest.value_or(0), p.batch_size);
  }
  return largest;
}

core::Result<DeviceProfile> build_profile(const std::vector<RunMeasurement>& rows,
                                          const ProfileInputs& in) {
  if (rows.empty()) return core::invalid_argument("no measurements to build a profile from");
  DeviceProfile p;
  p.kind = in.kind;
  p.created_at = in.created_at;
  p.greenroute_version = std::string(greenroute_version());
  p.device = in.device;
  p.model = in.model;
  p.meter = in.meter;
  p.idle_watts = in.idle_watts;
  p.embodied = in.embodied;
  p.sources = in.sources;
  p.notes = in.notes;
  p.sweep = summarize_sweep(rows);

  auto latency = fit_cost_model(latency_points(rows), FitOptions{});
  if (!latency.is_ok()) return latency.status().with_context("latency fit");
  p.latency_model = std::move(latency).value();
  auto energy = fit_cost_model(energy_points(rows), FitOptions{});
  if (!energy.is_ok()) return energy.status().with_context("energy fit");
  p.energy_model = std::move(energy).value();
  FitOptions ttft_options;
  ttft_options.terms = kTtftTerms;
  ttft_options.min_identified_slopes = 0;  // one prompt size: a constant TTFT is the measurement
  auto ttft = fit_cost_model(ttft_points(rows), ttft_options);
  if (!ttft.is_ok()) return ttft.status().with_context("ttft fit");
  p.ttft_model = std::move(ttft).value();

  auto knee = find_knee(batch_curve(p.sweep), in.knee);
  if (!knee.is_ok()) return knee.status().with_context("knee");
  p.knee_batch = knee->knee_batch;
  p.best_batch = knee->best;
  p.saturation_batch = knee->saturation_batch;
  // find_knee succeeded, so an unsaturated batch exists and the fallback holds.
  p.max_batch_fits = in.max_batch_fits
                         ? *in.max_batch_fits
                         : derive_max_batch_fits(p.sweep, p.device.memory_bytes).value_or(1);
  GR_RETURN_IF_ERROR(validate_profile(p));
  return p;
}

}  // namespace greenroute::profile
