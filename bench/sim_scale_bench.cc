// sim_scale_bench: how fast the simulator runs at scale. For each cluster size
// (default 10, 100 and 1,000 nodes) and policy (default carbon-aware,
// latency-aware, round-robin) it simulates the same 1,000,000 requests and
// prints the wall time, this process's CPU time (on a shared machine the
// wall time also counts other processes), events/s and requests/s of
// simulate_policy (workload generation is timed apart). Target (issue 6):
// 1,000 nodes x 1,000,000 requests in under 30 s on this machine, per policy
// run; events/s and requests/s are per wall-clock second.
//
//   sim_scale_bench [--nodes 10,100,1000] [--requests 1000000]
//                   [--policies carbon-aware,latency-aware,round-robin]
//                   [--load 0.6] [--out results.json]
//
// The cluster alternates the two reference profiles (Jetson Orin NX 8 GB, RTX
// 2000 Ada 16 GB) over 16 zones whose intensity follows a synthetic daily
// cycle (bench-only source below: a real trace's look-up is a binary search,
// no dearer). The Poisson rate is --load times the cluster's capacity at its
// batch knees for the workload's mean request, so queues stay finite and every
// size runs the same requests per node-second. Noise, online correction and
// the counterfactual baseline (greedy-fastest) are on, as in `greenroute
// simulate`. Exit status 1 when a run fails, 0 otherwise (the target is
// reported, not enforced: timings depend on the machine).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/file_output.h"
#include "greenroute/profile/reference_profiles.h"
#include "greenroute/sim/cluster_sim.h"
#include "greenroute/sim/workload.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace sim = greenroute::sim;

constexpr int kZones = 16;

// This process's CPU time: on a shared machine, wall time also counts the
// time other processes held the cores; both are reported.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
constexpr double kTargetSeconds = 30.0;

// A daily cycle per zone: base x (1 + 0.3 sin(2 pi (hour - phase) / 24)).
// Bases spread 30..800 g/kWh, phases spread over the day.
class DailyCycleSource final : public greenroute::carbon::CarbonSource {
 public:
  DailyCycleSource(double base, double phase_h) : base_(base), phase_h_(phase_h) {}
  std::string_view name() const override { return "bench-daily-cycle"; }
  greenroute::core::Result<greenroute::carbon::Intensity> intensity(std::string_view zone,
                                                                    std::int64_t at_unix_s) override {
    const double hour = std::fmod(static_cast<double>(at_unix_s) / 3600.0, 24.0);
    greenroute::carbon::Intensity out;
    out.g_co2_per_kwh = base_ * (1.0 + 0.3 * std::sin(2.0 * std::numbers::pi * (hour - phase_h_) / 24.0));
    out.zone = std::string(zone);
    out.at_unix_s = at_unix_s;
    out.source = "bench-daily-cycle";
    return out;
  }

 private:
  double base_;
  double phase_h_;
};

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::atoi(item.c_str()));
  return out;
}

std::vector<std::string> parse_names(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "sim_scale_bench: %s\n", message.c_str());
  std::exit(1);
}

