#include "greenroute/profile/knee.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace greenroute::profile {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Energy saved per doubling of the batch from (b, e_b) to (c, e_c).
double saving_per_doubling(int b, double e_b, int c, double e_c) {
  const double doublings = std::log2(static_cast<double>(c) / static_cast<double>(b));
  return 1.0 - std::pow(e_c / e_b, 1.0 / doublings);
}

// The largest vertical gap below the chord from the first to the last point,
// on x = log2(batch) and energy scaled to [0, 1]; the first point when the
// curve never dips below its chord (straight or concave).
int kneedle(const std::vector<BatchPoint>& c) {
  if (c.size() < 3) return c.front().batch_size;
  const double x0 = std::log2(c.front().batch_size);
  const double x1 = std::log2(c.back().batch_size);
  double lo = c.front().joules_per_output_token, hi = lo;
  for (const BatchPoint& p : c) {
    lo = std::min(lo, p.joules_per_output_token);
    hi = std::max(hi, p.joules_per_output_token);
  }
  if (hi <= lo) return c.front().batch_size;
  auto y = [&](const BatchPoint& p) { return (p.joules_per_output_token - lo) / (hi - lo); };
  const double y0 = y(c.front()), y1 = y(c.back());
  int best = c.front().batch_size;
  double best_gap = 0;
  for (const BatchPoint& p : c) {
    const double t = (std::log2(p.batch_size) - x0) / (x1 - x0);
    const double gap = (y0 + t * (y1 - y0)) - y(p);
    if (gap > best_gap + 1e-12) {
      best_gap = gap;
      best = p.batch_size;
    }
  }
  return best;
}

}  // namespace

std::vector<BatchPoint> batch_curve(const std::vector<SweepPoint>& sweep) {
  std::map<int, std::vector<const SweepPoint*>> by_batch;
  for (const SweepPoint& p : sweep) by_batch[p.batch_size].push_back(&p);
  std::vector<BatchPoint> out;
  for (const auto& [batch, points] : by_batch) {
    BatchPoint b;
    b.batch_size = batch;
    std::vector<double> jpt, jpp, lat, tput;
    for (const SweepPoint* p : points) {
      if (p->saturated) {
        b.saturated = true;
        continue;
      }
      jpt.push_back(p->joules_per_output_token);
      jpp.push_back(p->joules_per_prompt.median);
      lat.push_back(p->prompt_latency_ms);
      tput.push_back(p->throughput_tokens_per_s);
    }
    b.joules_per_output_token = median(jpt);
    b.joules_per_prompt = median(jpp);
    b.prompt_latency_ms = median(lat);
    b.throughput_tokens_per_s = median(tput);
    out.push_back(b);
  }
  return out;
}

core::Result<KneeResult> find_knee(const std::vector<BatchPoint>& curve,
                                   const KneeOptions& options) {
  if (curve.empty()) return core::invalid_argument("no batch sizes to choose from");
  if (!(options.min_saving > 0 && options.min_saving < 1)) {
    return core::invalid_argument("min_saving must be in (0, 1), is " +
                                  std::to_string(options.min_saving));
  }
  KneeResult r;
  std::vector<BatchPoint> candidates;
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const BatchPoint& p = curve[i];
    if (p.batch_size < 1 || (i > 0 && p.batch_size <= curve[i - 1].batch_size)) {
      return core::invalid_argument("batch sizes must be >= 1, ascending and distinct (at " +
                                    std::to_string(p.batch_size) + ")");
    }
    if (p.saturated && !r.saturation_batch) r.saturation_batch = p.batch_size;
    if (!r.saturation_batch) candidates.push_back(p);
  }
  if (candidates.empty()) {
    return core::unavailable("every batch size saturated memory (smallest: " +
                             std::to_string(*r.saturation_batch) + "); nothing to choose from");
  }
  for (const BatchPoint& p : candidates) {
    if (!std::isfinite(p.joules_per_output_token) || p.joules_per_output_token <= 0) {
      return core::invalid_argument("batch " + std::to_string(p.batch_size) +
                                    ": joules per output token must be > 0 (no energy measured?)");
    }
  }

  // The smallest batch from which no larger one saves min_saving per doubling.
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    bool flat = true;
    for (std::size_t j = i + 1; j < candidates.size() && flat; ++j) {
      flat = saving_per_doubling(candidates[i].batch_size, candidates[i].joules_per_output_token,
                                 candidates[j].batch_size,
                                 candidates[j].joules_per_output_token) < options.min_saving;
    }
    if (flat) {
      r.knee_batch = candidates[i].batch_size;
      r.knee_at_edge = i + 1 == candidates.size();
      break;
    }
  }
  r.kneedle_batch = kneedle(candidates);

  // Preferred sizes; ties go to the smaller batch (the first seen).
  const BatchPoint* energy = &candidates.front();
  const BatchPoint* latency = energy;
  const BatchPoint* throughput = energy;
  for (const BatchPoint& p : candidates) {
    if (p.joules_per_prompt < energy->joules_per_prompt) energy = &p;
    if (p.prompt_latency_ms < latency->prompt_latency_ms) latency = &p;
    if (p.throughput_tokens_per_s > throughput->throughput_tokens_per_s) throughput = &p;
  }
  r.best = BestBatches{energy->batch_size, latency->batch_size, throughput->batch_size};
  return r;
}

}  // namespace greenroute::profile
