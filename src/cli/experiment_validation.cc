#include "experiment_validation.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greenroute/carbon/source_factory.h"
#include "greenroute/sim/cluster_sim.h"

namespace greenroute::cli::experiment {
namespace {

constexpr int kMaxIterations = 60;
constexpr double kTolerance = 0.002;

double pct_error(double sim, double live) { return live != 0 ? (sim - live) / live * 100.0 : 0.0; }

double busy_cores(const ContentionNode& n, int cores) { return std::min<double>(n.threads, std::max(1, cores)); }

// S(x) for a real x in [0, cores]: linear between (0, 0), (1, S(1)), ...
double threads_of_work(const std::vector<double>& scaling, double x) {
  if (x <= 0) return 0;
  if (scaling.empty()) return x;
  const double k = std::min(x, static_cast<double>(scaling.size()));
  const auto lo = static_cast<std::size_t>(std::floor(k));
  const double below = lo == 0 ? 0.0 : scaling[lo - 1];
  if (lo >= scaling.size()) return scaling.back();
  return below + (k - static_cast<double>(lo)) * (scaling[lo] - below);
}

// How fast one of `demand` busy threads runs, against a thread alone.
double share(const std::vector<double>& scaling, double demand, double cores) {
  if (demand <= 1) return 1;
  return threads_of_work(scaling, std::min(demand, cores)) / demand;
}

struct SimOutcome {
  sim::PolicyResult result;
  ContentionFactors factors;
  int iterations = 0;
  bool settled = true;
};

// Simulates one policy's live requests; with `contended`, iterates the
// contention factors to their fixed point (else the profiles as measured).
core::Result<SimOutcome> simulate_live(const ValidationInput& in, const std::vector<ContentionNode>& model,
                                       const std::vector<double>& scaling, const std::vector<sim::SimRequest>& requests,
                                       const std::string& policy, std::int64_t start_unix_s, double background,
                                       bool contended) {
  const std::vector<LiveNodeSpec>& specs = *in.nodes;
  std::vector<std::shared_ptr<carbon::CarbonSource>> sources;
  for (const LiveNodeSpec& n : specs) {
    GR_ASSIGN_OR_RETURN(auto source, carbon::make_carbon_source(n.zone.spec));
    sources.push_back(std::shared_ptr<carbon::CarbonSource>(std::move(source)));
  }
  sim::SimOptions options;
  // The mean prediction: the profiles' own run-to-run variation is part of
  // what is compared.
  options.latency_noise_sigma = 0;
  options.energy_noise_sigma = 0;
  options.max_wait_ms = in.max_wait_ms;
  options.start_unix_s = start_unix_s;
  options.baseline_policy = kBaselinePolicy;
  options.record_batches = contended;
  SimOutcome out;
  out.factors.latency.assign(specs.size(), 1.0);
  out.factors.energy.assign(specs.size(), 1.0);
  for (int it = 0; it < kMaxIterations; ++it) {
    std::vector<sim::SimNode> nodes;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      sim::SimNode n;
      n.name = specs[i].name;
      n.zone = specs[i].zone.zone;
      n.profile = std::make_shared<const profile::DeviceProfile>(
          scaled_profile(*specs[i].profile, out.factors.latency[i], out.factors.energy[i]));
      n.carbon = sources[i];
      nodes.push_back(std::move(n));
    }
    GR_ASSIGN_OR_RETURN(out.result, sim::simulate_policy(nodes, requests, policy, options));
    out.iterations = it + 1;
    if (!contended) break;
    std::vector<BusyInterval> schedule;
    schedule.reserve(out.result.batches.size());
    for (const sim::BatchRecord& b : out.result.batches) {
      schedule.push_back({b.node, static_cast<double>(b.start_us) * 1e-6, static_cast<double>(b.end_us) * 1e-6});
    }
    const ContentionFactors next = contention_from_schedule(model, schedule, background, in.cores, scaling);
    // Slowdown and schedule feed each other, and a policy can flip between
    // two choices as the factors move: steps of 1/(it+2) make the factors
    // the running mean of the iterates, which settles.
    const double step = 1.0 / (it + 2);
    double change = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const double l = out.factors.latency[i] + step * (next.latency[i] - out.factors.latency[i]);
      const double e = out.factors.energy[i] + step * (next.energy[i] - out.factors.energy[i]);
      change = std::max({change, std::abs(l - out.factors.latency[i]), std::abs(e - out.factors.energy[i])});
      out.factors.latency[i] = l;
      out.factors.energy[i] = e;
    }
    if (change < kTolerance) break;
    if (it + 1 == kMaxIterations) out.settled = false;
  }
  return out;
}

}  // namespace

