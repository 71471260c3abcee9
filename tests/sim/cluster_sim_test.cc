#include "greenroute/sim/cluster_sim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "greenroute/carbon/csv_trace_source.h"
#include "greenroute/carbon/static_source.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/sim/compare.h"

namespace greenroute::sim {
namespace {

std::shared_ptr<const profile::DeviceProfile> reference(const std::string& name) {
  auto p = profile::load_profile(std::string(GREENROUTE_SOURCE_DIR) + "/profiles/" + name + ".json");
  if (!p.is_ok()) return nullptr;
  return std::make_shared<const profile::DeviceProfile>(std::move(p).value());
}

// The reference study's cluster: a Jetson in a clean zone, an RTX in a dirty one.
std::vector<SimNode> two_nodes() {
  SimNode jetson{.name = "jetson", .zone = "CLEAN", .profile = reference("jetson-orin-nx-8gb"),
                 .carbon = std::make_shared<carbon::StaticSource>(30.0), .max_batch = 0, .pue = 1.0};
  SimNode rtx{.name = "rtx", .zone = "DIRTY", .profile = reference("rtx-2000-ada-16gb"),
              .carbon = std::make_shared<carbon::StaticSource>(700.0), .max_batch = 0, .pue = 1.0};
  return {jetson, rtx};
}

WorkloadConfig load(double rate, double duration_s, std::uint64_t seed = 1) {
  WorkloadConfig w;
  w.rate = rate;
  w.duration_s = duration_s;
  w.prompt = {.kind = LengthKind::kLognormal, .values = {}, .mean = 128, .sigma = 0.5, .min = 8, .max = 1024};
  w.output = {.kind = LengthKind::kLognormal, .values = {}, .mean = 64, .sigma = 0.4, .min = 4, .max = 256};
  w.seed = seed;
  return w;
}

const PolicyResult& find(const Comparison& c, const std::string& name) {
  for (const PolicyResult& r : c.results) {
    if (r.policy == name) return r;
  }
  ADD_FAILURE() << "no result for " << name;
  return c.results.front();
}

TEST(ClusterSim, ReferenceProfilesLoad) {
  for (const SimNode& n : two_nodes()) ASSERT_NE(n.profile, nullptr) << n.name;
}

TEST(ClusterSim, CarbonAwareEmitsLessThanGreedyFastest) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(2, 300));
  ASSERT_TRUE(requests.is_ok());
  const std::vector<std::string> policies = {"greedy-fastest", "carbon-aware"};
  auto c = compare_policies(nodes, *requests, policies, SimOptions{});
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  const PolicyResult& greedy = find(*c, "greedy-fastest");
  const PolicyResult& carbon = find(*c, "carbon-aware");
  EXPECT_EQ(greedy.completed, requests->size());
  EXPECT_EQ(carbon.completed, requests->size());
  // Greedy-fastest sends (nearly) everything to the RTX, carbon-aware to the
  // Jetson. Nearly: the online correction learns that the RTX is slower than
  // its profile says for a lone request (a batch decodes to its longest
  // output), which now and then tips a request to the Jetson.
  EXPECT_GT(greedy.nodes[1].requests, requests->size() * 9 / 10);
  EXPECT_GT(carbon.nodes[0].requests, requests->size() * 9 / 10);
  EXPECT_LT(carbon.carbon_g, 0.6 * greedy.carbon_g) << carbon.carbon_g << " vs " << greedy.carbon_g;
  EXPECT_NEAR(carbon.saved_vs_baseline_g, greedy.carbon_g - carbon.carbon_g, 1e-9);
  EXPECT_DOUBLE_EQ(greedy.saved_vs_baseline_g, 0);
  EXPECT_GT(carbon.predicted_saved_g, 0);
  // The price: the slower device.
  EXPECT_GT(carbon.latency_mean_ms, greedy.latency_mean_ms);
}

TEST(ClusterSim, WithoutCorrectionGreedyFastestUsesOnlyTheFastestNode) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(2, 300));
  ASSERT_TRUE(requests.is_ok());
  SimOptions o;
  o.online_correction = false;
  auto r = simulate_policy(nodes, *requests, "greedy-fastest", o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->nodes[1].requests, requests->size());
  EXPECT_EQ(r->nodes[0].requests, 0u);
  EXPECT_EQ(r->nodes[0].batch_energy_j, 0);
  EXPECT_NEAR(r->nodes[0].idle_energy_j, nodes[0].profile->idle_watts * r->makespan_s, 1e-6);
}

