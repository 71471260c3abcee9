// Decisions over time: per policy and time bin, the request-weighted mean
// grid intensity of the nodes that served the requests. Plotted against each
// zone's intensity, it shows whether a policy follows the cleanest grid.
#include <algorithm>
#include <cmath>

#include "experiment_parts.h"

namespace greenroute::report::detail {
namespace {

// A sample: when (in the chart's unit), at what intensity, how many requests.
struct Sample {
  double t = 0;
  double intensity = 0;
  double weight = 0;
};

std::vector<DecisionBin> bin_samples(const std::vector<Sample>& samples, double width,
                                     std::size_t bins) {
  std::vector<double> weighted(bins, 0), weight(bins, 0);
  for (const Sample& s : samples) {
    const double index = std::floor(s.t / width);
    const std::size_t b = index <= 0 ? 0 : std::min(bins - 1, static_cast<std::size_t>(index));
    weighted[b] += s.intensity * s.weight;
    weight[b] += s.weight;
  }
  std::vector<DecisionBin> out;
  for (std::size_t b = 0; b < bins; ++b) {
    if (weight[b] <= 0) continue;
    DecisionBin bin;
    bin.t_start = static_cast<double>(b) * width;
    bin.t_mid = bin.t_start + width / 2;
    bin.mean_intensity_g_per_kwh = weighted[b] / weight[b];
    bin.requests = static_cast<std::uint64_t>(std::llround(weight[b]));
    out.push_back(bin);
  }
  return out;
}

}  // namespace

DecisionsOverTime live_decisions(const LiveRun& live) {
  DecisionsOverTime out;
  out.unit = "s";
  double end = 0;
  std::size_t most_requests = 0;
  for (const LivePolicyRun& run : live.runs) {
    for (const LiveRequest& r : run.requests_log) end = std::max(end, r.sent_s);
    most_requests = std::max(most_requests, run.requests_log.size());
  }
  if (most_requests == 0) return out;
  // About three requests per bin, at most 12 bins: fewer would hide the
  // pattern, more would plot single requests.
  const std::size_t bins = std::clamp<std::size_t>(most_requests / 3, 1, 12);
  // The last request falls inside the last bin, not on its edge.
  out.bin_width = end > 0 ? std::nextafter(end, INFINITY) / static_cast<double>(bins) : 1;
  for (const LivePolicyRun& run : live.runs) {
    std::vector<Sample> samples;
    for (const LiveRequest& r : run.requests_log) {
      if (r.node.empty()) continue;  // failed: it ran nowhere
      samples.push_back(Sample{r.sent_s, r.intensity_g_per_kwh, 1});
    }
    out.policies.push_back(PolicyDecisions{run.policy, bin_samples(samples, out.bin_width, bins)});
  }
  return out;
}

DecisionsOverTime sim_decisions(const SimScenario& scenario) {
  DecisionsOverTime out;
  out.unit = "h";
  double end_h = scenario.hours;
  for (const sim::PolicyResult& r : scenario.first_seed.results) {
    for (const sim::BatchRecord& b : r.batches) {
      end_h = std::max(end_h, static_cast<double>(b.start_us) / 3.6e9);
    }
  }
  if (!(end_h > 0)) end_h = 1;
  // Hourly bins up to two days (the grid's own resolution), at most 48 bins
  // beyond; a run shorter than 6 h gets 12 bins.
  std::size_t bins = 0;
  if (end_h >= 6) {
    out.bin_width = std::ceil(end_h / 48);
    bins = static_cast<std::size_t>(std::ceil(end_h / out.bin_width));
  } else {
    bins = 12;
    out.bin_width = end_h / 12;
  }
  for (const sim::PolicyResult& r : scenario.first_seed.results) {
    if (r.batches.empty()) continue;
    std::vector<Sample> samples;
    samples.reserve(r.batches.size());
    // A decision is a request joining a node's batch (segments where none
    // joined are sequences leaving).
    for (const sim::BatchRecord& b : r.batches) {
      if (b.joined == 0) continue;
      samples.push_back(Sample{static_cast<double>(b.start_us) / 3.6e9, b.g_co2_per_kwh,
                               static_cast<double>(b.joined)});
    }
    out.policies.push_back(PolicyDecisions{r.policy, bin_samples(samples, out.bin_width, bins)});
  }
  return out;
}

}  // namespace greenroute::report::detail
