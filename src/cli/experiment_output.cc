// What `greenroute experiment` prints when it is done: the comparison tables
// (report/text_table.h) or, with --json, one JSON summary. The report
// directory holds every figure; this is the overview.
#include "experiment_output.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "greenroute/report/text_table.h"

namespace greenroute::cli::experiment {
namespace {

using nlohmann::json;

std::string fixed(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "-"; }

// Three significant digits, for grams that span 1e-6 to 1e3.
std::string sig3(double v) { return std::isfinite(v) ? fmt::format("{:.3g}", v) : "-"; }

std::string with_ci(const sim::MeanCi& m, bool sig) {
  const std::string mean = sig ? sig3(m.mean) : fixed(m.mean, 0);
  if (m.n < 2) return mean;
  return mean + " ± " + (sig ? sig3(m.half_width) : fixed(m.half_width, 0));
}

void print_table(const std::string& title, const report::TextTable& t) {
  auto text = report::render_text_table(t);
  if (!text.is_ok()) {
    std::fprintf(stderr, "greenroute: warning: table '%s' not printed: %s\n", title.c_str(),
                 text.status().message().c_str());
    return;
  }
  std::printf("\n%s\n%s", title.c_str(), text->c_str());
}

report::TextTable table(std::vector<std::string> headers) {
  report::TextTable t;
  t.align.assign(headers.size(), report::Align::kRight);
  t.align[0] = report::Align::kLeft;
  t.headers = std::move(headers);
  return t;
}

const report::LivePolicyRun* find_run(const report::LiveRun& live, const std::string& policy) {
  for (const report::LivePolicyRun& r : live.runs) {
    if (r.policy == policy) return &r;
  }
  return nullptr;
}

json mean_ci_json(const sim::MeanCi& m) { return {{"mean", m.mean}, {"ci95_half_width", m.half_width}, {"n", m.n}}; }

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

void print_experiment_tables(const report::ExperimentData& d, const LocalProfiles& local) {
  std::printf("greenroute experiment (%s mode) on %s\n", d.mode.c_str(), d.machine.c_str());
  {
    auto t = table({"threads", "batch", "latency ms", "J/prompt", "J/token", "tok/s"});
    for (const auto& [threads, p] : local.by_threads) {
      for (const profile::SweepPoint& s : p->sweep) {
        if (s.saturated) {
          t.rows.push_back({std::to_string(threads), std::to_string(s.batch_size), "saturated", "-", "-", "-"});
          continue;
        }
        t.rows.push_back({std::to_string(threads), std::to_string(s.batch_size), fixed(s.latency_ms.median, 0),
                          fixed(s.joules_per_prompt.median, 2), fixed(s.joules_per_output_token, 3),
                          fixed(s.throughput_tokens_per_s, 1)});
      }
    }
    std::string knees;
    for (const auto& [threads, p] : local.by_threads) {
      knees += fmt::format("{}{} threads: batch {}", knees.empty() ? "" : ", ", threads, p->knee_batch);
    }
    print_table(fmt::format("Local benchmark: {}, {} output tokens, energy {} (knee: {})", d.bench.model,
                            d.bench.output_tokens, d.bench.energy_label, knees),
                t);
  }
  if (d.live) {
    const report::LiveRun& live = *d.live;
    auto nodes = table({"node", "zone", "g/kWh", "threads", "carbon source"});
    nodes.align[4] = report::Align::kLeft;
    for (const report::LiveNode& n : live.nodes) {
      nodes.rows.push_back({n.name, n.zone, fixed(n.mean_intensity_g_per_kwh, 0), std::to_string(n.threads),
                            n.carbon_source.size() > 60 ? "..." + n.carbon_source.substr(n.carbon_source.size() - 57)
                                                        : n.carbon_source});
    }
    print_table("Live cluster (real processes on this machine): " + live.workload, nodes);
    const report::LivePolicyRun* base = find_run(live, live.baseline_policy);
    auto t = table({"policy", "answered", "mean ms", "p95 ms", "energy J", "gCO2e", "vs baseline", "requests per node"});
    t.align[7] = report::Align::kLeft;
    for (const report::LivePolicyRun& r : live.runs) {
      std::string split;
      for (const auto& [node, count] : r.requests_per_node) split += fmt::format("{}{} {}", split.empty() ? "" : ", ", node, count);
      const std::string vs = base && base->carbon_g > 0
                                 ? fmt::format("{:+.1f}% g", (r.carbon_g - base->carbon_g) / base->carbon_g * 100)
                                 : "-";
      t.rows.push_back({r.policy, fmt::format("{}/{}", r.completed, r.requests), fixed(r.latency_mean_ms, 0),
                        fixed(r.latency_p95_ms, 0), fixed(r.energy_j, 1), sig3(r.carbon_g), vs, split});
    }
    print_table(fmt::format("Live runs (energy {}; baseline {})", live.runs.empty() ? "" : live.runs[0].energy_source,
                            live.baseline_policy),
                t);
  }
  if (!d.validation.empty()) {
    auto t = table({"policy", "live ms", "sim ms", "error", "live J", "sim J", "error"});
    for (const report::ValidationRow& v : d.validation) {
      t.rows.push_back({v.policy, fixed(v.live_latency_mean_ms, 0), fixed(v.sim_latency_mean_ms, 0),
                        fmt::format("{:+.1f}%", v.latency_error_pct), fixed(v.live_energy_j, 1),
                        fixed(v.sim_energy_j, 1), fmt::format("{:+.1f}%", v.energy_error_pct)});
    }
    std::string nodes;
    if (d.validation_live) {
      for (const report::LiveNode& n : d.validation_live->nodes) nodes += (nodes.empty() ? "" : ", ") + n.name;
    }
    print_table(fmt::format("Validation: {} live, then simulated (target: within 15%; docs/experiment.md)",
                            nodes.empty() ? "the scenario" : nodes),
                t);
  }
  for (const report::SimScenario& s : d.simulations) {
    auto t = table({"policy", "mean ms", "p95 ms", "kWh", "gCO2e", "saved vs baseline"});
    for (const sim::PolicySummary& p : s.over_seeds) {
      t.rows.push_back({p.policy, with_ci(p.latency_mean_ms, false), with_ci(p.latency_p95_ms, false),
                        sig3(p.energy_kwh.mean), with_ci(p.carbon_g, true), with_ci(p.saved_vs_baseline_g, true)});
    }
    print_table(fmt::format("Simulated: {} ({} nodes, {} requests per seed, {} seeds; mean ± 95% CI): {}", s.name,
                            s.nodes, s.requests, s.seeds.size(), s.description),
                t);
  }
  auto t = table({"source", "carbon vs baseline", "latency speedup"});
  t.rows.push_back({"reference study", fmt::format("-{:.0f}%", d.reference.carbon_reduction_pct),
                    fmt::format("{:g}-{:g}x", d.reference.latency_speedup_low, d.reference.latency_speedup_high)});
  for (const report::HeadlineRow& h : report::headline_figures(d)) {
    t.rows.push_back({h.source, h.carbon_reduction_pct ? fmt::format("-{:.1f}%", *h.carbon_reduction_pct) : "-",
                      h.latency_speedup ? fmt::format("{:.2f}x", *h.latency_speedup) : "-"});
  }
  print_table("Headline: carbon-aware vs the greedy baseline, latency-aware's speedup over it", t);
  if (!d.notes.empty()) {
    std::printf("\nNotes:\n");
    for (const std::string& n : d.notes) std::printf("- %s\n", n.c_str());
  }
}

nlohmann::json experiment_summary_json(const report::ExperimentData& d, const std::string& report_dir) {
  json j;
  j["report_dir"] = report_dir;
  j["mode"] = d.mode;
  j["generated_at"] = d.generated_at;
  j["command_line"] = d.command_line;
  j["machine"] = d.machine;
  j["bench"] = {{"device", d.bench.device},
                {"model", d.bench.model},
                {"energy", d.bench.energy_label},
                {"output_tokens", d.bench.output_tokens},
                {"knee_batch", d.bench.knee_batch},
                {"profile", d.bench.profile_path}};
  json live = nullptr;
  if (d.live) {
    live = {{"workload", d.live->workload}, {"baseline_policy", d.live->baseline_policy}, {"runs", json::array()}};
    for (const report::LiveNode& n : d.live->nodes) {
      live["nodes"].push_back({{"name", n.name}, {"zone", n.zone}, {"threads", n.threads},
                               {"carbon_source", n.carbon_source}, {"mean_intensity_g_per_kwh", n.mean_intensity_g_per_kwh}});
    }
    for (const report::LivePolicyRun& r : d.live->runs) {
      live["runs"].push_back({{"policy", r.policy},
                              {"requests", r.requests},
                              {"completed", r.completed},
                              {"errors", r.errors},
                              {"latency_mean_ms", r.latency_mean_ms},
                              {"latency_p95_ms", r.latency_p95_ms},
                              {"energy_j", r.energy_j},
                              {"carbon_g", r.carbon_g},
                              {"energy_source", r.energy_source},
                              {"requests_per_node", r.requests_per_node}});
    }
  }
  j["live"] = live;
  j["validation"] = json::array();
  for (const report::ValidationRow& v : d.validation) {
    j["validation"].push_back({{"policy", v.policy},
                               {"live_latency_mean_ms", v.live_latency_mean_ms},
                               {"sim_latency_mean_ms", v.sim_latency_mean_ms},
                               {"latency_error_pct", v.latency_error_pct},
                               {"live_energy_j", v.live_energy_j},
                               {"sim_energy_j", v.sim_energy_j},
                               {"energy_error_pct", v.energy_error_pct}});
  }
  j["simulations"] = json::array();
  for (const report::SimScenario& s : d.simulations) {
    json sj = {{"name", s.name}, {"description", s.description}, {"nodes", s.nodes},     {"zones", s.zones},
               {"hours", s.hours}, {"requests_per_seed", s.requests}, {"seeds", s.seeds}, {"policies", json::array()}};
    for (const sim::PolicySummary& p : s.over_seeds) {
      sj["policies"].push_back({{"policy", p.policy},
                                {"latency_mean_ms", mean_ci_json(p.latency_mean_ms)},
                                {"latency_p95_ms", mean_ci_json(p.latency_p95_ms)},
                                {"carbon_g", mean_ci_json(p.carbon_g)},
                                {"energy_kwh", mean_ci_json(p.energy_kwh)},
                                {"saved_vs_baseline_g", mean_ci_json(p.saved_vs_baseline_g)}});
    }
    j["simulations"].push_back(sj);
  }
  j["headline"] = json::array();
  for (const report::HeadlineRow& h : report::headline_figures(d)) {
    j["headline"].push_back({{"source", h.source},
                             {"carbon_reduction_pct", optional_json(h.carbon_reduction_pct)},
                             {"latency_speedup", optional_json(h.latency_speedup)}});
  }
  j["reference_study"] = {{"carbon_reduction_pct", d.reference.carbon_reduction_pct},
                          {"latency_speedup_low", d.reference.latency_speedup_low},
                          {"latency_speedup_high", d.reference.latency_speedup_high},
                          {"efficiency_knee_batch", d.reference.efficiency_knee_batch}};
  j["notes"] = d.notes;
  return j;
}

}  // namespace greenroute::cli::experiment