TEST(ClusterSim, LatencyAwareBeatsRoundRobinUnderLoad) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(4, 300));
  ASSERT_TRUE(requests.is_ok());
  const std::vector<std::string> policies = {"round-robin", "latency-aware"};
  auto c = compare_policies(nodes, *requests, policies, SimOptions{});
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  const PolicyResult& rr = find(*c, "round-robin");
  const PolicyResult& la = find(*c, "latency-aware");
  EXPECT_LT(la.latency_mean_ms, rr.latency_mean_ms) << la.latency_mean_ms << " vs " << rr.latency_mean_ms;
  EXPECT_LE(la.latency_p50_ms, la.latency_p95_ms);
  EXPECT_LE(la.latency_p95_ms, la.latency_p99_ms);
  // Round-robin splits evenly.
  EXPECT_LE(std::max(rr.nodes[0].requests, rr.nodes[1].requests) -
                std::min(rr.nodes[0].requests, rr.nodes[1].requests),
            1u);
  EXPECT_EQ(c->results.size(), 3u);  // the baseline greedy-fastest is added
}

TEST(ClusterSim, DeterministicForASeed) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(2, 120));
  ASSERT_TRUE(requests.is_ok());
  SimOptions o;
  auto a = simulate_policy(nodes, *requests, "hybrid", o);
  auto b = simulate_policy(nodes, *requests, "hybrid", o);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->latency_mean_ms, b->latency_mean_ms);
  EXPECT_EQ(a->carbon_g, b->carbon_g);
  EXPECT_EQ(a->energy_j, b->energy_j);
  EXPECT_EQ(a->events, b->events);
  EXPECT_EQ(a->nodes[0].requests, b->nodes[0].requests);
  o.noise_seed = 2;
  auto d = simulate_policy(nodes, *requests, "hybrid", o);
  ASSERT_TRUE(d.is_ok());
  EXPECT_NE(a->energy_j, d->energy_j);
  auto other = generate_workload(load(2, 120, 9));
  ASSERT_TRUE(other.is_ok());
  auto e = simulate_policy(nodes, *other, "hybrid", SimOptions{});
  ASSERT_TRUE(e.is_ok());
  EXPECT_NE(a->latency_mean_ms, e->latency_mean_ms);
}

TEST(ClusterSim, SaturatedQueuesGrow) {
  const auto nodes = two_nodes();
  // Far above what both nodes can serve (about 15 requests/s together).
  auto shorter = generate_workload(load(60, 20));
  auto longer = generate_workload(load(60, 40));
  ASSERT_TRUE(shorter.is_ok() && longer.is_ok());
  SimOptions unbounded;
  unbounded.node_max_queue = 0;
  auto a = simulate_policy(nodes, *shorter, "greedy-least-loaded", unbounded);
  auto b = simulate_policy(nodes, *longer, "greedy-least-loaded", unbounded);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  for (std::size_t n = 0; n < 2; ++n) {
    EXPECT_GT(a->nodes[n].queue_at_last_arrival, 100u);
    // Twice as long at the same overload: about twice the backlog.
    EXPECT_GT(b->nodes[n].queue_at_last_arrival, 1.6 * static_cast<double>(a->nodes[n].queue_at_last_arrival));
  }
  // The slower node is busy from the first arrival until the backlog drains.
  EXPECT_GT(std::max(b->nodes[0].utilisation, b->nodes[1].utilisation), 0.95);
  EXPECT_GT(b->latency_mean_ms, 1.5 * a->latency_mean_ms);
  EXPECT_EQ(b->completed, longer->size());  // everything drains in the end
}

