// The sentences under the headline table: each of our figures against the
// reference study's and, where they differ, the reason as the data shows it.
// Every clause is conditional on the figures it cites, so the text cannot
// contradict the tables beside it; when no figure explains a difference, the
// paragraph says so instead of guessing.
#include <algorithm>
#include <cmath>
#include <map>

#include "experiment_parts.h"
#include "report_text.h"

namespace greenroute::report::detail {
namespace {

constexpr std::string_view kCarbonAware = "carbon-aware";
constexpr std::string_view kLatencyAware = "latency-aware";
// Within this fraction of the study's carbon figure counts as "close".
constexpr double kCloseFraction = 0.25;

struct NodeShare {
  std::string node;
  std::string zone;
  double share = 0;           // of the policy's requests
  double utilisation = -1;    // busy fraction (simulation only); < 0 unknown
};

struct PolicyView {
  std::string policy;
  std::vector<NodeShare> nodes;
  double energy_per_request_j = NAN;
};

// What explains one source's headline figures.
struct SourceView {
  std::string label;     // "Live run", "Simulation \"large\""
  std::string baseline;
  std::vector<std::pair<std::string, double>> zones;  // zone, mean gCO2e/kWh; ascending
  std::vector<PolicyView> policies;
  int node_count = 0;
  int shared_cores = 0;  // live: the machine's cores every node shares
};

const PolicyView* find_policy(const SourceView& v, std::string_view policy) {
  for (const PolicyView& p : v.policies) {
    if (p.policy == policy) return &p;
  }
  return nullptr;
}

double zone_share(const PolicyView& p, std::string_view zone) {
  double share = 0;
  for (const NodeShare& n : p.nodes) {
    if (n.zone == zone) share += n.share;
  }
  return share;
}

// The node a policy used most (ties: the first listed).
const NodeShare* top_node(const PolicyView& p) {
  const NodeShare* top = nullptr;
  for (const NodeShare& n : p.nodes) {
    if (top == nullptr || n.share > top->share) top = &n;
  }
  return top;
}

double node_share(const PolicyView& p, std::string_view node) {
  for (const NodeShare& n : p.nodes) {
    if (n.node == node) return n.share;
  }
  return 0;
}

std::string pct(double fraction) {
  return percent_text(fraction * 100);
}

std::vector<std::pair<std::string, double>> sorted_zones(const std::map<std::string, double>& sum,
                                                         const std::map<std::string, int>& count) {
  std::vector<std::pair<std::string, double>> zones;
  for (const auto& [zone, total] : sum) zones.emplace_back(zone, total / count.at(zone));
  std::stable_sort(zones.begin(), zones.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return zones;
}

SourceView live_view(const LiveRun& live) {
  SourceView v;
  v.label = "Live run";
  v.baseline = live.baseline_policy;
  v.node_count = static_cast<int>(live.nodes.size());
  v.shared_cores = live.machine_cores;
  std::map<std::string, std::string> zone_of;
  std::map<std::string, double> sum;
  std::map<std::string, int> count;
  for (const LiveNode& n : live.nodes) {
    zone_of[n.name] = n.zone;
    sum[n.zone] += n.mean_intensity_g_per_kwh;
    ++count[n.zone];
  }
  v.zones = sorted_zones(sum, count);
  for (const LivePolicyRun& run : live.runs) {
    PolicyView p;
    p.policy = run.policy;
    std::uint64_t total = 0;
    for (const auto& [node, n] : run.requests_per_node) total += n;
    for (const auto& [node, n] : run.requests_per_node) {
      const auto zone = zone_of.find(node);
      p.nodes.push_back(NodeShare{node, zone == zone_of.end() ? "" : zone->second,
                                  total > 0 ? static_cast<double>(n) / total : 0, -1});
    }
    if (run.completed > 0) p.energy_per_request_j = run.energy_j / run.completed;
    v.policies.push_back(std::move(p));
  }
  return v;
}

SourceView sim_view(const SimScenario& s) {
  SourceView v;
  v.label = "Simulation \"" + s.name + "\"";
  v.baseline = scenario_baseline(s);
  v.node_count = s.nodes;
  std::map<std::string, double> sum;
  std::map<std::string, int> count;
  for (const auto& [zone, points] : s.intensity_by_zone) {
    for (const auto& [t, g] : points) {
      sum[zone] += g;
      ++count[zone];
    }
  }
  v.zones = sorted_zones(sum, count);
  for (const sim::PolicyResult& r : s.first_seed.results) {
    PolicyView p;
    p.policy = r.policy;
    for (const sim::NodeResult& n : r.nodes) {
      p.nodes.push_back(NodeShare{n.name, n.zone,
                                  r.completed > 0 ? static_cast<double>(n.requests) / r.completed : 0,
                                  n.utilisation});
    }
    if (r.completed > 0) p.energy_per_request_j = r.energy_j / r.completed;
    v.policies.push_back(std::move(p));
  }
  return v;
}

std::string carbon_paragraph(const SourceView& v, double reduction, const ReferenceStudy& ref) {
  std::string out = v.label + ": carbon-aware emitted " +
                    percent_text(std::fabs(reduction)) + (reduction >= 0 ? " less" : " more") +
                    " carbon than " + v.baseline + " (the study: about " +
                    percent_text(ref.carbon_reduction_pct) + " less).";
  const PolicyView* carbon = find_policy(v, kCarbonAware);
  const PolicyView* base = find_policy(v, v.baseline);
  const bool have_zones = v.zones.size() >= 2 && carbon != nullptr && base != nullptr;
  double clean_carbon = 0, clean_base = 0, ratio = 0;
  if (have_zones) {
    const auto& [clean, low] = v.zones.front();
    const auto& [dirty, high] = v.zones.back();
    clean_carbon = zone_share(*carbon, clean);
    clean_base = zone_share(*base, clean);
    ratio = low > 0 ? high / low : INFINITY;
    out += " Grid intensity ranged from " + figure_text(low) + " gCO2e/kWh (" + clean + ") to " +
           figure_text(high) + " (" + dirty + "); carbon-aware ran " + pct(clean_carbon) +
           " of its requests in " + clean + ", " + v.baseline + " " + pct(clean_base) + ".";
  }
  const double close = ref.carbon_reduction_pct * kCloseFraction;
  if (std::fabs(reduction - ref.carbon_reduction_pct) <= close) {
    return out + " That is close to the study's figure.";
  }
  if (!have_zones) {
    if (v.zones.size() < 2) {
      return out + " All nodes drew from one grid zone here, so routing could only save energy, "
                   "not pick a cleaner grid.";
    }
    return out + " The data holds no per-zone breakdown to explain the difference.";
  }
  if (reduction > ref.carbon_reduction_pct) {
    if (clean_carbon >= 0.5 && clean_base < clean_carbon) {
      return out + " Ours is larger: the dirtiest grid here is " + figure_text(ratio) +
             "x the cleanest, and carbon-aware moved most of the load to the cleanest where " +
             v.baseline + " did not.";
    }
    return out + " The figures here do not single out why ours is larger.";
  }
  if (ratio < 1.25) {
    return out + " Ours is smaller because the grids differ little (the dirtiest is only " +
           figure_text(ratio) + "x the cleanest), so where a prompt runs changes little.";
  }
  if (clean_base >= 0.5) {
    return out + " Ours is smaller because " + v.baseline + " already ran " + pct(clean_base) +
           " of its requests on the cleanest grid, leaving little to move.";
  }
  if (clean_carbon < 0.5) {
    return out + " Ours is smaller because carbon-aware kept only " + pct(clean_carbon) +
           " of its requests on the cleanest grid: it minimises each request's predicted energy "
           "x intensity, so the nodes there were predicted to cost more energy per request, or "
           "were not eligible (memory, health).";
  }
  if (carbon->energy_per_request_j > base->energy_per_request_j) {
    return out + " Ours is smaller because carbon-aware's requests cost more energy each (" +
           figure_text(carbon->energy_per_request_j) + " J against " +
           figure_text(base->energy_per_request_j) + " J under " + v.baseline +
           "), which offsets part of the cleaner grid.";
  }
  return out + " The figures here do not single out why ours is smaller.";
}

std::string speedup_paragraph(const SourceView& v, double speedup, const ReferenceStudy& ref) {
  std::string out = v.label + ": latency-aware's mean latency was ";
  const std::string ratio = speedup_text(speedup);
  if (ratio.starts_with("the same")) {
    out += "the same as " + v.baseline + "'s (" + fixed_text(speedup, 2) + "x)";
  } else {
    out += ratio + " than " + v.baseline + "'s";
  }
  out += " (the study: " + figure_text(ref.latency_speedup_low) + "-" +
         figure_text(ref.latency_speedup_high) + "x faster).";
  const PolicyView* fast = find_policy(v, kLatencyAware);
  const PolicyView* base = find_policy(v, v.baseline);
  const NodeShare* base_top = base != nullptr ? top_node(*base) : nullptr;
  const NodeShare* fast_top = fast != nullptr ? top_node(*fast) : nullptr;
  if (base_top != nullptr && fast_top != nullptr) {
    out += " Under " + v.baseline + ", " + pct(base_top->share) + " of the requests went to " +
           base_top->node + "; under latency-aware, at most " + pct(fast_top->share) +
           " went to one node (" + fast_top->node + ").";
  }
  if (speedup >= ref.latency_speedup_low && speedup <= ref.latency_speedup_high) {
    return out + " That is within the study's range.";
  }
  std::vector<std::string> reasons;
  if (speedup < ref.latency_speedup_low) {
    if (v.shared_cores > 0 && v.node_count > 1) {
      reasons.push_back("the " + std::to_string(v.node_count) + " live nodes share this machine's " +
                        std::to_string(v.shared_cores) +
                        " cores, so spreading requests over them adds no compute: latency-aware "
                        "can only shorten queueing");
    }
    if (base_top != nullptr && base_top->utilisation >= 0 && base_top->utilisation < 0.5) {
      reasons.push_back("the node " + v.baseline + " used most (" + base_top->node +
                        ") was busy only " + pct(base_top->utilisation) +
                        " of the time, so queues stayed short and there was little waiting to "
                        "avoid");
    }
    if (base_top != nullptr && fast != nullptr && node_share(*fast, base_top->node) >= 0.7) {
      reasons.push_back("latency-aware still sent " + pct(node_share(*fast, base_top->node)) +
                        " of its requests to " + base_top->node +
                        ": the other nodes were predicted slower even counting its queue");
    }
    if (reasons.empty()) return out + " The figures here do not single out why ours is smaller.";
    out += " Ours is smaller because ";
  } else {
    if (base_top != nullptr && base_top->utilisation >= 0.8) {
      reasons.push_back(v.baseline + " queued its requests on " + base_top->node + " (busy " +
                        pct(base_top->utilisation) +
                        " of the time), so spreading the load gained more than in the study");
    }
    if (reasons.empty()) return out + " The figures here do not single out why ours is larger.";
    out += " Ours is larger because ";
  }
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    if (i > 0) out += i + 1 == reasons.size() ? ", and " : ", ";
    out += reasons[i];
  }
  return out + ".";
}

const BatchPoint* point_at(const LocalBench& bench, int batch) {
  for (const BatchPoint& p : bench.points) {
    if (p.batch == batch && !p.saturated) return &p;
  }
  return nullptr;
}

std::string knee_paragraph(const LocalBench& bench, const ReferenceStudy& ref) {
  std::string out = "Local benchmark (" + (bench.device.empty() ? "this machine" : bench.device) +
                    "): ";
  if (bench.knee_batch > 0) {
    out += "the energy-efficiency knee is at batch " + std::to_string(bench.knee_batch);
  } else {
    out += "no energy-efficiency knee was found";
  }
  out += " (the study: batch " + std::to_string(ref.efficiency_knee_batch) + ").";
  const EnergyProvenance energy = energy_provenance(bench.energy_label);
  const bool matches = bench.knee_batch == ref.efficiency_knee_batch;
  if (matches) out += " It matches the study's knee.";
  // Compare batch 1 with the study's knee, else the first and last points.
  const BatchPoint* low = point_at(bench, 1);
  const BatchPoint* high = point_at(bench, ref.efficiency_knee_batch);
  if (low == nullptr || high == nullptr || low == high) {
    std::vector<const BatchPoint*> usable;
    for (const BatchPoint& p : bench.points) {
      if (!p.saturated) usable.push_back(&p);
    }
    if (usable.size() >= 2) {
      low = usable.front();
      high = usable.back();
    } else {
      return out + " Too few unsaturated batch sizes were measured to say more.";
    }
  }
  const double growth = low->throughput_tokens_per_s > 0
                            ? high->throughput_tokens_per_s / low->throughput_tokens_per_s
                            : NAN;
  const double ideal = static_cast<double>(high->batch) / low->batch;
  out += " From batch " + std::to_string(low->batch) + " to " + std::to_string(high->batch) +
         ", joules per prompt went from " + figure_text(low->joules_per_prompt) + " to " +
         figure_text(high->joules_per_prompt) + " and throughput ";
  if (std::isfinite(growth) && growth >= 1) {
    out += "grew " + figure_text(growth) + "-fold";
  } else if (std::isfinite(growth)) {
    out += "fell by " + percent_text((1 - growth) * 100);
  } else {
    out += "was not measured";
  }
  out += " (a batch " + figure_text(ideal) + " times larger can at most multiply it by " +
         figure_text(ideal) + ").";
  if (!matches && std::isfinite(growth) && growth < 0.5 * ideal) {
    out += growth <= 1 ? " Throughput did not grow with the batch: each extra prompt costs at "
                         "least as much as the first"
                       : " Each extra prompt in a batch costs nearly as much as the first";
    out += ", so decode is compute-bound here and batching saves little energy; on GPUs and Jetsons, where the "
           "study measured, small-batch decode is limited by memory bandwidth, so every batched "
           "prompt shares one pass over the weights until memory saturates, which puts their "
           "knee at batch " +
           std::to_string(ref.efficiency_knee_batch) + " (docs/bench.md).";
  } else if (!matches && std::isfinite(growth)) {
    out += " Batching scales well here (throughput grew by more than half that), so the "
           "difference lies in where the energy saving per doubling of the batch falls below "
           "the knee rule's threshold on this device (profile/knee.h).";
  }
  if (energy.estimated) {
    out += " Energy here is " + energy.text() +
           ", not read from a sensor: it follows running time, so the knee is really a "
           "throughput knee.";
  }
  return out;
}

}  // namespace

std::vector<std::string> headline_explanations(const ExperimentData& data) {
  std::vector<std::string> out;
  const std::vector<HeadlineRow> rows = headline_figures(data);
  std::vector<SourceView> views;
  if (data.live.has_value()) views.push_back(live_view(*data.live));
  for (const SimScenario& s : data.simulations) views.push_back(sim_view(s));
  // headline_figures lists the live run first, then the scenarios in order:
  // the same order as `views`.
  for (std::size_t i = 0; i < rows.size() && i < views.size(); ++i) {
    if (rows[i].carbon_reduction_pct.has_value()) {
      out.push_back(carbon_paragraph(views[i], *rows[i].carbon_reduction_pct, data.reference));
    }
  }
  for (std::size_t i = 0; i < rows.size() && i < views.size(); ++i) {
    if (rows[i].latency_speedup.has_value()) {
      out.push_back(speedup_paragraph(views[i], *rows[i].latency_speedup, data.reference));
    }
  }
  if (!data.bench.points.empty()) out.push_back(knee_paragraph(data.bench, data.reference));
  return out;
}

}  // namespace greenroute::report::detail
