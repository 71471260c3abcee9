// validate_experiment_data: what every renderer of the report relies on (finite
// figures, ordered batch sizes, unique policy and file names), checked once,
// with the failing field named by its path in ExperimentData.
#include <cmath>
#include <set>

#include "greenroute/report/experiment_report.h"
#include "report_text.h"
#include "svg_text.h"

namespace greenroute::report {
namespace {

// Records the first fault; later checks are skipped once one is found.
class Checker {
 public:
  void number(const std::string& field, double value) {
    if (!status_.is_ok() || std::isfinite(value)) return;
    status_ = core::invalid_argument(field + ": not finite (" + detail::value_text(value) + ")");
  }
  void mean_ci(const std::string& field, const sim::MeanCi& v) {
    number(field + ".mean", v.mean);
    number(field + ".half_width", v.half_width);
  }
  void fail(const std::string& field, const std::string& why) {
    if (status_.is_ok()) status_ = core::invalid_argument(field + ": " + why);
  }
  // Policy names within one list must be present and distinct.
  void policy(const std::string& field, const std::string& name, std::set<std::string>* seen) {
    if (name.empty()) {
      fail(field, "empty policy name");
    } else if (!seen->insert(name).second) {
      fail(field, "policy \"" + name + "\" is listed twice");
    }
  }
  const core::Status& status() const { return status_; }

 private:
  core::Status status_;
};

std::string at(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

void check_bench(const LocalBench& bench, Checker* c) {
  int previous = 0;
  for (std::size_t i = 0; i < bench.points.size(); ++i) {
    const BatchPoint& p = bench.points[i];
    const std::string f = at("bench.points", i);
    if (p.batch <= previous) {
      c->fail(f + ".batch", "batch sizes must be positive and strictly ascending (" +
                                std::to_string(p.batch) + " after " + std::to_string(previous) +
                                ")");
    }
    previous = p.batch;
    c->number(f + ".latency_ms", p.latency_ms);
    c->number(f + ".joules_per_prompt", p.joules_per_prompt);
    c->number(f + ".joules_per_output_token", p.joules_per_output_token);
    c->number(f + ".throughput_tokens_per_s", p.throughput_tokens_per_s);
  }
}

// `root`: where the run sits in the data ("live", "validation.live").
void check_live(const LiveRun& live, const std::string& root, Checker* c) {
  for (std::size_t i = 0; i < live.nodes.size(); ++i) {
    c->number(at(root + ".nodes", i) + ".mean_intensity_g_per_kwh",
              live.nodes[i].mean_intensity_g_per_kwh);
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < live.runs.size(); ++i) {
    const LivePolicyRun& r = live.runs[i];
    const std::string f = at(root + ".runs", i);
    c->policy(f + ".policy", r.policy, &seen);
    c->number(f + ".wall_s", r.wall_s);
    c->number(f + ".throughput_rps", r.throughput_rps);
    c->number(f + ".latency_mean_ms", r.latency_mean_ms);
    c->number(f + ".latency_p50_ms", r.latency_p50_ms);
    c->number(f + ".latency_p95_ms", r.latency_p95_ms);
    c->number(f + ".latency_p99_ms", r.latency_p99_ms);
    c->number(f + ".energy_j", r.energy_j);
    c->number(f + ".carbon_g", r.carbon_g);
    for (std::size_t k = 0; k < r.requests_log.size(); ++k) {
      const LiveRequest& q = r.requests_log[k];
      const std::string g = at(f + ".requests_log", k);
      c->number(g + ".sent_s", q.sent_s);
      c->number(g + ".intensity_g_per_kwh", q.intensity_g_per_kwh);
      c->number(g + ".latency_ms", q.latency_ms);
      c->number(g + ".energy_j", q.energy_j);
      c->number(g + ".carbon_g", q.carbon_g);
    }
  }
}

void check_result(const std::string& f, const sim::PolicyResult& r, Checker* c) {
  for (const auto& [name, v] : {std::pair<const char*, double>{"latency_mean_ms", r.latency_mean_ms},
                                {"latency_p50_ms", r.latency_p50_ms},
                                {"latency_p95_ms", r.latency_p95_ms},
                                {"latency_p99_ms", r.latency_p99_ms},
                                {"makespan_s", r.makespan_s},
                                {"throughput_rps", r.throughput_rps},
                                {"batch_energy_j", r.batch_energy_j},
                                {"idle_energy_j", r.idle_energy_j},
                                {"energy_j", r.energy_j},
                                {"energy_kwh", r.energy_kwh},
                                {"carbon_g", r.carbon_g},
                                {"saved_vs_baseline_g", r.saved_vs_baseline_g},
                                {"predicted_saved_g", r.predicted_saved_g}}) {
    c->number(f + "." + name, v);
  }
  for (std::size_t i = 0; i < r.nodes.size(); ++i) {
    const sim::NodeResult& n = r.nodes[i];
    const std::string g = at(f + ".nodes", i);
    c->number(g + ".busy_s", n.busy_s);
    c->number(g + ".utilisation", n.utilisation);
    c->number(g + ".energy_j", n.energy_j);
    c->number(g + ".batch_energy_j", n.batch_energy_j);
    c->number(g + ".idle_energy_j", n.idle_energy_j);
    c->number(g + ".carbon_g", n.carbon_g);
  }
  for (std::size_t i = 0; i < r.batches.size(); ++i) {
    const sim::BatchRecord& b = r.batches[i];
    // Large scenarios record many batches: name the field only on a fault.
    if (std::isfinite(b.energy_j) && std::isfinite(b.g_co2_per_kwh) && std::isfinite(b.carbon_g)) {
      continue;
    }
    const std::string g = at(f + ".batches", i);
    c->number(g + ".energy_j", b.energy_j);
    c->number(g + ".g_co2_per_kwh", b.g_co2_per_kwh);
    c->number(g + ".carbon_g", b.carbon_g);
  }
}

void check_comparison(const std::string& f, const sim::Comparison& comparison, Checker* c) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < comparison.results.size(); ++i) {
    const std::string g = at(f + ".results", i);
    c->policy(g + ".policy", comparison.results[i].policy, &seen);
    check_result(g, comparison.results[i], c);
  }
}

void check_scenario(std::size_t index, const SimScenario& s, std::set<std::string>* slugs,
                    Checker* c) {
  const std::string f = at("simulations", index);
  if (s.name.empty()) c->fail(f + ".name", "empty scenario name");
  const std::string slug = detail::file_slug(s.name);
  if (!s.name.empty() && !slugs->insert(slug).second) {
    c->fail(f + ".name", "\"" + s.name + "\" gives the file name sim_" + slug +
                             ".csv, which an earlier scenario already uses");
  }
  c->number(f + ".hours", s.hours);
  check_comparison(f + ".first_seed", s.first_seed, c);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.over_seeds.size(); ++i) {
    const sim::PolicySummary& p = s.over_seeds[i];
    const std::string g = at(f + ".over_seeds", i);
    c->policy(g + ".policy", p.policy, &seen);
    c->mean_ci(g + ".latency_mean_ms", p.latency_mean_ms);
    c->mean_ci(g + ".latency_p95_ms", p.latency_p95_ms);
    c->mean_ci(g + ".carbon_g", p.carbon_g);
    c->mean_ci(g + ".energy_kwh", p.energy_kwh);
    c->mean_ci(g + ".saved_vs_baseline_g", p.saved_vs_baseline_g);
    c->mean_ci(g + ".slo_violation_rate", p.slo_violation_rate);
    c->mean_ci(g + ".throughput_rps", p.throughput_rps);
  }
  if (!s.per_seed.empty() && s.per_seed.size() != s.seeds.size()) {
    c->fail(f + ".per_seed", std::to_string(s.per_seed.size()) + " comparisons for " +
                                 std::to_string(s.seeds.size()) + " seeds");
  }
  for (std::size_t i = 0; i < s.per_seed.size(); ++i) {
    check_comparison(at(f + ".per_seed", i), s.per_seed[i], c);
  }
  for (const auto& [zone, points] : s.intensity_by_zone) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::string g = at(f + ".intensity_by_zone[\"" + zone + "\"]", i);
      c->number(g + ".t_s", points[i].first);
      c->number(g + ".g_per_kwh", points[i].second);
    }
  }
}

}  // namespace