TEST(ClusterSim, EnergyIsConserved) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(1, 300));
  ASSERT_TRUE(requests.is_ok());
  SimOptions o;
  o.record_batches = true;
  o.max_wait_ms = 200;
  auto r = simulate_policy(nodes, *requests, "round-robin", o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  double batch_j = 0;
  double batch_g = 0;
  std::vector<double> busy_s(2, 0);
  std::uint64_t joined = 0;
  for (const BatchRecord& b : r->batches) {
    batch_j += b.energy_j;
    batch_g += b.carbon_g;
    busy_s[b.node] += static_cast<double>(b.end_us - b.start_us) / 1e6;
    joined += static_cast<std::uint64_t>(b.joined);
    EXPECT_GE(b.size, b.joined);
    EXPECT_GE(b.size, 1);
    EXPECT_NEAR(b.carbon_g, b.energy_j / 3.6e6 * (b.node == 0 ? 30.0 : 700.0), 1e-9);
  }
  EXPECT_EQ(joined, requests->size());  // every request joined a batch once
  EXPECT_NEAR(batch_j, r->batch_energy_j, 1e-6 * batch_j);
  double idle_expected = 0;
  double idle_g = 0;
  for (std::size_t n = 0; n < 2; ++n) {
    EXPECT_NEAR(busy_s[n], r->nodes[n].busy_s, 1e-6);
    const double idle = nodes[n].profile->idle_watts * (r->makespan_s - busy_s[n]);
    EXPECT_NEAR(r->nodes[n].idle_energy_j, idle, 1e-6 * std::max(1.0, idle));
    idle_expected += idle;
    idle_g += idle / 3.6e6 * (n == 0 ? 30.0 : 700.0);
    EXPECT_NEAR(r->nodes[n].energy_j, r->nodes[n].batch_energy_j + r->nodes[n].idle_energy_j, 1e-9);
  }
  EXPECT_NEAR(r->energy_j, batch_j + idle_expected, 1e-6 * r->energy_j);
  EXPECT_NEAR(r->energy_kwh, r->energy_j / 3.6e6, 1e-12);
  EXPECT_NEAR(r->carbon_g, batch_g + idle_g, 1e-6 * r->carbon_g);
  // Batching with max_wait: some requests joined together.
  EXPECT_TRUE(std::any_of(r->batches.begin(), r->batches.end(), [](const BatchRecord& b) { return b.joined > 1; }));
}

// Continuous batching against the profile: k alike requests that arrive
// together finish together after latency(k) and use energy(k); a request that
// arrives while another runs joins it at once instead of waiting for it.
TEST(ClusterSim, ContinuousBatchingFollowsTheProfile) {
  auto nodes = two_nodes();
  nodes.resize(1);
  const profile::DeviceProfile& prof = *nodes[0].profile;
  SimOptions exact;
  exact.latency_noise_sigma = 0;
  exact.energy_noise_sigma = 0;
  exact.online_correction = false;
  exact.record_batches = true;
  std::vector<SimRequest> together(3);
  for (SimRequest& r : together) {
    r.arrival_us = 1000;
    r.prompt_tokens = 100;
    r.output_tokens = 50;
  }
  auto r = simulate_policy(nodes, together, "round-robin", exact);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->completed, 3u);
  const double l3 = prof.predict_latency_ms(3, 100, 50);
  EXPECT_NEAR(r->latency_mean_ms, l3, 0.01);
  EXPECT_NEAR(r->batch_energy_j, prof.predict_energy_j(3, 100, 50), 1e-6 * r->batch_energy_j);
  ASSERT_EQ(r->batches.size(), 1u);
  EXPECT_EQ(r->batches[0].size, 3);
  EXPECT_EQ(r->batches[0].joined, 3);

  // The second arrives halfway through the first: it joins, and both finish
  // sooner than if it had waited (first's end + latency alone).
  const double l1 = prof.predict_latency_ms(1, 100, 50);
  std::vector<SimRequest> staggered(2, together[0]);
  staggered[1].arrival_us = 1000 + ms_to_us(l1 / 2);
  auto s = simulate_policy(nodes, staggered, "round-robin", exact);
  ASSERT_TRUE(s.is_ok());
  ASSERT_EQ(s->batches.size(), 3u);  // alone, together, the second alone
  EXPECT_EQ(s->batches[1].size, 2);
  EXPECT_EQ(s->batches[1].joined, 1);
  const double second_if_waiting = l1 + l1 / 2;  // from its arrival: the rest of the first, then its own
  EXPECT_GT(s->latency_p99_ms, l1);              // sharing slowed both down...
  EXPECT_LT(s->latency_p99_ms, second_if_waiting);  // ...but less than waiting would have
}

