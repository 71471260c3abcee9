// The report's charts, built from ExperimentData as LineCharts for
// render_svg: energy per prompt vs batch size, carbon vs latency per policy,
// and decisions over time against each zone's grid intensity.
#include <algorithm>
#include <map>

#include "experiment_parts.h"
#include "html_writer.h"
#include "report_text.h"

namespace greenroute::report::detail {
namespace {

constexpr int kChartWidth = 760;
constexpr int kChartHeight = 420;
// Zones are drawn in greys, apart from the policies' palette colours.
constexpr std::string_view kZoneGreys[] = {"#8c8c8c", "#b8b8b8", "#5f5f5f",
                                           "#a3a3a3", "#737373", "#cccccc"};
// More zones than this would bury the policies' lines: then only the
// cleanest, the median and the dirtiest zone are drawn.
constexpr std::size_t kMaxZoneLines = 6;

LineChart base_chart(std::string title, std::string subtitle) {
  LineChart c;
  c.title = std::move(title);
  c.subtitle = std::move(subtitle);
  c.width = kChartWidth;
  c.height = kChartHeight;
  return c;
}

Series point_series(std::string name, double x, double y, std::string color) {
  Series s;
  s.name = std::move(name);
  s.x = {x};
  s.y = {y};
  s.style = SeriesStyle::kMarkers;
  s.color = std::move(color);
  return s;
}

// One footnote for several runs' energy labels: the common one, or "mixed".
std::string runs_energy_footnote(const LiveRun& live) {
  std::string label;
  for (const LivePolicyRun& run : live.runs) {
    if (label.empty()) label = run.energy_source;
    if (run.energy_source != label) {
      return "carbon from energy of mixed provenance (see the table)";
    }
  }
  return "carbon from " + energy_provenance(label).footnote();
}

struct ZoneLine {
  std::string zone;
  double mean = 0;
  std::vector<std::pair<double, double>> points;  // (x in chart unit, gCO2e/kWh)
};

// Picks the zones to draw and labels them; colours in order of intensity.
void add_zone_lines(std::vector<ZoneLine> zones, LineChart* chart) {
  std::stable_sort(zones.begin(), zones.end(),
                   [](const ZoneLine& a, const ZoneLine& b) { return a.mean < b.mean; });
  std::vector<std::pair<const ZoneLine*, std::string>> drawn;
  if (zones.size() <= kMaxZoneLines) {
    for (const ZoneLine& z : zones) drawn.emplace_back(&z, "grid " + z.zone);
  } else {
    drawn.emplace_back(&zones.front(), "grid " + zones.front().zone + " (cleanest)");
    const ZoneLine& median = zones[zones.size() / 2];
    drawn.emplace_back(&median, "grid " + median.zone + " (median)");
    drawn.emplace_back(&zones.back(), "grid " + zones.back().zone + " (dirtiest)");
  }
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    Series s;
    s.name = drawn[i].second;
    s.style = SeriesStyle::kLine;
    s.color = std::string(kZoneGreys[i % std::size(kZoneGreys)]);
    for (const auto& [x, y] : drawn[i].first->points) {
      s.x.push_back(x);
      s.y.push_back(y);
    }
    if (!s.x.empty()) chart->series.push_back(std::move(s));
  }
}

void add_decision_lines(const ExperimentData& data, const DecisionsOverTime& decisions,
                        LineChart* chart) {
  for (const PolicyDecisions& p : decisions.policies) {
    if (p.bins.empty()) continue;
    Series s;
    s.name = p.policy;
    s.color = policy_color(data, p.policy);
    for (const DecisionBin& b : p.bins) {
      s.x.push_back(b.t_mid);
      s.y.push_back(b.mean_intensity_g_per_kwh);
    }
    chart->series.push_back(std::move(s));
  }
}

bool has_decisions(const DecisionsOverTime& d) {
  return std::any_of(d.policies.begin(), d.policies.end(),
                     [](const PolicyDecisions& p) { return !p.bins.empty(); });
}

}  // namespace