core::Status validate_experiment_data(const ExperimentData& data) {
  Checker c;
  c.number("reference.carbon_reduction_pct", data.reference.carbon_reduction_pct);
  c.number("reference.latency_speedup_low", data.reference.latency_speedup_low);
  c.number("reference.latency_speedup_high", data.reference.latency_speedup_high);
  check_bench(data.bench, &c);
  if (data.live.has_value()) check_live(*data.live, "live", &c);
  if (data.validation_live.has_value()) check_live(*data.validation_live, "validation.live", &c);
  for (std::size_t i = 0; i < data.validation.size(); ++i) {
    const ValidationRow& v = data.validation[i];
    const std::string f = at("validation", i);
    if (v.policy.empty()) c.fail(f + ".policy", "empty policy name");
    c.number(f + ".live_latency_mean_ms", v.live_latency_mean_ms);
    c.number(f + ".sim_latency_mean_ms", v.sim_latency_mean_ms);
    c.number(f + ".live_energy_j", v.live_energy_j);
    c.number(f + ".sim_energy_j", v.sim_energy_j);
    c.number(f + ".latency_error_pct", v.latency_error_pct);
    c.number(f + ".energy_error_pct", v.energy_error_pct);
  }
  std::set<std::string> slugs;
  for (std::size_t i = 0; i < data.simulations.size(); ++i) {
    check_scenario(i, data.simulations[i], &slugs, &c);
  }
  return c.status();
}

}  // namespace greenroute::report
