// The pieces the experiment report is assembled from, shared by its writers
// (experiment_html*.cc, experiment_json.cc, experiment_csv.cc): headline
// explanations, the decisions-over-time binning and the chart builders.
// Thread-safe: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/report/experiment_report.h"
#include "greenroute/report/svg_chart.h"
#include "html_writer.h"

namespace greenroute::report::detail {

// --- headline (headline.cc, headline_explanations.cc) ---

// One policy's figures in a simulated scenario: the mean over seeds when
// over_seeds has the policy, else the first seed's run.
struct ScenarioPolicyFigures {
  double carbon_g = 0;
  double latency_mean_ms = 0;
  double energy_j = 0;
  double completed = 0;  // requests completed (first seed; per-seed mean unknown)
};
std::optional<ScenarioPolicyFigures> scenario_policy_figures(const SimScenario& scenario,
                                                             std::string_view policy);

// The scenario's baseline policy: first_seed.baseline, else "greedy-fastest".
std::string scenario_baseline(const SimScenario& scenario);

// Plain sentences setting each headline figure against the reference study:
// what ours is, and where it differs, why, in terms of figures from the same
// data (intensity spread, where requests went, utilisation, batching gains).
// No sentence is emitted that the data cannot support.
std::vector<std::string> headline_explanations(const ExperimentData& data);

// --- decisions over time (decisions.cc) ---

// Where one policy's requests ran over time: per time bin, the request-
// weighted mean grid intensity of the nodes that served them.
struct DecisionBin {
  double t_start = 0;  // bin start, in the chart's unit (s live, h simulated)
  double t_mid = 0;
  double mean_intensity_g_per_kwh = 0;
  std::uint64_t requests = 0;
};
struct PolicyDecisions {
  std::string policy;
  std::vector<DecisionBin> bins;  // bins without requests are left out
};
struct DecisionsOverTime {
  std::string unit;  // "s" or "h"
  double bin_width = 0;
  std::vector<PolicyDecisions> policies;
};
DecisionsOverTime live_decisions(const LiveRun& live);
DecisionsOverTime sim_decisions(const SimScenario& scenario);

// --- charts (experiment_charts.cc) ---

// The same colour for a policy in every chart of the report, from the
// Okabe-Ito palette by the policy's first appearance in the data.
std::string policy_color(const ExperimentData& data, std::string_view policy);

// Each returns nullopt when the data holds nothing to plot.
// `study_knee` (> 0) is marked too when it differs from ours.
std::optional<LineChart> bench_energy_chart(const LocalBench& bench, int study_knee);
std::optional<LineChart> live_tradeoff_chart(const ExperimentData& data);
std::optional<LineChart> live_decisions_chart(const ExperimentData& data);
std::optional<LineChart> sim_tradeoff_chart(const ExperimentData& data, const SimScenario& scenario);
std::optional<LineChart> sim_decisions_chart(const ExperimentData& data,
                                             const SimScenario& scenario);

// The chart as an inline <figure>, or a visible note when render_svg refuses
// it (the reason is shown rather than the whole report failing).
std::string chart_figure_html(const std::optional<LineChart>& chart, std::string_view caption);

// --- HTML sections (experiment_html.cc, experiment_html_runs.cc) ---

std::string summary_section_html(const ExperimentData& data);
std::string bench_section_html(const ExperimentData& data);
std::string live_section_html(const ExperimentData& data);
std::string validation_section_html(const ExperimentData& data);
std::string simulation_section_html(const ExperimentData& data, const SimScenario& scenario);

// A badge saying how an energy figure was obtained, from a label such as
// "estimated:cpu-estimate" (measured ones green, estimated ones amber).
std::string energy_badge_html(std::string_view label);
// Simulated figures: estimated from the device profiles.
std::string sim_energy_badge_html();
// A table inside a horizontally scrolling wrapper (wide tables on phones).
std::string table_html(const HtmlTable& table);

// Validation error threshold (ValidationRow errors beyond it are flagged).
inline constexpr double kValidationTolerancePct = 15;

// --- files (experiment_csv.cc) ---
// The CSV files' names, in the order experiment_csv_files writes them.
std::vector<std::string> csv_file_names(const ExperimentData& data);
std::vector<ReportFile> experiment_csv_files(const ExperimentData& data);

}  // namespace greenroute::report::detail
