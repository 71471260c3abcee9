#include "simulate_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "greenroute/report/text_table.h"

namespace greenroute::cli {
namespace {

double as_double(std::uint64_t v) { return static_cast<double>(v); }

double utilisation_mean(const sim::PolicyResult& r) {
  if (r.nodes.empty()) return 0;
  double sum = 0;
  for (const sim::NodeResult& n : r.nodes) sum += n.utilisation;
  return sum / static_cast<double>(r.nodes.size());
}

double baseline_carbon_g(const sim::PolicyResult& r) { return r.carbon_g + r.saved_vs_baseline_g; }

constexpr SimFigure kFigures[] = {
    {"requests", "requests", [](const sim::PolicyResult& r) { return as_double(r.requests); }},
    {"completed", "completed", [](const sim::PolicyResult& r) { return as_double(r.completed); }},
    {"rejected", "rejected", [](const sim::PolicyResult& r) { return as_double(r.rejected); }},
    {"latency_mean_ms", "mean ms", [](const sim::PolicyResult& r) { return r.latency_mean_ms; }},
    {"latency_p50_ms", "p50 ms", [](const sim::PolicyResult& r) { return r.latency_p50_ms; }},
    {"latency_p95_ms", "p95 ms", [](const sim::PolicyResult& r) { return r.latency_p95_ms; }},
    {"latency_p99_ms", "p99 ms", [](const sim::PolicyResult& r) { return r.latency_p99_ms; }},
    {"slo_requests", "SLO requests", [](const sim::PolicyResult& r) { return as_double(r.slo_requests); }},
    {"slo_violations", "SLO missed", [](const sim::PolicyResult& r) { return as_double(r.slo_violations); }},
    {"slo_violation_pct", "SLO missed %",
     [](const sim::PolicyResult& r) {
       return r.slo_requests > 0 ? 100.0 * as_double(r.slo_violations) / as_double(r.slo_requests) : 0.0;
     }},
    {"makespan_s", "makespan s", [](const sim::PolicyResult& r) { return r.makespan_s; }},
    {"throughput_rps", "req/s", [](const sim::PolicyResult& r) { return r.throughput_rps; }},
    {"utilisation_mean_pct", "util %", [](const sim::PolicyResult& r) { return 100.0 * utilisation_mean(r); }},
    {"batch_energy_j", "batch J", [](const sim::PolicyResult& r) { return r.batch_energy_j; }},
    {"idle_energy_j", "idle J", [](const sim::PolicyResult& r) { return r.idle_energy_j; }},
    {"energy_j", "J", [](const sim::PolicyResult& r) { return r.energy_j; }},
    {"energy_kwh", "kWh", [](const sim::PolicyResult& r) { return r.energy_kwh; }},
    {"carbon_g", "gCO2e", [](const sim::PolicyResult& r) { return r.carbon_g; }},
    {"saved_vs_baseline_g", "saved g", [](const sim::PolicyResult& r) { return r.saved_vs_baseline_g; }},
    {"saved_vs_baseline_pct", "saved %",
     [](const sim::PolicyResult& r) {
       const double base = baseline_carbon_g(r);
       return base > 0 ? 100.0 * r.saved_vs_baseline_g / base : 0.0;
     }},
    {"predicted_saved_g", "predicted saved g", [](const sim::PolicyResult& r) { return r.predicted_saved_g; }},
    {"events", "events", [](const sim::PolicyResult& r) { return as_double(r.events); }},
};

std::size_t figure_index(std::string_view key) {
  for (std::size_t i = 0; i < std::size(kFigures); ++i) {
    if (key == kFigures[i].key) return i;
  }
  return 0;  // unreachable for the keys used below
}

// Decimals that show `v` to about four significant figures (three below 1),
// without exponents.
int decimals_for(double v) {
  const double a = std::abs(v);
  if (a == 0 || a >= 1000) return 0;
  if (a >= 100) return 1;
  if (a >= 1) return 2;
  return std::min(9, 2 - static_cast<int>(std::floor(std::log10(a))));
}

std::string num(double v) { return v == 0 ? "0" : fmt::format("{:.{}f}", v, decimals_for(v)); }

// "2124 ±60", "0.606 ±0.019": the interval to the mean's decimals.
std::string cell(const sim::MeanCi& m) {
  if (m.n < 2) return num(m.mean);
  const int d = decimals_for(m.mean);
  return fmt::format("{:.{}f} ±{:.{}f}", m.mean, d, m.half_width, d);
}

std::string plural(std::size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string duration_text(double s) {
  if (s >= 86400 && std::fmod(s, 86400) == 0) return fmt::format("{:g} d", s / 86400);
  if (s >= 3600) return fmt::format("{:g} h", s / 3600);
  return fmt::format("{:g} s", s);
}

std::string workload_text(const sim::WorkloadConfig& w) {
  switch (w.arrival) {
    case sim::ArrivalKind::kPoisson: return fmt::format("poisson {:g} req/s for {}", w.rate, duration_text(w.duration_s));
    case sim::ArrivalKind::kBursty:
      return fmt::format("bursty {:g}/{:g} req/s on/off for {}", w.on_rate, w.off_rate, duration_text(w.duration_s));
    case sim::ArrivalKind::kDiurnal:
      return fmt::format("diurnal {:g} req/s mean (amplitude {:g}) for {}", w.rate, w.amplitude,
                         duration_text(w.duration_s));
  }
  return "?";
}

std::string seeds_text(std::span<const std::uint64_t> seeds) {
  if (seeds.size() == 1) return fmt::format("seed {}", seeds[0]);
  return fmt::format("{} seeds ({}..{}), mean ±95% CI", seeds.size(), seeds.front(), seeds.back());
}

// Utilisation rows: one per node for small clusters; else one per [[node]]
// entry, or per device when there are many entries.
struct UtilGroup {
  std::string name;
  std::string zone;  // "" when the group spans zones
  std::vector<std::size_t> nodes;
};

std::vector<UtilGroup> utilisation_groups(const SimulateSetup& setup) {
  constexpr std::size_t kPerNodeUpTo = 16;
  constexpr std::size_t kGroupsUpTo = 24;
  std::vector<UtilGroup> out;
  const auto add = [&](const std::string& key, std::size_t n) {
    auto it = std::find_if(out.begin(), out.end(), [&](const UtilGroup& g) { return g.name == key; });
    if (it == out.end()) {
      out.push_back(UtilGroup{.name = key, .zone = setup.nodes[n].zone, .nodes = {}});
      it = out.end() - 1;
    }
    if (it->zone != setup.nodes[n].zone) it->zone.clear();
    it->nodes.push_back(n);
  };
  if (setup.nodes.size() <= kPerNodeUpTo) {
    for (std::size_t n = 0; n < setup.nodes.size(); ++n) add(setup.nodes[n].name, n);
    return out;
  }
  std::set<std::string> groups(setup.node_groups.begin(), setup.node_groups.end());
  const bool by_entry = groups.size() <= kGroupsUpTo && setup.node_groups.size() == setup.nodes.size();
  for (std::size_t n = 0; n < setup.nodes.size(); ++n) {
    add(by_entry ? setup.node_groups[n] : setup.nodes[n].profile->device.name, n);
  }
  return out;
}

}  // namespace

std::span<const SimFigure> sim_figures() { return kFigures; }

std::vector<PolicyFigures> summarise(std::span<const SeedRun> runs) {
  std::vector<PolicyFigures> out;
  if (runs.empty()) return out;
  const auto& first = runs.front().comparison.results;
  for (std::size_t p = 0; p < first.size(); ++p) {
    PolicyFigures pf;
    pf.policy = first[p].policy;
    for (const SimFigure& f : kFigures) {
      std::vector<double> values;
      for (const SeedRun& run : runs) values.push_back(f.of(run.comparison.results[p]));
      pf.figures.push_back(sim::mean_ci95(values));
    }
    pf.utilisation.assign(first[p].nodes.size(), 0.0);
    for (const SeedRun& run : runs) {
      const auto& nodes = run.comparison.results[p].nodes;
      for (std::size_t n = 0; n < nodes.size(); ++n) pf.utilisation[n] += nodes[n].utilisation;
    }
    for (double& u : pf.utilisation) u /= static_cast<double>(runs.size());
    out.push_back(std::move(pf));
  }
  return out;
}

std::string energy_provenance(const SimulateSetup& setup) {
  std::vector<const profile::DeviceProfile*> seen;
  std::string parts;
  for (const sim::SimNode& node : setup.nodes) {
    const profile::DeviceProfile* p = node.profile.get();
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
    seen.push_back(p);
    if (seen.size() > 6) continue;
    std::string how;
    if (p->kind == profile::ProfileKind::kReference) {
      how = "reference profile, derived from published figures";
    } else {
      how = std::string(p->meter.measured ? "fitted to energy measured by " : "fitted to energy ESTIMATED by ") +
            p->meter.name;
    }
    parts += (parts.empty() ? "" : "; ") + p->device.name + ": " + how;
  }
  if (seen.size() > 6) parts += fmt::format("; and {} more profiles", seen.size() - 6);
  return fmt::format(
      "energy: ESTIMATED by the simulator from each device profile's energy model ({}), times lognormal noise "
      "(sigma {:g}); idle draw from the profiles' idle watts",
      parts, setup.options.energy_noise_sigma);
}

std::string carbon_provenance(const SimulateSetup& setup) {
  std::map<std::string, const sim::ZoneTrace*> traced;
  for (const sim::ZoneTrace& t : setup.traces.traced) traced[t.zone] = &t;
  constexpr std::size_t kListed = 8;
  std::vector<std::string> zones;
  std::string parts;
  for (std::size_t n = 0; n < setup.nodes.size(); ++n) {
    const std::string& zone = setup.nodes[n].zone;
    if (std::find(zones.begin(), zones.end(), zone) != zones.end()) continue;
    zones.push_back(zone);
    if (zones.size() > kListed) continue;
    std::string source;
    if (auto it = traced.find(zone); it != traced.end()) {
      source = "hourly trace " + it->second->file.string();
    } else {
      source = n < setup.node_carbon_specs.size() ? setup.node_carbon_specs[n] : std::string(setup.nodes[n].carbon->name());
    }
    parts += (parts.empty() ? "" : "; ") + zone + " " + source;
  }
  if (zones.size() > kListed) parts += fmt::format("; and {} more zones", zones.size() - kListed);
  return fmt::format("carbon: energy x grid intensity x PUE, intensity refreshed every {:g} s from: {}",
                     setup.options.intensity_refresh_s, parts);
}

std::string render_text(const SimulateSetup& setup, std::span<const SeedRun> runs) {
  const std::vector<PolicyFigures> summary = summarise(runs);
  std::string out = fmt::format("greenroute simulate: {} from {}; workload {} ({}); {}\n",
                                plural(setup.nodes.size(), "node"), setup.cluster_file, setup.workload_file,
                                workload_text(setup.workload), seeds_text(setup.seeds));
  double requests = 0;
  for (const SeedRun& r : runs) requests += static_cast<double>(r.requests);
  out += fmt::format("requests per run: {}{}\n", num(requests / static_cast<double>(std::max<std::size_t>(1, runs.size()))),
                     runs.size() > 1 ? " (mean over seeds)" : "");
  if (!setup.lengths_from.empty()) out += setup.lengths_from + "\n";
  out += energy_provenance(setup) + "\n";
  out += carbon_provenance(setup) + "\n\n";

  bool any_slo = false;
  bool any_rejected = false;
  for (const PolicyFigures& pf : summary) {
    any_slo |= pf.figures[figure_index("slo_requests")].mean > 0;
    any_rejected |= pf.figures[figure_index("rejected")].mean > 0;
  }
  std::vector<std::string> keys = {"latency_mean_ms", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms"};
  if (any_slo) keys.push_back(runs.size() == 1 ? "slo_violations" : "slo_violation_pct");
  if (any_rejected) keys.push_back("rejected");
  for (const char* k : {"throughput_rps", "utilisation_mean_pct", "energy_kwh", "carbon_g", "saved_vs_baseline_g",
                        "saved_vs_baseline_pct"}) {
    keys.push_back(k);
  }
  report::TextTable table;
  table.headers.push_back("policy");
  table.align.push_back(report::Align::kLeft);
  for (const std::string& k : keys) {
    table.headers.push_back(kFigures[figure_index(k)].label);
    table.align.push_back(report::Align::kRight);
  }
  for (const PolicyFigures& pf : summary) {
    std::vector<std::string> row = {pf.policy + (pf.policy == setup.baseline ? " (baseline)" : "")};
    for (const std::string& k : keys) {
      const sim::MeanCi& m = pf.figures[figure_index(k)];
      if (k == "slo_violations" && runs.size() == 1) {
        const double asked = pf.figures[figure_index("slo_requests")].mean;
        row.push_back(fmt::format("{:.0f}/{:.0f}", m.mean, asked));
      } else {
        row.push_back(cell(m));
      }
    }
    table.rows.push_back(std::move(row));
  }
  auto rendered = report::render_text_table(table);
  out += rendered.is_ok() ? *rendered : rendered.status().message() + "\n";
  out += fmt::format(
      "latency: arrival to completion (queue + batch); util: busy time / makespan, mean over nodes; saved: {}'s "
      "gCO2e minus the policy's on the same requests{}\n",
      setup.baseline, any_slo ? "; SLO missed: completed later than the request's SLO" : "");
  if (any_rejected) out += "rejected: no node could take the request when it arrived (every queue full, ...)\n";

  // Utilisation per device.
  const std::vector<UtilGroup> groups = utilisation_groups(setup);
  const bool per_node = groups.size() == setup.nodes.size() && setup.nodes.size() <= 16;
  report::TextTable util;
  util.headers = {per_node ? "node" : "nodes", "zone", "device"};
  util.align = {report::Align::kLeft, report::Align::kLeft, report::Align::kLeft};
  for (const PolicyFigures& pf : summary) {
    util.headers.push_back(pf.policy);
    util.align.push_back(report::Align::kRight);
  }
  for (const UtilGroup& g : groups) {
    const sim::SimNode& first = setup.nodes[g.nodes.front()];
    std::vector<std::string> row = {per_node ? g.name : fmt::format("{} (x{})", g.name, g.nodes.size()),
                                    g.zone.empty() ? "(several)" : g.zone, first.profile->device.name};
    for (const PolicyFigures& pf : summary) {
      double lo = 1e300;
      double hi = -1e300;
      double sum = 0;
      for (std::size_t n : g.nodes) {
        lo = std::min(lo, pf.utilisation[n]);
        hi = std::max(hi, pf.utilisation[n]);
        sum += pf.utilisation[n];
      }
      const double mean = sum / static_cast<double>(g.nodes.size());
      row.push_back(g.nodes.size() == 1 ? fmt::format("{:.1f}%", 100 * mean)
                                        : fmt::format("{:.1f}% ({:.0f}-{:.0f})", 100 * mean, 100 * lo, 100 * hi));
    }
    util.rows.push_back(std::move(row));
  }
  out += fmt::format("\nutilisation per {}{}:\n", per_node ? "node" : "group of nodes (mean, min-max)",
                     runs.size() > 1 ? ", mean over seeds" : "");
  auto util_text = report::render_text_table(util);
  out += util_text.is_ok() ? *util_text : util_text.status().message() + "\n";
  return out;
}

}  // namespace greenroute::cli
