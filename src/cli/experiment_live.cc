// Phases 3 and 4 of `greenroute experiment` (experiment_live.h).
#include "experiment_live.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "experiment_cluster.h"
#include "experiment_load.h"
#include "experiment_replay.h"
#include "greenroute/carbon/source_factory.h"
#include "interrupt.h"

namespace greenroute::cli::experiment {
namespace fs = std::filesystem;
namespace {

std::string self_program() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : self.string();
}

// A node on the local profile of its thread count, named "<zone>-<suffix>"
// (made unique within `names`).
LiveNodeSpec node_spec(const Plan& plan, const ZoneCarbon& zone, int threads, const std::string& suffix,
                       const LocalProfiles& local, std::set<std::string>& names) {
  LiveNodeSpec n;
  n.zone = zone;
  n.threads = threads;
  const std::string base = ascii_lower(zone.zone) + "-" + suffix;
  n.name = base;
  for (int k = 2; !names.insert(n.name).second; ++k) n.name = fmt::format("{}-{}", base, k);
  n.profile = local.by_threads.at(threads);
  n.profile_path = fs::absolute(plan.out_dir / local.path_by_threads.at(threads)).string();
  return n;
}

// The mean intensity each node reported over the run (its carbon source's
// value at the run's start when it served nothing).
void fill_node_intensities(report::LiveRun& live, std::int64_t start_unix_s) {
  for (report::LiveNode& n : live.nodes) {
    double sum = 0;
    int count = 0;
    for (const report::LivePolicyRun& r : live.runs) {
      for (const report::LiveRequest& q : r.requests_log) {
        if (q.node == n.name && q.http_status == 200) {
          sum += q.intensity_g_per_kwh;
          ++count;
        }
      }
    }
    if (count > 0) {
      n.mean_intensity_g_per_kwh = sum / count;
    } else if (auto src = carbon::make_carbon_source(n.carbon_source); src.is_ok()) {
      auto i = (*src)->intensity(n.zone, start_unix_s);
      n.mean_intensity_g_per_kwh = i.is_ok() ? i->g_co2_per_kwh : 0;
    }
  }
}

}  // namespace

LiveSetup main_live_setup(const Plan& plan, const std::vector<ZoneCarbon>& zones, const LocalProfiles& local) {
  LiveSetup s;
  s.label = "live";
  s.dir = plan.out_dir / "live";
  s.requests = plan.requests;
  std::set<std::string> names;
  for (std::size_t i = 0; i < plan.node_threads.size(); ++i) {
    const int t = plan.node_threads[i];
    s.specs.push_back(node_spec(plan, zones[i], t, fmt::format("{}t", t), local, names));
  }
  return s;
}

LiveSetup validation_setup(const Plan& plan, const std::vector<ZoneCarbon>& zones, const LocalProfiles& local) {
  LiveSetup s;
  s.label = "validation";
  s.dir = plan.out_dir / "validation";
  s.requests = plan.validation_requests;
  const auto [clean, dirty] = std::minmax_element(
      zones.begin(), zones.end(), [](const ZoneCarbon& a, const ZoneCarbon& b) { return a.mean_g_per_kwh < b.mean_g_per_kwh; });
  std::set<std::string> names;
  // The dirty node first: a policy's ties (lowest index) then go against the
  // clean grid, so carbon-aware routing has to choose it on its merits.
  const ZoneCarbon* pair[] = {&*dirty, &*clean};
  for (int i = 0; i < 2; ++i) {
    const std::string cpu = std::to_string(1 - i);  // dirty on CPU 1, clean on CPU 0
    LiveNodeSpec n = node_spec(plan, *pair[i], 1, plan.validation_pinned ? "cpu" + cpu : "1t", local, names);
    if (plan.validation_pinned) n.cpus = cpu;
    s.specs.push_back(std::move(n));
  }
  return s;
}

