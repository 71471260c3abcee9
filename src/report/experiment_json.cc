// experiment.json: every figure of the report, keys in a fixed order (schema
// "greenroute.experiment/1", documented in docs/experiment.md). Numbers are
// written by nlohmann-json (shortest round-trip form, locale independent).
#include <cmath>

#include <nlohmann/json.hpp>

#include "experiment_parts.h"
#include "report_text.h"

namespace greenroute::report {
namespace {

using Json = nlohmann::ordered_json;

Json provenance_json(std::string_view label) {
  const detail::EnergyProvenance p = detail::energy_provenance(label);
  return Json{{"label", std::string(label)},
              {"kind", p.measured ? "measured" : p.estimated ? "estimated" : "unknown"},
              {"method", p.method}};
}

Json mean_ci_json(const sim::MeanCi& v) {
  return Json{{"mean", v.mean}, {"ci95_half_width", v.half_width}, {"n", v.n}};
}

Json bench_json(const LocalBench& b) {
  Json points = Json::array();
  for (const BatchPoint& p : b.points) {
    points.push_back(Json{{"batch", p.batch},
                          {"latency_ms", p.latency_ms},
                          {"joules_per_prompt", p.joules_per_prompt},
                          {"joules_per_output_token", p.joules_per_output_token},
                          {"throughput_tokens_per_s", p.throughput_tokens_per_s},
                          {"saturated", p.saturated}});
  }
  return Json{{"device", b.device},         {"model", b.model},
              {"energy", provenance_json(b.energy_label)},
              {"output_tokens", b.output_tokens}, {"knee_batch", b.knee_batch},
              {"profile_path", b.profile_path},   {"points", std::move(points)}};
}

Json decisions_json(const detail::DecisionsOverTime& d) {
  Json policies = Json::array();
  for (const detail::PolicyDecisions& p : d.policies) {
    Json bins = Json::array();
    for (const detail::DecisionBin& b : p.bins) {
      bins.push_back(Json{{"t_start", b.t_start},
                          {"mean_intensity_g_per_kwh", b.mean_intensity_g_per_kwh},
                          {"requests", b.requests}});
    }
    policies.push_back(Json{{"policy", p.policy}, {"bins", std::move(bins)}});
  }
  return Json{{"unit", d.unit}, {"bin_width", d.bin_width}, {"policies", std::move(policies)}};
}

Json live_json(const LiveRun& live) {
  Json nodes = Json::array();
  for (const LiveNode& n : live.nodes) {
    nodes.push_back(Json{{"name", n.name},
                         {"zone", n.zone},
                         {"threads", n.threads},
                         {"carbon_source", n.carbon_source},
                         {"mean_intensity_g_per_kwh", n.mean_intensity_g_per_kwh}});
  }
  Json runs = Json::array();
  for (const LivePolicyRun& r : live.runs) {
    Json per_node = Json::object();
    for (const auto& [node, n] : r.requests_per_node) per_node[node] = n;
    Json log = Json::array();
    for (const LiveRequest& q : r.requests_log) {
      log.push_back(Json{{"sent_s", q.sent_s},
                         {"node", q.node},
                         {"zone", q.zone},
                         {"intensity_g_per_kwh", q.intensity_g_per_kwh},
                         {"latency_ms", q.latency_ms},
                         {"prompt_tokens", q.prompt_tokens},
                         {"output_tokens", q.output_tokens},
                         {"energy_j", q.energy_j},
                         {"carbon_g", q.carbon_g},
                         {"http_status", q.http_status}});
    }
    runs.push_back(Json{{"policy", r.policy},
                        {"requests", r.requests},
                        {"completed", r.completed},
                        {"errors", r.errors},
                        {"wall_s", r.wall_s},
                        {"throughput_rps", r.throughput_rps},
                        {"latency_mean_ms", r.latency_mean_ms},
                        {"latency_p50_ms", r.latency_p50_ms},
                        {"latency_p95_ms", r.latency_p95_ms},
                        {"latency_p99_ms", r.latency_p99_ms},
                        {"energy_j", r.energy_j},
                        {"carbon_g", r.carbon_g},
                        {"energy", provenance_json(r.energy_source)},
                        {"requests_per_node", std::move(per_node)},
                        {"requests_log", std::move(log)}});
  }
  return Json{{"workload", live.workload},
              {"baseline_policy", live.baseline_policy},
              {"machine_cores", live.machine_cores},
              {"nodes", std::move(nodes)},
              {"runs", std::move(runs)},
              {"decisions", decisions_json(detail::live_decisions(live))}};
}

// A run without its batches: they can number in the millions, and the
// decisions they show are in "decisions" (binned as charted).
Json policy_result_json(const sim::PolicyResult& r) {
  Json nodes = Json::array();
  for (const sim::NodeResult& n : r.nodes) {
    nodes.push_back(Json{{"name", n.name},
                         {"zone", n.zone},
                         {"requests", n.requests},
                         {"batches", n.batches},
                         {"busy_s", n.busy_s},
                         {"utilisation", n.utilisation},
                         {"batch_energy_j", n.batch_energy_j},
                         {"idle_energy_j", n.idle_energy_j},
                         {"energy_j", n.energy_j},
                         {"carbon_g", n.carbon_g},
                         {"max_queue", n.max_queue},
                         {"queue_at_last_arrival", n.queue_at_last_arrival}});
  }
  return Json{{"policy", r.policy},
              {"requests", r.requests},
              {"completed", r.completed},
              {"rejected", r.rejected},
              {"latency_mean_ms", r.latency_mean_ms},
              {"latency_p50_ms", r.latency_p50_ms},
              {"latency_p95_ms", r.latency_p95_ms},
              {"latency_p99_ms", r.latency_p99_ms},
              {"slo_requests", r.slo_requests},
              {"slo_violations", r.slo_violations},
              {"makespan_s", r.makespan_s},
              {"throughput_rps", r.throughput_rps},
              {"batch_energy_j", r.batch_energy_j},
              {"idle_energy_j", r.idle_energy_j},
              {"energy_j", r.energy_j},
              {"energy_kwh", r.energy_kwh},
              {"carbon_g", r.carbon_g},
              {"saved_vs_baseline_g", r.saved_vs_baseline_g},
              {"predicted_saved_g", r.predicted_saved_g},
              {"events", r.events},
              {"batches_recorded", r.batches.size()},
              {"nodes", std::move(nodes)}};
}

Json comparison_json(const sim::Comparison& c) {
  Json results = Json::array();
  for (const sim::PolicyResult& r : c.results) results.push_back(policy_result_json(r));
  return Json{{"baseline", c.baseline}, {"results", std::move(results)}};
}

Json scenario_json(const SimScenario& s) {
  Json over = Json::array();
  for (const sim::PolicySummary& p : s.over_seeds) {
    over.push_back(Json{{"policy", p.policy},
                        {"latency_mean_ms", mean_ci_json(p.latency_mean_ms)},
                        {"latency_p95_ms", mean_ci_json(p.latency_p95_ms)},
                        {"carbon_g", mean_ci_json(p.carbon_g)},
                        {"energy_kwh", mean_ci_json(p.energy_kwh)},
                        {"saved_vs_baseline_g", mean_ci_json(p.saved_vs_baseline_g)},
                        {"slo_violation_rate", mean_ci_json(p.slo_violation_rate)},
                        {"throughput_rps", mean_ci_json(p.throughput_rps)}});
  }
  Json per_seed = Json::array();
  for (const sim::Comparison& c : s.per_seed) per_seed.push_back(comparison_json(c));
  Json intensity = Json::object();
  for (const auto& [zone, points] : s.intensity_by_zone) {
    Json list = Json::array();
    for (const auto& [t_s, g] : points) list.push_back(Json::array({t_s, g}));
    intensity[zone] = std::move(list);
  }
  return Json{{"name", s.name},
              {"description", s.description},
              {"files", Json::array({"sim_" + detail::file_slug(s.name) + ".csv",
                                     "sim_" + detail::file_slug(s.name) + "_summary.csv"})},
              {"energy", Json{{"label", "estimated:device-profiles"},
                              {"kind", "estimated"},
                              {"method", "device-profiles"}}},
              {"nodes", s.nodes},
              {"zones", s.zones},
              {"hours", s.hours},
              {"requests", s.requests},
              {"seeds", s.seeds},
              {"first_seed", comparison_json(s.first_seed)},
              {"per_seed", std::move(per_seed)},
              {"over_seeds", std::move(over)},
              {"intensity_by_zone", std::move(intensity)},
              {"decisions", decisions_json(detail::sim_decisions(s))}};
}

}  // namespace

core::Result<std::string> render_experiment_json(const ExperimentData& data) {
  GR_RETURN_IF_ERROR(validate_experiment_data(data));
  Json headline = Json::array();
  for (const HeadlineRow& row : headline_figures(data)) {
    headline.push_back(Json{
        {"source", row.source},
        {"carbon_reduction_pct",
         row.carbon_reduction_pct.has_value() ? Json(*row.carbon_reduction_pct) : Json(nullptr)},
        {"latency_speedup",
         row.latency_speedup.has_value() ? Json(*row.latency_speedup) : Json(nullptr)}});
  }
  Json validation = Json::array();
  for (const ValidationRow& v : data.validation) {
    validation.push_back(Json{{"policy", v.policy},
                              {"live_latency_mean_ms", v.live_latency_mean_ms},
                              {"sim_latency_mean_ms", v.sim_latency_mean_ms},
                              {"live_energy_j", v.live_energy_j},
                              {"sim_energy_j", v.sim_energy_j},
                              {"latency_error_pct", v.latency_error_pct},
                              {"energy_error_pct", v.energy_error_pct},
                              {"within_tolerance",
                               std::abs(v.latency_error_pct) <= detail::kValidationTolerancePct &&
                                   std::abs(v.energy_error_pct) <= detail::kValidationTolerancePct}});
  }
  Json simulations = Json::array();
  for (const SimScenario& s : data.simulations) simulations.push_back(scenario_json(s));
  const ReferenceStudy& ref = data.reference;
  Json doc = {
      {"schema", "greenroute.experiment/1"},
      {"title", data.title},
      {"generated_at", data.generated_at},
      {"mode", data.mode},
      {"command_line", data.command_line},
      {"machine", data.machine},
      {"reference", Json{{"devices", ref.devices},
                         {"carbon_reduction_pct", ref.carbon_reduction_pct},
                         {"latency_speedup_low", ref.latency_speedup_low},
                         {"latency_speedup_high", ref.latency_speedup_high},
                         {"efficiency_knee_batch", ref.efficiency_knee_batch}}},
      {"headline", std::move(headline)},
      {"explanations", detail::headline_explanations(data)},
      {"bench", bench_json(data.bench)},
      {"live", data.live.has_value() ? live_json(*data.live) : Json(nullptr)},
      {"validation", Json{{"tolerance_pct", detail::kValidationTolerancePct},
                          {"live", data.validation_live.has_value() ? live_json(*data.validation_live)
                                                                    : Json(nullptr)},
                          {"rows", std::move(validation)}}},
      {"simulations", std::move(simulations)},
      {"notes", data.notes},
  };
  // Invalid UTF-8 in a name is replaced rather than thrown on (dump's default).
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace greenroute::report