ContentionNode contention_node(const profile::DeviceProfile& p, int threads, int cores, double idle_background,
                               double bench_background) {
  ContentionNode n;
  n.threads = threads;
  n.bench_background = bench_background;
  double sum = 0;
  int count = 0;
  for (const profile::SweepPoint& s : p.sweep) {
    if (s.saturated || !(s.mean_watts > 0)) continue;
    sum += s.mean_watts;
    ++count;
  }
  n.sweep_watts = count > 0 ? sum / count : p.idle_watts;
  const double c = std::max(1, cores);
  const double k_idle = std::min(c, idle_background);
  const double k_sweep = std::min(c, busy_cores(n, cores) + bench_background);
  // Two points of P(k) = a + w k: idle, and the sweep. When they are too
  // close to tell a slope (a machine already saturated), the sweep's power
  // is taken as all busy-core power.
  if (k_sweep - k_idle > 0.25 && n.sweep_watts >= p.idle_watts) {
    n.watts_per_core = (n.sweep_watts - p.idle_watts) / (k_sweep - k_idle);
    n.base_watts = std::max(0.0, p.idle_watts - n.watts_per_core * k_idle);
  } else {
    n.watts_per_core = n.sweep_watts / std::max(k_sweep, 1.0);
    n.base_watts = 0;
  }
  return n;
}

std::vector<double> core_scaling(const std::map<int, const profile::DeviceProfile*>& by_threads,
                                 const std::map<int, double>& bench_background, int cores, double prompt_tokens,
                                 double output_tokens) {
  const int c = std::max(1, cores);
  // A profile's latency as a quiet machine would have given it.
  auto quiet_latency = [&](int threads, const profile::DeviceProfile& p) {
    const auto bg = bench_background.find(threads);
    const double b = bg == bench_background.end() ? 0.0 : bg->second;
    const double t = std::min(threads, c);
    return p.predict_latency_ms(1, prompt_tokens, output_tokens) * std::min(1.0, c / (t + b));
  };
  const auto one = by_threads.find(1);
  if (one == by_threads.end() || one->second == nullptr) return {};
  const double l1 = quiet_latency(1, *one->second);
  if (!(l1 > 0)) return {};
  std::map<int, double> measured = {{1, 1.0}};
  for (const auto& [threads, p] : by_threads) {
    if (threads <= 1 || threads > c || p == nullptr) continue;
    const double lt = quiet_latency(threads, *p);
    if (lt > 0) measured[threads] = std::clamp(l1 / lt, 1.0, static_cast<double>(threads));
  }
  std::vector<double> s(static_cast<std::size_t>(c));
  for (int k = 1; k <= c; ++k) {
    auto hi = measured.lower_bound(k);
    if (hi != measured.end() && hi->first == k) {
      s[k - 1] = hi->second;
    } else if (hi == measured.end()) {
      const auto& [top, at_top] = *measured.rbegin();
      s[k - 1] = at_top * k / top;  // beyond what was measured: proportional
    } else {
      const auto lo = std::prev(hi);
      s[k - 1] = lo->second + (hi->second - lo->second) * (k - lo->first) / (hi->first - lo->first);
    }
  }
  return s;
}

ContentionFactors contention_from_schedule(const std::vector<ContentionNode>& nodes,
                                           const std::vector<BusyInterval>& schedule, double background, int cores,
                                           const std::vector<double>& scaling) {
  const std::size_t n = nodes.size();
  const double c = std::max(1, cores);
  ContentionFactors f;
  f.latency.assign(n, 1.0);
  f.energy.assign(n, 1.0);
  // Sweep the schedule's edges in time order, keeping which nodes are busy.
  struct Edge {
    double t;
    std::size_t node;
    int delta;
  };
  std::vector<Edge> edges;
  for (const BusyInterval& b : schedule) {
    if (b.node >= n || !(b.end_s > b.start_s)) continue;
    edges.push_back({b.start_s, b.node, +1});
    edges.push_back({b.end_s, b.node, -1});
  }
  // Ends before starts at the same instant: back-to-back batches do not overlap.
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.t < b.t || (a.t == b.t && a.delta < b.delta); });
  std::vector<int> busy(n, 0);
  std::vector<double> time(n, 0), rate(n, 0), power(n, 0);
  for (std::size_t k = 0; k + 1 <= edges.size(); ++k) {
    busy[edges[k].node] += edges[k].delta;
    if (k + 1 == edges.size()) break;
    const double dt = edges[k + 1].t - edges[k].t;
    if (dt <= 0) continue;
    double demand = background;
    for (std::size_t j = 0; j < n; ++j) {
      if (busy[j] > 0) demand += busy_cores(nodes[j], cores);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (busy[i] <= 0) continue;
      time[i] += dt;
      rate[i] += dt * share(scaling, demand, c);
      power[i] += dt * (nodes[i].base_watts + nodes[i].watts_per_core * std::min(c, demand));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (time[i] <= 0) continue;
    const double bench_rate = share(scaling, busy_cores(nodes[i], cores) + nodes[i].bench_background, c);
    f.latency[i] = bench_rate / (rate[i] / time[i]);
    const double mean_power = power[i] / time[i];
    f.energy[i] = nodes[i].sweep_watts > 0 ? f.latency[i] * mean_power / nodes[i].sweep_watts : f.latency[i];
  }
  return f;
}

profile::DeviceProfile scaled_profile(const profile::DeviceProfile& base, double latency, double energy) {
  profile::DeviceProfile p = base;
  for (double& c : p.latency_model.coef) c *= latency;
  for (double& c : p.ttft_model.coef) c *= latency;
  for (double& c : p.energy_model.coef) c *= energy;
  return p;
}