std::string policy_color(const ExperimentData& data, std::string_view policy) {
  std::vector<std::string> order;
  auto see = [&](const std::string& name) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  };
  if (data.live.has_value()) {
    for (const LivePolicyRun& run : data.live->runs) see(run.policy);
  }
  for (const SimScenario& s : data.simulations) {
    for (const sim::PolicyResult& r : s.first_seed.results) see(r.policy);
    for (const sim::PolicySummary& r : s.over_seeds) see(r.policy);
  }
  const auto at = std::find(order.begin(), order.end(), policy);
  return palette_color(static_cast<std::size_t>(at - order.begin()));
}

std::optional<LineChart> bench_energy_chart(const LocalBench& bench, int study_knee) {
  Series s;
  s.name = "joules per prompt";
  int saturated_at = 0;
  for (const BatchPoint& p : bench.points) {
    if (p.saturated) {
      if (saturated_at == 0) saturated_at = p.batch;
      continue;
    }
    s.x.push_back(p.batch);
    s.y.push_back(p.joules_per_prompt);
  }
  if (s.x.empty()) return std::nullopt;
  LineChart c = base_chart("Energy per prompt vs batch size",
                           bench.device + " · " + bench.model + " · " +
                               std::to_string(bench.output_tokens) + " output tokens");
  c.footnote = energy_provenance(bench.energy_label).footnote() + "; median over repeats";
  c.x_label = "batch size (prompts)";
  c.y_label = "joules per prompt (J)";
  c.log2_x = true;
  c.y_from_zero = true;
  c.series.push_back(std::move(s));
  if (bench.knee_batch > 0) {
    c.markers.push_back(Marker{static_cast<double>(bench.knee_batch),
                               "knee: batch " + std::to_string(bench.knee_batch)});
  }
  if (study_knee > 0 && study_knee != bench.knee_batch) {
    c.markers.push_back(Marker{static_cast<double>(study_knee),
                               "study's knee: batch " + std::to_string(study_knee)});
  }
  if (saturated_at > 0) {
    c.markers.push_back(
        Marker{static_cast<double>(saturated_at), "saturated: batch " + std::to_string(saturated_at)});
  }
  return c;
}

std::optional<LineChart> live_tradeoff_chart(const ExperimentData& data) {
  if (!data.live.has_value()) return std::nullopt;
  const LiveRun& live = *data.live;
  LineChart c = base_chart("Carbon vs latency per policy (live)", live.workload);
  c.footnote = runs_energy_footnote(live) + "; lower left is better";
  c.x_label = "mean latency (ms)";
  c.y_label = "carbon, whole replay (gCO2e)";
  c.y_from_zero = true;
  for (const LivePolicyRun& run : live.runs) {
    if (run.completed == 0) continue;  // no latency to place it at
    c.series.push_back(point_series(run.policy, run.latency_mean_ms, run.carbon_g,
                                    policy_color(data, run.policy)));
  }
  if (c.series.empty()) return std::nullopt;
  return c;
}

std::optional<LineChart> live_decisions_chart(const ExperimentData& data) {
  if (!data.live.has_value()) return std::nullopt;
  const LiveRun& live = *data.live;
  const DecisionsOverTime decisions = live_decisions(live);
  if (!has_decisions(decisions)) return std::nullopt;
  double end = 0;
  for (const PolicyDecisions& p : decisions.policies) {
    for (const DecisionBin& b : p.bins) end = std::max(end, b.t_start + decisions.bin_width);
  }
  // Live zones keep one intensity over a short replay: their mean, flat.
  std::map<std::string, std::pair<double, int>> by_zone;
  for (const LiveNode& n : live.nodes) {
    by_zone[n.zone].first += n.mean_intensity_g_per_kwh;
    ++by_zone[n.zone].second;
  }
  std::vector<ZoneLine> zones;
  for (const auto& [zone, sum] : by_zone) {
    const double mean = sum.first / sum.second;
    zones.push_back(ZoneLine{zone, mean, {{0, mean}, {end, mean}}});
  }
  LineChart c = base_chart("Where requests ran over time (live)",
                           "grid intensity of the serving node, mean per " +
                               figure_text(decisions.bin_width) + " s of each replay");
  c.footnote = "grey: each zone's mean intensity over the live run";
  c.x_label = "time since the policy's replay began (s)";
  c.y_label = "grid intensity (gCO2e/kWh)";
  c.y_from_zero = true;
  add_zone_lines(std::move(zones), &c);
  add_decision_lines(data, decisions, &c);
  return c;
}

