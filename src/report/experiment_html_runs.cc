// report.html's run sections: the live run (nodes, per-policy table, charts),
// live vs simulated validation, and one section per simulated scenario.
#include <algorithm>
#include <cmath>
#include <optional>

#include "experiment_parts.h"
#include "html_writer.h"
#include "report_text.h"

namespace greenroute::report::detail {
namespace {

// "123 ± 4.5", or "123" when there is no interval (one seed). Two digits of
// the half-width are enough to read the interval.
std::string with_ci(const sim::MeanCi& v, double scale = 1) {
  std::string out = figure_text(v.mean * scale);
  if (v.n >= 2) out += " ± " + figure_text(v.half_width * scale, 2);
  return out;
}

// The energy label every live run shares, or nullopt when they differ.
std::optional<std::string> shared_live_label(const LiveRun& live) {
  std::optional<std::string> label;
  for (const LivePolicyRun& run : live.runs) {
    if (!label.has_value()) label = run.energy_source;
    if (*label != run.energy_source) return std::nullopt;
  }
  return label;
}

// "-12.3%" of `value` against `baseline`, "" when the baseline is zero.
std::string change_text(double value, double baseline) {
  if (!(baseline > 0)) return "";
  const double pct = (value - baseline) / baseline * 100;
  return (pct > 0 ? "+" : "") + percent_text(pct);
}

const LivePolicyRun* live_run(const LiveRun& live, std::string_view policy) {
  for (const LivePolicyRun& run : live.runs) {
    if (run.policy == policy) return &run;
  }
  return nullptr;
}

std::string live_nodes_table(const LiveRun& live) {
  HtmlTable t;
  t.caption = "Node agents (real processes on this machine)";
  t.headers = {"Node", "Zone", "Threads", "Carbon source", "Mean intensity (gCO2e/kWh)"};
  t.numeric = {false, false, true, false, true};
  for (const LiveNode& n : live.nodes) {
    t.rows.push_back({{n.name},
                      {n.zone},
                      {std::to_string(n.threads)},
                      {n.carbon_source},
                      {figure_text(n.mean_intensity_g_per_kwh)}});
  }
  return table_html(t);
}

std::string live_policies_table(const LiveRun& live) {
  const LivePolicyRun* base = live_run(live, live.baseline_policy);
  const std::optional<std::string> label = shared_live_label(live);
  HtmlTable t;
  t.caption = "Per policy, the same workload replayed through the gateway (latency as the "
              "client saw it); energy " +
              (label.has_value() ? energy_provenance(*label).text() : "labelled per row");
  t.headers = {"Policy",  "OK / sent", "Errors",     "Req/s",      "Mean (ms)", "p50 (ms)",
               "p95 (ms)", "p99 (ms)", "Energy (J)", "Carbon (g)", "vs " + live.baseline_policy};
  t.numeric = {false, true, true, true, true, true, true, true, true, true, true};
  if (!label.has_value()) {
    t.headers.push_back("Energy figures");
    t.numeric.push_back(false);
  }
  for (const LivePolicyRun& r : live.runs) {
    std::string change;
    if (base == &r) {
      change = "baseline";
    } else if (base != nullptr) {
      change = change_text(r.carbon_g, base->carbon_g);
    }
    std::vector<HtmlCell> row = {{r.policy},
                                 {std::to_string(r.completed) + " / " + std::to_string(r.requests)},
                                 {std::to_string(r.errors), r.errors > 0 ? "flag" : ""},
                                 {figure_text(r.throughput_rps)},
                                 {figure_text(r.latency_mean_ms)},
                                 {figure_text(r.latency_p50_ms)},
                                 {figure_text(r.latency_p95_ms)},
                                 {figure_text(r.latency_p99_ms)},
                                 {figure_text(r.energy_j)},
                                 {figure_text(r.carbon_g)},
                                 {change}};
    if (!label.has_value()) {
      HtmlCell badge;
      badge.html = energy_badge_html(r.energy_source);
      row.push_back(badge);
    }
    t.rows.push_back(std::move(row));
  }
  return table_html(t);
}

// Where each policy sent its requests: one column per node.
std::string live_routing_table(const LiveRun& live) {
  std::vector<std::string> nodes;
  for (const LiveNode& n : live.nodes) nodes.push_back(n.name);
  for (const LivePolicyRun& r : live.runs) {
    for (const auto& [node, n] : r.requests_per_node) {
      if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
    }
  }
  if (nodes.empty()) return "";
  HtmlTable t;
  t.caption = "Requests per node";
  t.headers = {"Policy"};
  t.numeric = {false};
  for (const std::string& node : nodes) {
    t.headers.push_back(node);
    t.numeric.push_back(true);
  }
  for (const LivePolicyRun& r : live.runs) {
    std::vector<HtmlCell> row = {{r.policy}};
    for (const std::string& node : nodes) {
      const auto it = r.requests_per_node.find(node);
      row.push_back({std::to_string(it == r.requests_per_node.end() ? 0 : it->second)});
    }
    t.rows.push_back(std::move(row));
  }
  return table_html(t);
}

std::string sim_table(const SimScenario& s) {
  HtmlTable t;
  const std::string baseline = scenario_baseline(s);
  if (!s.over_seeds.empty()) {
    t.caption = "Per policy: mean over " + std::to_string(s.seeds.size()) +
                " seeds ± the half-width of its 95% confidence interval; latency from arrival "
                "to completion; saved: grams below " +
                baseline + " on the same requests; energy and carbon estimated from the device "
                "profiles";
    t.headers = {"Policy",      "Mean (ms)",    "p95 (ms)",      "Carbon (g)",
                 "Saved (g)",   "Energy (kWh)", "SLO missed (%)", "Req/s"};
    t.numeric = {false, true, true, true, true, true, true, true};
    for (const sim::PolicySummary& p : s.over_seeds) {
      t.rows.push_back({{p.policy},
                        {with_ci(p.latency_mean_ms)},
                        {with_ci(p.latency_p95_ms)},
                        {with_ci(p.carbon_g)},
                        {with_ci(p.saved_vs_baseline_g)},
                        {with_ci(p.energy_kwh)},
                        {with_ci(p.slo_violation_rate, 100)},
                        {with_ci(p.throughput_rps)}});
    }
    return table_html(t);
  }
  t.caption = "Per policy, one seed; latency from arrival to completion; saved: grams below " +
              baseline + " on the same requests; energy and carbon estimated from the device "
              "profiles";
  t.headers = {"Policy",    "Mean (ms)",    "p95 (ms)",  "Carbon (g)", "Saved (g)",
               "Energy (kWh)", "Completed", "Rejected", "Req/s"};
  t.numeric = {false, true, true, true, true, true, true, true, true};
  for (const sim::PolicyResult& r : s.first_seed.results) {
    t.rows.push_back({{r.policy},
                      {figure_text(r.latency_mean_ms)},
                      {figure_text(r.latency_p95_ms)},
                      {figure_text(r.carbon_g)},
                      {figure_text(r.saved_vs_baseline_g)},
                      {figure_text(r.energy_kwh)},
                      {std::to_string(r.completed)},
                      {std::to_string(r.rejected)},
                      {figure_text(r.throughput_rps)}});
  }
  return table_html(t);
}

// Where each policy sent its requests, for clusters small enough to list.
std::string sim_nodes_table(const SimScenario& s) {
  constexpr std::size_t kMaxListedNodes = 8;
  if (s.first_seed.results.empty()) return "";
  const std::vector<sim::NodeResult>& first_nodes = s.first_seed.results.front().nodes;
  if (first_nodes.empty() || first_nodes.size() > kMaxListedNodes) return "";
  HtmlTable t;
  t.caption = "Requests per node and utilisation (first seed)";
  t.headers = {"Policy"};
  t.numeric = {false};
  for (const sim::NodeResult& n : first_nodes) {
    t.headers.push_back(n.name + " (" + n.zone + ")");
    t.numeric.push_back(true);
  }
  for (const sim::PolicyResult& r : s.first_seed.results) {
    std::vector<HtmlCell> row = {{r.policy}};
    for (std::size_t i = 0; i < first_nodes.size(); ++i) {
      if (i >= r.nodes.size()) {
        row.push_back({""});
        continue;
      }
      const sim::NodeResult& n = r.nodes[i];
      row.push_back({std::to_string(n.requests) + " · busy " + percent_text(n.utilisation * 100)});
    }
    t.rows.push_back(std::move(row));
  }
  return table_html(t);
}

}  // namespace

std::string live_section_html(const ExperimentData& data) {
  std::string out = "<section id=\"live\">\n<h2>Live run</h2>\n";
  if (!data.live.has_value()) {
    return out + "<p class=\"absent\">No live run in this experiment (see the notes).</p>\n"
                 "</section>\n";
  }
  const LiveRun& live = *data.live;
  out += "<ul class=\"facts\"><li>Workload <b>" + html_escape(live.workload) +
         "</b></li><li>Baseline <b>" + html_escape(live.baseline_policy) + "</b></li><li><b>" +
         std::to_string(live.nodes.size()) + "</b> node agents and a gateway</li>";
  if (live.machine_cores > 0) {
    out += "<li>sharing <b>" + std::to_string(live.machine_cores) + " cores</b></li>";
  }
  out += "</ul>\n";
  out += live_nodes_table(live);
  if (live.runs.empty()) {
    return out + "<p class=\"absent\">No policy was replayed.</p>\n</section>\n";
  }
  out += live_policies_table(live);
  out += live_routing_table(live);
  out += "<div class=\"charts\">\n";
  out += chart_figure_html(live_tradeoff_chart(data),
                           "Each policy's mean latency and total carbon over the same replay.");
  out += chart_figure_html(live_decisions_chart(data),
                           "Grid intensity of the node that served each request, averaged per "
                           "time bin; a carbon-aware policy should follow the lowest grey line.");
  out += "</div>\n";
  return out + "</section>\n";
}

std::string validation_section_html(const ExperimentData& data) {
  std::string out = "<section id=\"validation\">\n<h2>Live vs simulated</h2>\n";
  if (data.validation.empty()) {
    return out + "<p class=\"absent\">No validation was run: it needs the live run and its "
                 "simulated twin.</p>\n</section>\n";
  }
  // The scenario validated: its own live run when there is one, else the main one.
  const std::optional<LiveRun>& scenario = data.validation_live.has_value() ? data.validation_live : data.live;
  if (data.validation_live.has_value()) {
    out += "<p>A scenario of its own, run live and then simulated: ";
    std::string nodes;
    for (const LiveNode& n : data.validation_live->nodes) {
      nodes += (nodes.empty() ? "" : ", ") + html_escape(n.name) + " (" + html_escape(n.zone) + ", " +
               std::to_string(n.threads) + " thread" + (n.threads == 1 ? "" : "s") + ")";
    }
    out += nodes + "; " + html_escape(data.validation_live->workload) +
           ". Each node has a core to itself where the machine has two, so the nodes are separate "
           "devices, as the simulator models them.</p>\n";
  }
  out += "<p>The simulator replayed the scenario (same nodes, profiles and workload, each request "
         "at the time the client sent it). Target: latency and energy per policy within " +
         figure_text(kValidationTolerancePct) +
         "% of the live run; rows beyond it are flagged. Error = (simulated - live) / live. "
         "Simulated energy is " + sim_energy_badge_html() + "; live energy is ";
  const std::optional<std::string> label =
      scenario.has_value() ? shared_live_label(*scenario) : std::nullopt;
  out += label.has_value() ? energy_badge_html(*label) + ".</p>\n" : "labelled per row.</p>\n";
  HtmlTable t;
  t.caption = "Per policy";
  t.headers = {"Policy",          "Live latency (ms)", "Sim latency (ms)", "Error",
               "Live energy (J)", "Sim energy (J)",    "Error",            "Verdict"};
  t.numeric = {false, true, true, true, true, true, true, false};
  if (!label.has_value()) {
    t.headers.push_back("Live energy figures");
    t.numeric.push_back(false);
  }
  std::size_t flagged = 0;
  for (const ValidationRow& v : data.validation) {
    const bool latency_bad = std::fabs(v.latency_error_pct) > kValidationTolerancePct;
    const bool energy_bad = std::fabs(v.energy_error_pct) > kValidationTolerancePct;
    if (latency_bad || energy_bad) ++flagged;
    std::string row_label;
    if (scenario.has_value()) {
      if (const LivePolicyRun* run = live_run(*scenario, v.policy)) row_label = run->energy_source;
    }
    std::string verdict = "within " + figure_text(kValidationTolerancePct) + "%";
    if (latency_bad && energy_bad) {
      verdict = "latency and energy beyond " + figure_text(kValidationTolerancePct) + "%";
    } else if (latency_bad) {
      verdict = "latency beyond " + figure_text(kValidationTolerancePct) + "%";
    } else if (energy_bad) {
      verdict = "energy beyond " + figure_text(kValidationTolerancePct) + "%";
    }
    auto signed_pct = [](double pct) { return (pct > 0 ? "+" : "") + percent_text(pct); };
    std::vector<HtmlCell> row = {{v.policy},
                                 {figure_text(v.live_latency_mean_ms)},
                                 {figure_text(v.sim_latency_mean_ms)},
                                 {signed_pct(v.latency_error_pct), latency_bad ? "flag" : "ok"},
                                 {figure_text(v.live_energy_j)},
                                 {figure_text(v.sim_energy_j)},
                                 {signed_pct(v.energy_error_pct), energy_bad ? "flag" : "ok"},
                                 {verdict, latency_bad || energy_bad ? "flag" : "ok"}};
    if (!label.has_value()) {
      HtmlCell badge;
      badge.html = energy_badge_html(row_label);
      row.push_back(badge);
    }
    t.rows.push_back(std::move(row));
  }
  out += table_html(t);
  out += "<p>" + std::to_string(flagged) + " of " + std::to_string(data.validation.size()) +
         " policies have an error beyond " + figure_text(kValidationTolerancePct) + "%.</p>\n";
  return out + "</section>\n";
}

std::string simulation_section_html(const ExperimentData& data, const SimScenario& s) {
  std::string out = "<section id=\"sim-" + html_escape(file_slug(s.name)) + "\">\n";
  out += html_element("h2", "Simulation: " + s.name) + "\n";
  if (!s.description.empty()) out += html_element("p", s.description) + "\n";
  std::string seeds;
  for (std::uint64_t seed : s.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(seed);
  out += "<ul class=\"facts\"><li><b>" + std::to_string(s.nodes) + "</b> nodes</li><li><b>" +
         std::to_string(s.zones) + "</b> zones</li><li><b>" + html_escape(figure_text(s.hours)) +
         "</b> h</li><li><b>" + std::to_string(s.requests) + "</b> requests per seed</li><li>seeds <b>" +
         html_escape(seeds.empty() ? "none recorded" : seeds) + "</b></li><li>Energy " +
         sim_energy_badge_html() + "</li></ul>\n";
  if (s.over_seeds.empty() && s.first_seed.results.empty()) {
    return out + "<p class=\"absent\">This scenario produced no results.</p>\n</section>\n";
  }
  out += sim_table(s);
  out += sim_nodes_table(s);
  out += "<div class=\"charts\">\n";
  out += chart_figure_html(sim_tradeoff_chart(data, s),
                           "Each policy's mean latency and carbon over the scenario.");
  const std::optional<LineChart> decisions = sim_decisions_chart(data, s);
  if (decisions.has_value()) {
    out += chart_figure_html(decisions,
                             "Grid intensity where each policy ran its batches, against each "
                             "zone's intensity over the scenario.");
  } else {
    out += "<p class=\"absent\">No batches were recorded for this scenario, so decisions over "
           "time are not drawn.</p>\n";
  }
  out += "</div>\n";
  return out + "</section>\n";
}

}  // namespace greenroute::report::detail