// A node whose queue is full is not routed to (the node agent reports its
// limit): carbon-aware routing fills the clean node's queue, then spills to
// the dirty one, instead of queueing without bound.
TEST(ClusterSim, AFullNodeQueueSpillsToAnotherNode) {
  const auto nodes = two_nodes();
  auto requests = generate_workload(load(12, 120));  // well beyond the Jetson alone
  ASSERT_TRUE(requests.is_ok());
  SimOptions bounded;
  bounded.node_max_queue = 8;
  auto spill = simulate_policy(nodes, *requests, "carbon-aware", bounded);
  ASSERT_TRUE(spill.is_ok()) << spill.status().to_string();
  EXPECT_EQ(spill->completed, requests->size());
  EXPECT_EQ(spill->rejected, 0u);
  EXPECT_EQ(spill->nodes[0].max_queue, 8u);  // filled to the limit, never beyond
  EXPECT_GT(spill->nodes[1].requests, 0u);
  EXPECT_GT(spill->nodes[0].requests, spill->nodes[1].requests / 4);

  SimOptions unbounded;
  unbounded.node_max_queue = 0;
  auto herd = simulate_policy(nodes, *requests, "carbon-aware", unbounded);
  ASSERT_TRUE(herd.is_ok());
  EXPECT_EQ(herd->nodes[1].requests, 0u);                         // everything on the clean node...
  EXPECT_GT(herd->latency_mean_ms, 5 * spill->latency_mean_ms);  // ...at a price

  // Both queues bounded at 1 far beyond capacity: some requests find no room.
  SimOptions tiny;
  tiny.node_max_queue = 1;
  auto overload = generate_workload(load(60, 30));
  ASSERT_TRUE(overload.is_ok());
  auto rejected = simulate_policy(nodes, *overload, "carbon-aware", tiny);
  ASSERT_TRUE(rejected.is_ok());
  EXPECT_GT(rejected->rejected, 0u);
  EXPECT_EQ(rejected->completed + rejected->rejected, overload->size());
  for (const NodeResult& n : rejected->nodes) EXPECT_LE(n.max_queue, 1u);
}

TEST(ClusterSim, SloViolationsAndOverridesAreCounted) {
  const auto nodes = two_nodes();
  WorkloadConfig w = load(1, 300);
  w.slo_fraction = 0.5;
  w.slo_ms = 1;  // impossible: every SLO request violates
  w.override_fraction = 0.5;
  w.override_policy = "carbon-aware";
  auto requests = generate_workload(w);
  ASSERT_TRUE(requests.is_ok());
  auto r = simulate_policy(nodes, *requests, "greedy-fastest", SimOptions{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_GT(r->slo_requests, 0u);
  EXPECT_EQ(r->slo_violations, r->slo_requests);
  // Overridden requests went to the clean Jetson, the rest to the RTX.
  EXPECT_GT(r->nodes[0].requests, 0u);
  EXPECT_GT(r->nodes[1].requests, 0u);
}

TEST(ClusterSim, SeveralSeedsGiveConfidenceIntervals) {
  const auto nodes = two_nodes();
  const std::vector<std::string> policies = {"carbon-aware"};
  const std::vector<std::uint64_t> seeds = {1, 2, 3, 4};
  auto s = compare_over_seeds(nodes, load(1, 120), policies, seeds, SimOptions{});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  ASSERT_EQ(s->size(), 2u);  // carbon-aware and the baseline
  const PolicySummary& ca = (*s)[0];
  EXPECT_EQ(ca.policy, "carbon-aware");
  EXPECT_EQ(ca.carbon_g.n, 4);
  EXPECT_GT(ca.carbon_g.half_width, 0);
  EXPECT_GT(ca.saved_vs_baseline_g.mean - ca.saved_vs_baseline_g.half_width, 0);
}

TEST(ClusterSim, MeanCi95) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  const MeanCi ci = mean_ci95(v);
  EXPECT_DOUBLE_EQ(ci.mean, 3);
  // sd = sqrt(2.5), t(4) = 2.776.
  EXPECT_NEAR(ci.half_width, 2.776 * std::sqrt(2.5) / std::sqrt(5.0), 1e-9);
  const std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(percentile_sorted(sorted, 50), 5);
  EXPECT_DOUBLE_EQ(percentile_sorted(sorted, 95), 10);
  EXPECT_DOUBLE_EQ(percentile_sorted(sorted, 0), 1);
}

TEST(ClusterSim, BadInputIsNamed) {
  auto nodes = two_nodes();
  auto requests = generate_workload(load(1, 10));
  ASSERT_TRUE(requests.is_ok());
  SimOptions o;
  o.max_wait_ms = -1;
  auto r = simulate_policy(nodes, *requests, "round-robin", o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("sim.max_wait_ms"), std::string::npos);
  o = SimOptions{};
  o.node_max_queue = -1;
  auto queue = simulate_policy(nodes, *requests, "round-robin", o);
  ASSERT_FALSE(queue.is_ok());
  EXPECT_NE(queue.status().message().find("sim.node_max_queue"), std::string::npos);
  auto p = simulate_policy(nodes, *requests, "fastest", SimOptions{});
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("unknown policy"), std::string::npos);
  nodes[1].carbon = nullptr;
  auto n = simulate_policy(nodes, *requests, "round-robin", SimOptions{});
  ASSERT_FALSE(n.is_ok());
  EXPECT_NE(n.status().message().find("sim.node[1].carbon"), std::string::npos);
}

