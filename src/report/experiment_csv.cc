// The report's CSV files (RFC 4180: comma-separated, "\n" line ends, fields
// quoted when they hold a comma, quote or line break). Numbers are written in
// their shortest exact form, so a figure reads back bit for bit.
#include <cmath>

#include "experiment_parts.h"
#include "report_text.h"

namespace greenroute::report::detail {
namespace {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class CsvWriter {
 public:
  explicit CsvWriter(std::initializer_list<std::string_view> headers) { row(headers); }
  void row(std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (std::string_view c : cells) {
      if (!first) text_ += ',';
      text_ += csv_field(c);
      first = false;
    }
    text_ += '\n';
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string num(double v) { return exact_text(v); }
std::string num(std::uint64_t v) { return std::to_string(v); }
std::string num(int v) { return std::to_string(v); }

std::string bench_csv(const LocalBench& b) {
  CsvWriter w({"batch", "latency_ms", "joules_per_prompt", "joules_per_output_token",
               "throughput_tokens_per_s", "saturated", "knee", "energy_label"});
  for (const BatchPoint& p : b.points) {
    w.row({num(p.batch), num(p.latency_ms), num(p.joules_per_prompt),
           num(p.joules_per_output_token), num(p.throughput_tokens_per_s),
           p.saturated ? "true" : "false", p.batch == b.knee_batch ? "true" : "false",
           b.energy_label});
  }
  return w.take();
}

std::string live_policies_csv(const ExperimentData& data) {
  CsvWriter w({"policy", "requests", "completed", "errors", "wall_s", "throughput_rps",
               "latency_mean_ms", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "energy_j",
               "carbon_g", "carbon_vs_baseline_pct", "energy_label"});
  if (!data.live.has_value()) return w.take();
  const LiveRun& live = *data.live;
  double baseline_g = NAN;
  for (const LivePolicyRun& r : live.runs) {
    if (r.policy == live.baseline_policy) baseline_g = r.carbon_g;
  }
  for (const LivePolicyRun& r : live.runs) {
    // (policy - baseline) / baseline x 100; empty without a baseline to compare.
    const std::string change =
        baseline_g > 0 ? num((r.carbon_g - baseline_g) / baseline_g * 100) : "";
    w.row({r.policy, num(r.requests), num(r.completed), num(r.errors), num(r.wall_s),
           num(r.throughput_rps), num(r.latency_mean_ms), num(r.latency_p50_ms),
           num(r.latency_p95_ms), num(r.latency_p99_ms), num(r.energy_j), num(r.carbon_g), change,
           r.energy_source});
  }
  return w.take();
}

std::string live_requests_csv(const ExperimentData& data) {
  CsvWriter w({"policy", "sent_s", "node", "zone", "intensity_g_per_kwh", "latency_ms",
               "prompt_tokens", "output_tokens", "energy_j", "carbon_g", "http_status",
               "energy_label"});
  if (!data.live.has_value()) return w.take();
  for (const LivePolicyRun& r : data.live->runs) {
    for (const LiveRequest& q : r.requests_log) {
      w.row({r.policy, num(q.sent_s), q.node, q.zone, num(q.intensity_g_per_kwh),
             num(q.latency_ms), num(q.prompt_tokens), num(q.output_tokens), num(q.energy_j),
             num(q.carbon_g), num(q.http_status), r.energy_source});
    }
  }
  return w.take();
}

std::string validation_csv(const ExperimentData& data) {
  CsvWriter w({"policy", "live_latency_mean_ms", "sim_latency_mean_ms", "latency_error_pct",
               "live_energy_j", "sim_energy_j", "energy_error_pct", "within_tolerance"});
  for (const ValidationRow& v : data.validation) {
    const bool within = std::fabs(v.latency_error_pct) <= kValidationTolerancePct &&
                        std::fabs(v.energy_error_pct) <= kValidationTolerancePct;
    w.row({v.policy, num(v.live_latency_mean_ms), num(v.sim_latency_mean_ms),
           num(v.latency_error_pct), num(v.live_energy_j), num(v.sim_energy_j),
           num(v.energy_error_pct), within ? "true" : "false"});
  }
  return w.take();
}

void sim_run_rows(std::uint64_t seed, const sim::Comparison& c, CsvWriter* w) {
  for (const sim::PolicyResult& r : c.results) {
    w->row({num(seed), r.policy, num(r.requests), num(r.completed), num(r.rejected),
            num(r.latency_mean_ms), num(r.latency_p50_ms), num(r.latency_p95_ms),
            num(r.latency_p99_ms), num(r.slo_requests), num(r.slo_violations), num(r.makespan_s),
            num(r.throughput_rps), num(r.batch_energy_j), num(r.idle_energy_j), num(r.energy_j),
            num(r.energy_kwh), num(r.carbon_g), num(r.saved_vs_baseline_g),
            num(r.predicted_saved_g), num(r.events)});
  }
}

std::string sim_runs_csv(const SimScenario& s) {
  CsvWriter w({"seed", "policy", "requests", "completed", "rejected", "latency_mean_ms",
               "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "slo_requests",
               "slo_violations", "makespan_s", "throughput_rps", "batch_energy_j",
               "idle_energy_j", "energy_j", "energy_kwh", "carbon_g", "saved_vs_baseline_g",
               "predicted_saved_g", "events"});
  if (!s.per_seed.empty()) {
    for (std::size_t i = 0; i < s.per_seed.size(); ++i) sim_run_rows(s.seeds[i], s.per_seed[i], &w);
  } else {
    sim_run_rows(s.seeds.empty() ? 0 : s.seeds.front(), s.first_seed, &w);
  }
  return w.take();
}

std::string sim_summary_csv(const SimScenario& s) {
  CsvWriter w({"policy", "seeds", "latency_mean_ms", "latency_mean_ms_ci95", "latency_p95_ms",
               "latency_p95_ms_ci95", "carbon_g", "carbon_g_ci95", "energy_kwh",
               "energy_kwh_ci95", "saved_vs_baseline_g", "saved_vs_baseline_g_ci95",
               "slo_violation_rate", "slo_violation_rate_ci95", "throughput_rps",
               "throughput_rps_ci95"});
  for (const sim::PolicySummary& p : s.over_seeds) {
    w.row({p.policy, num(p.latency_mean_ms.n), num(p.latency_mean_ms.mean),
           num(p.latency_mean_ms.half_width), num(p.latency_p95_ms.mean),
           num(p.latency_p95_ms.half_width), num(p.carbon_g.mean), num(p.carbon_g.half_width),
           num(p.energy_kwh.mean), num(p.energy_kwh.half_width), num(p.saved_vs_baseline_g.mean),
           num(p.saved_vs_baseline_g.half_width), num(p.slo_violation_rate.mean),
           num(p.slo_violation_rate.half_width), num(p.throughput_rps.mean),
           num(p.throughput_rps.half_width)});
  }
  return w.take();
}

}  // namespace

std::vector<std::string> csv_file_names(const ExperimentData& data) {
  std::vector<std::string> names = {"bench.csv", "live_policies.csv", "live_requests.csv",
                                    "validation.csv"};
  for (const SimScenario& s : data.simulations) {
    names.push_back("sim_" + file_slug(s.name) + ".csv");
    names.push_back("sim_" + file_slug(s.name) + "_summary.csv");
  }
  return names;
}

std::vector<ReportFile> experiment_csv_files(const ExperimentData& data) {
  std::vector<ReportFile> files = {{"bench.csv", bench_csv(data.bench)},
                                   {"live_policies.csv", live_policies_csv(data)},
                                   {"live_requests.csv", live_requests_csv(data)},
                                   {"validation.csv", validation_csv(data)}};
  for (const SimScenario& s : data.simulations) {
    files.push_back({"sim_" + file_slug(s.name) + ".csv", sim_runs_csv(s)});
    files.push_back({"sim_" + file_slug(s.name) + "_summary.csv", sim_summary_csv(s)});
  }
  return files;
}

}  // namespace greenroute::report::detail