std::vector<sim::SimNode> make_cluster(int n) {
  std::vector<std::shared_ptr<const greenroute::profile::DeviceProfile>> profiles;
  for (const std::string& name : greenroute::profile::reference_profile_names()) {
    auto p = greenroute::profile::reference_profile(name);
    if (!p.is_ok()) die(p.status().to_string());
    profiles.push_back(std::make_shared<const greenroute::profile::DeviceProfile>(std::move(p).value()));
  }
  std::vector<std::shared_ptr<greenroute::carbon::CarbonSource>> zones;
  for (int z = 0; z < kZones; ++z) {
    zones.push_back(std::make_shared<DailyCycleSource>(30.0 + 770.0 * z / (kZones - 1), 1.5 * z));
  }
  std::vector<sim::SimNode> nodes;
  for (int i = 0; i < n; ++i) {
    sim::SimNode node;
    node.name = "node-" + std::to_string(i);
    node.zone = "Z" + std::to_string(i % kZones);
    node.profile = profiles[static_cast<std::size_t>(i) % profiles.size()];
    node.carbon = zones[static_cast<std::size_t>(i % kZones)];
    node.pue = 1.0 + 0.1 * (i % 3);
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// Requests per second the cluster serves at its knees for the mean request.
double capacity_rps(const std::vector<sim::SimNode>& nodes, double prompt, double output) {
  double rps = 0;
  for (const sim::SimNode& n : nodes) {
    const int b = std::max(1, std::min(n.profile->knee_batch, n.profile->max_batch_fits));
    rps += b / (n.profile->predict_latency_ms(b, prompt, output) / 1000.0);
  }
  return rps;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {10, 100, 1000};
  std::vector<std::string> policies = {"carbon-aware", "latency-aware", "round-robin"};
  std::uint64_t requests_wanted = 1'000'000;
  double load = 0.6;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--nodes") {
      sizes = parse_ints(value());
    } else if (a == "--requests") {
      requests_wanted = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--policies") {
      policies = parse_names(value());
    } else if (a == "--load") {
      load = std::atof(value().c_str());
    } else if (a == "--out") {
      out_path = value();
    } else {
      die("unknown argument " + a + " (see the header of bench/sim_scale_bench.cc)");
    }
  }
  if (sizes.empty() || policies.empty() || requests_wanted == 0 || !(load > 0)) die("nothing to run");
  for (int n : sizes) {
    if (n < 1) die("--nodes: sizes must be >= 1");
  }

  nlohmann::json results = nlohmann::json::array();
  std::printf("%6s  %-14s  %9s  %10s  %8s  %8s  %12s  %12s  %9s\n", "nodes", "policy", "requests", "events", "wall_s",
              "cpu_s", "events/s", "requests/s", "gen_s");
  bool target_met = true;
  bool target_checked = false;
  for (int n : sizes) {
    const auto nodes = make_cluster(n);
    sim::WorkloadConfig w;
    w.rate = load * capacity_rps(nodes, w.prompt.mean, w.output.mean);
    w.duration_s = static_cast<double>(requests_wanted) / w.rate;
    w.seed = 1;
    const auto g0 = Clock::now();
    auto requests = sim::generate_workload(w);
    const double gen_s = std::chrono::duration<double>(Clock::now() - g0).count();
    if (!requests.is_ok()) die(requests.status().to_string());
    sim::SimOptions options;
    options.start_unix_s = w.start_unix_s;
    for (const std::string& policy : policies) {
      const auto t0 = Clock::now();
      const double c0 = cpu_seconds();
      auto r = sim::simulate_policy(nodes, *requests, policy, options);
      const double cpu_s = cpu_seconds() - c0;
      const double wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (!r.is_ok()) die(policy + ": " + r.status().to_string());
      const double events_per_s = static_cast<double>(r->events) / wall_s;
      const double requests_per_s = static_cast<double>(r->requests) / wall_s;
      std::printf("%6d  %-14s  %9llu  %10llu  %8.2f  %8.2f  %12.0f  %12.0f  %9.2f\n", n, policy.c_str(),
                  static_cast<unsigned long long>(r->requests), static_cast<unsigned long long>(r->events), wall_s,
                  cpu_s, events_per_s, requests_per_s, gen_s);
      std::fflush(stdout);
      if (n >= 1000 && r->requests >= 1'000'000) {
        target_checked = true;
        target_met = target_met && wall_s < kTargetSeconds;
      }
      results.push_back({{"nodes", n},
                         {"policy", policy},
                         {"requests", r->requests},
                         {"completed", r->completed},
                         {"events", r->events},
                         {"wall_s", wall_s},
                         {"cpu_s", cpu_s},
                         {"events_per_s", events_per_s},
                         {"requests_per_s", requests_per_s},
                         {"workload_generation_s", gen_s},
                         {"simulated_s", r->makespan_s},
                         {"latency_mean_ms", r->latency_mean_ms},
                         {"carbon_g", r->carbon_g}});
    }
  }
  if (target_checked) {
    std::printf("target: 1000 nodes x 1,000,000 requests in < %.0f s per policy: %s\n", kTargetSeconds,
                target_met ? "met" : "NOT met");
  }
  if (!out_path.empty()) {
    auto st = greenroute::core::write_file_atomically(out_path, results.dump(2) + "\n");
    if (!st.is_ok()) die(st.to_string());
  }
  return 0;
}