std::optional<LineChart> sim_tradeoff_chart(const ExperimentData& data,
                                            const SimScenario& scenario) {
  LineChart c = base_chart("Carbon vs latency per policy (" + scenario.name + ")",
                           scenario.description);
  c.x_label = "mean latency (ms)";
  c.y_label = "carbon per run (gCO2e)";
  c.y_from_zero = true;
  if (!scenario.over_seeds.empty()) {
    c.footnote = "ESTIMATED from device profiles (simulation); mean over " +
                 std::to_string(scenario.seeds.size()) +
                 " seeds, bars: 95% CI; lower left is better";
    for (const sim::PolicySummary& s : scenario.over_seeds) {
      Series p = point_series(s.policy, s.latency_mean_ms.mean, s.carbon_g.mean,
                              policy_color(data, s.policy));
      p.y_low = {s.carbon_g.mean - s.carbon_g.half_width};
      p.y_high = {s.carbon_g.mean + s.carbon_g.half_width};
      c.series.push_back(std::move(p));
    }
  } else {
    c.footnote = "ESTIMATED from device profiles (simulation); one seed; lower left is better";
    for (const sim::PolicyResult& r : scenario.first_seed.results) {
      if (r.completed == 0) continue;
      c.series.push_back(
          point_series(r.policy, r.latency_mean_ms, r.carbon_g, policy_color(data, r.policy)));
    }
  }
  if (c.series.empty()) return std::nullopt;
  return c;
}

std::optional<LineChart> sim_decisions_chart(const ExperimentData& data,
                                             const SimScenario& scenario) {
  const DecisionsOverTime decisions = sim_decisions(scenario);
  if (!has_decisions(decisions)) return std::nullopt;
  std::vector<ZoneLine> zones;
  for (const auto& [zone, points] : scenario.intensity_by_zone) {
    ZoneLine z;
    z.zone = zone;
    double sum = 0;
    for (const auto& [t_s, g] : points) {
      z.points.emplace_back(t_s / 3600, g);
      sum += g;
    }
    if (points.empty()) continue;
    z.mean = sum / static_cast<double>(points.size());
    zones.push_back(std::move(z));
  }
  const std::string bin = decisions.bin_width == 1 ? "hour"
                                                    : figure_text(decisions.bin_width) + " h";
  LineChart c = base_chart("Where requests ran over time (" + scenario.name + ")",
                           "grid intensity where each policy ran its batches, mean per " + bin +
                               " (first seed)");
  c.footnote = zones.size() > kMaxZoneLines
                   ? "grey: the cleanest, median and dirtiest of " +
                         std::to_string(zones.size()) + " zones"
                   : "grey: each zone's grid intensity";
  c.x_label = "simulated time (h)";
  c.y_label = "grid intensity (gCO2e/kWh)";
  c.y_from_zero = true;
  add_zone_lines(std::move(zones), &c);
  add_decision_lines(data, decisions, &c);
  return c;
}

std::string chart_figure_html(const std::optional<LineChart>& chart, std::string_view caption) {
  if (!chart.has_value()) return "";
  const core::Result<std::string> svg = render_svg(*chart);
  if (!svg.is_ok()) {
    return "<p class=\"chart-error\">Chart &quot;" + html_escape(chart->title) +
           "&quot; could not be drawn: " + html_escape(svg.status().message()) + "</p>\n";
  }
  return html_figure(*svg, caption);
}

}  // namespace greenroute::report::detail