core::Result<ValidationResult> validate_live_run(const ValidationInput& in) {
  ValidationResult out;
  std::vector<ContentionNode> model;
  for (const LiveNodeSpec& n : *in.nodes) {
    const auto bg = in.bench_background_cores.find(n.threads);
    model.push_back(contention_node(*n.profile, n.threads, in.cores, in.idle_background_cores,
                                    bg == in.bench_background_cores.end() ? 0.0 : bg->second));
  }
  std::map<int, const profile::DeviceProfile*> by_threads;
  for (const LiveNodeSpec& n : *in.nodes) by_threads.emplace(n.threads, n.profile.get());
  double mean_prompt = 0;
  for (int t : in.pool->tokens) mean_prompt += t / static_cast<double>(std::max<std::size_t>(1, in.pool->tokens.size()));
  const std::vector<double> scaling =
      core_scaling(by_threads, in.bench_background_cores, in.cores, mean_prompt, in.workload->max_tokens);
  if (scaling.size() >= 2) {
    std::string list;
    for (std::size_t k = 1; k < scaling.size(); ++k) {
      list += fmt::format("{}{} threads {:.2f}x", list.empty() ? "" : ", ", k + 1, scaling[k]);
    }
    out.notes.push_back(fmt::format(
        "validation: busy threads together do {} the work of one (measured by the local profiles: a node of that "
        "many threads against one of one); the contention model shares that, not whole cores",
        list));
  }
  for (std::size_t r = 0; r < in.live->runs.size(); ++r) {
    const report::LivePolicyRun& run = in.live->runs[r];
    if (run.completed == 0) {
      out.notes.push_back("validation " + run.policy + ": skipped, no live request of this policy succeeded");
      continue;
    }
    // The requests as the client sent them: arrival = send time, prompt
    // tokens from the model's tokenizer, the full max_tokens each.
    std::vector<sim::SimRequest> requests;
    for (std::size_t k = 0; k < run.requests_log.size(); ++k) {
      const report::LiveRequest& lr = run.requests_log[k];
      sim::SimRequest s;
      s.arrival_us = static_cast<sim::SimTimeUs>(std::llround(lr.sent_s * 1e6));
      s.prompt_tokens = std::max(1, in.pool->tokens[in.workload->requests[k].prompt]);
      s.output_tokens = in.workload->max_tokens;
      if (in.workload->slo_ms > 0) s.slo_ms = in.workload->slo_ms;
      requests.push_back(s);
    }
    std::stable_sort(requests.begin(), requests.end(),
                     [](const sim::SimRequest& a, const sim::SimRequest& b) { return a.arrival_us < b.arrival_us; });
    for (std::size_t k = 0; k < requests.size(); ++k) requests[k].id = k;
    const std::int64_t start = r < in.start_unix_s.size() ? in.start_unix_s[r] : 0;
    const double background = r < in.live_background_cores.size() ? in.live_background_cores[r] : 0.0;
    GR_ASSIGN_OR_RETURN(SimOutcome naive,
                        simulate_live(in, model, scaling, requests, run.policy, start, background, false));
    GR_ASSIGN_OR_RETURN(SimOutcome fitted,
                        simulate_live(in, model, scaling, requests, run.policy, start, background, true));
    report::ValidationRow row;
    row.policy = run.policy;
    row.live_latency_mean_ms = run.latency_mean_ms;
    row.sim_latency_mean_ms = fitted.result.latency_mean_ms;
    // The live figure is the sum of usage.energy_joules: energy attributed to
    // requests while they ran, idle periods charged to nobody; the simulator's
    // counterpart is its batch energy (idle draw within batches included).
    row.live_energy_j = run.energy_j;
    row.sim_energy_j = fitted.result.batch_energy_j;
    row.latency_error_pct = pct_error(row.sim_latency_mean_ms, row.live_latency_mean_ms);
    row.energy_error_pct = pct_error(row.sim_energy_j, row.live_energy_j);
    out.rows.push_back(row);
    std::string factors;
    for (std::size_t i = 0; i < in.nodes->size(); ++i) {
      if (fitted.result.nodes[i].batches == 0) continue;
      factors += fmt::format("{}{} x{:.2f} time, x{:.2f} energy", factors.empty() ? "" : "; ", (*in.nodes)[i].name,
                             fitted.factors.latency[i], fitted.factors.energy[i]);
    }
    out.notes.push_back(fmt::format(
        "validation {}: background load {:.2f} cores; contention factors ({} iterations{}): {}; without them the "
        "simulator was off by {:+.1f}% (latency) and {:+.1f}% (energy)",
        run.policy, background, fitted.iterations, fitted.settled ? "" : ", not settled: their running mean is used",
        factors.empty() ? "none (no batch)" : factors, pct_error(naive.result.latency_mean_ms, row.live_latency_mean_ms),
        pct_error(naive.result.batch_energy_j, row.live_energy_j)));
  }
  return out;
}

}  // namespace greenroute::cli::experiment