TEST(ClusterSim, NodesFromAClusterConfig) {
  const std::string toml = R"(
[[node]]
name = "jetson"
zone = "FR"
carbon = "static:50"
profile = "jetson-orin-nx-8gb"
count = 3

[[node]]
name = "rtx"
zone = "DE"
carbon = "static:400"
profile = "rtx-2000-ada-16gb"
max_batch = 4
)";
  auto cfg = routing::parse_cluster_config(toml, routing::ConfigFormat::kToml, GREENROUTE_SOURCE_DIR,
                                           routing::LoadOptions::simulator());
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().to_string();
  auto nodes = sim_nodes_from_config(*cfg);
  ASSERT_TRUE(nodes.is_ok()) << nodes.status().to_string();
  ASSERT_EQ(nodes->size(), 4u);
  EXPECT_EQ((*nodes)[0].carbon, (*nodes)[2].carbon);  // one source per spec
  EXPECT_EQ((*nodes)[3].max_batch, 4);
  auto requests = generate_workload(load(3, 60));
  ASSERT_TRUE(requests.is_ok());
  auto r = simulate_policy(*nodes, *requests, "latency-aware", SimOptions{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->completed, requests->size());
  EXPECT_EQ(r->nodes.size(), 4u);
}

TEST(ClusterSim, RealTraceIntensityFollowsTheHour) {
  const std::string path = std::string(GREENROUTE_SHARED_DATA_DIR) + "/carbon/electricitymaps/DE_2022_hourly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  carbon::CsvTraceOptions opt;
  opt.loop_year = true;
  auto src = carbon::CsvTraceSource::load(path, opt);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  std::shared_ptr<carbon::CarbonSource> de(std::move(src).value());
  std::vector<SimNode> nodes = {SimNode{.name = "rtx", .zone = "DE", .profile = reference("rtx-2000-ada-16gb"),
                                        .carbon = de, .max_batch = 0, .pue = 1.0}};
  auto requests = generate_workload(load(0.05, 86400));  // one day, about 4300 requests
  ASSERT_TRUE(requests.is_ok());
  SimOptions o;
  o.record_batches = true;
  auto r = simulate_policy(nodes, *requests, "greedy-fastest", o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  double lo = 1e9, hi = 0;
  for (const BatchRecord& b : r->batches) {
    auto want = de->intensity("DE", o.start_unix_s + b.start_us / kUsPerS);
    ASSERT_TRUE(want.is_ok());
    // Refresh buckets (300 s) never straddle an hour, so the value is the trace's.
    EXPECT_DOUBLE_EQ(b.g_co2_per_kwh, want->g_co2_per_kwh);
    lo = std::min(lo, b.g_co2_per_kwh);
    hi = std::max(hi, b.g_co2_per_kwh);
  }
  EXPECT_GT(hi, lo);  // intensity varied over the day
}

}  // namespace
}  // namespace greenroute::sim