core::Result<LivePhases> run_live_phases(const Plan& plan, const LiveSetup& setup, const LocalProfiles& local,
                                         const std::string& model_path, int cores, const LiveHooks& hooks) {
  LivePhases out;
  out.specs = setup.specs;
  const std::vector<LiveNodeSpec>& specs = out.specs;
  const int requests = setup.requests;
  const double mean_prompt =
      std::accumulate(local.pool.tokens.begin(), local.pool.tokens.end(), 0.0) / local.pool.tokens.size();
  const profile::DeviceProfile* fastest = nullptr;
  double core_seconds = 0;  // the cheapest way to serve one mean request, in core-seconds
  for (const LiveNodeSpec& n : specs) {
    const double ms = n.profile->predict_latency_ms(1, mean_prompt, plan.max_tokens);
    if (fastest == nullptr || ms < fastest->predict_latency_ms(1, mean_prompt, plan.max_tokens)) {
      fastest = n.profile.get();
    }
    const double cs = ms / 1000.0 * std::min(n.threads, cores);
    if (core_seconds == 0 || cs < core_seconds) core_seconds = cs;
  }
  double bench_background = 0;
  for (const auto& [threads, b] : local.bench_background_cores) {
    bench_background += b / static_cast<double>(local.bench_background_cores.size());
  }
  const AutoLoad load = auto_load(*fastest, mean_prompt, plan.max_tokens, cores - bench_background, core_seconds);
  if (plan.rate <= 0 && load.cpu_bound) {
    out.notes.push_back(fmt::format(
        "the {} arrival rate was lowered to {:.2f} req/s: half of what the {:.2f} cores left free by other programs "
        "(during the bench) can serve",
        setup.label, load.rate, std::max(0.0, cores - bench_background)));
  }
  out.workload = make_live_workload(local.pool, requests, plan.rate > 0 ? plan.rate : load.rate, plan.max_tokens,
                                    plan.slo_ms > 0 ? plan.slo_ms : load.slo_ms, plan.seed);
  // Long enough for every request to wait behind all the others on the slowest node.
  const std::int64_t timeout_ms = std::max<std::int64_t>(
      120000, static_cast<std::int64_t>(3 * requests * load.service_ms * specs.size()));
  ClusterOptions co;
  co.program = self_program();
  co.dir = setup.dir;
  co.model_path = model_path;
  co.model_id = local.model_id;
  co.gateway_port = plan.gateway_port;
  co.seed = plan.seed;
  co.max_requests = requests;
  co.request_timeout_ms = timeout_ms;
  co.should_stop = [] { return interrupt_requested(); };
  co.message = hooks.progress.message;
  auto cluster = LiveCluster::start(co, specs);
  if (interrupt_requested()) return core::unavailable("interrupted");
  if (!cluster.is_ok()) return cluster.status();
  const LiveWorkload& workload = out.workload;

  hooks.begin_replay(fmt::format("{} replay: {} policies x {}", setup.label, plan.policies.size(), workload.description));
  report::LiveRun& live = out.run;
  live.workload = workload.description;
  live.baseline_policy = kBaselinePolicy;
  live.machine_cores = cores;
  for (const LiveNodeSpec& n : specs) {
    live.nodes.push_back(report::LiveNode{.name = n.name, .zone = n.zone.zone, .threads = n.threads,
                                          .carbon_source = n.zone.spec, .mean_intensity_g_per_kwh = 0});
  }
  std::vector<int> ports;
  for (std::size_t i = 0; i < specs.size(); ++i) ports.push_back((*cluster)->node_port(i));
  warm_up_nodes(ports, local.model_id, local.pool.texts.front(), plan.max_tokens);
  ReplayOptions ro;
  ro.gateway_port = (*cluster)->gateway_port();
  ro.model_id = local.model_id;
  ro.timeout_ms = timeout_ms;
  ro.abort = [&cluster] { (*cluster)->stop(); };
  std::vector<std::int64_t>& starts = out.starts;
  std::vector<double>& backgrounds = out.backgrounds;
  int short_outputs = 0;
  for (std::size_t k = 0; k < plan.policies.size(); ++k) {
    const std::string& policy = plan.policies[k];
    if (k > 0) {
      // A fresh gateway per policy: no routing state carried from the last.
      ClusterOptions quiet = co;
      quiet.message = nullptr;
      if (core::Status s = (*cluster)->restart_gateway(quiet, "gateway-" + policy); !s.is_ok()) {
        if (interrupt_requested()) return core::unavailable("interrupted");
        return s;
      }
      ro.gateway_port = (*cluster)->gateway_port();
    }
    starts.push_back(std::time(nullptr));
    // One progress bar over every policy's requests.
    ProgressSink sink = hooks.progress;
    const auto update = sink.update;
    const int n = requests;
    const int runs = static_cast<int>(plan.policies.size());
    sink.update = [update, k, n, runs](int done, int, const std::string& what) {
      update(static_cast<int>(k) * n + done, runs * n, what);
    };
    auto probe = CpuLoadProbe::start((*cluster)->pids());
    auto r = replay_policy(ro, workload, local.pool, policy, sink);
    double background = 0;
    if (probe.is_ok()) {
      if (auto used = probe->finish(); used.is_ok()) background = used->background_cores;
    }
    backgrounds.push_back(background);
    if (interrupt_requested()) return core::unavailable("interrupted");
    if (!r.is_ok()) return r.status().with_context("replay " + policy);
    short_outputs += r->short_outputs;
    live.runs.push_back(std::move(r->run));
    // Let the nodes' last metering windows close before the next policy.
    sleep_unless_interrupted(500'000'000);
  }
  for (const std::string& w : (*cluster)->stop()) out.notes.push_back(setup.label + " cluster shutdown: " + w);
  fill_node_intensities(live, starts.empty() ? std::time(nullptr) : starts.front());
  if (short_outputs > 0) {
    out.notes.push_back(fmt::format("{} {} answers ended before max_tokens (an end-of-text token); the simulator "
                                    "assumes every request generates max_tokens",
                                    short_outputs, setup.label));
  }
  std::string pinned;
  for (const LiveNodeSpec& n : specs) {
    if (!n.cpus.empty()) pinned += fmt::format("{}{} on CPU {}", pinned.empty() ? "" : ", ", n.name, n.cpus);
  }
  out.notes.push_back(fmt::format(
      "the {} nodes are processes sharing this machine's {} cores{}, each metering the whole machine; see "
      "docs/experiment.md for what that means for their energy figures",
      setup.label, cores, pinned.empty() ? "" : " (pinned: " + pinned + ")"));
  {
    double live_bg = 0;
    for (double b : backgrounds) live_bg += b / std::max<std::size_t>(1, backgrounds.size());
    std::string bench_bg;
    for (const auto& [t, b] : local.bench_background_cores) {
      bench_bg += fmt::format("{}{:.2f} at {} thread(s)", bench_bg.empty() ? "" : ", ", b, t);
    }
    out.notes.push_back(fmt::format(
        "other programs kept {:.2f} of the {} cores busy on average during the {} replay ({} during the bench, "
        "{:.2f} while idle power was measured); the validation's contention model accounts for it",
        live_bg, cores, setup.label, bench_bg.empty() ? "unknown" : bench_bg, local.idle_background_cores));
  }
  std::uint64_t failed = 0;
  std::uint64_t sent = 0;
  std::vector<std::string>& dead_policies = out.dead_policies;
  for (const report::LivePolicyRun& r : live.runs) {
    failed += r.errors;
    sent += r.requests;
    if (r.completed == 0) dead_policies.push_back(r.policy);
  }
  if (failed > 0) {
    std::map<int, int> statuses;
    for (const report::LivePolicyRun& r : live.runs) {
      for (const report::LiveRequest& q : r.requests_log) {
        if (q.http_status != 200) ++statuses[q.http_status];
      }
    }
    std::string by_status;
    for (const auto& [status, count] : statuses) {
      by_status += fmt::format("{}{} x HTTP {}", by_status.empty() ? "" : ", ", count,
                               status == 0 ? "none" : std::to_string(status));
    }
    const std::string line = fmt::format("{} of {} {} requests failed ({}); logs in {}", failed, sent, setup.label,
                                         by_status, setup.dir.string());
    hooks.warn(line);
    out.notes.push_back(line);
  }
  return out;
}

}  // namespace greenroute::cli::experiment
