// The pure parts of `greenroute experiment`: flags -> plan, zone choice and
// trace loading, the CPU-contention model of the validation, workloads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "experiment.h"
#include "experiment_replay.h"
#include "experiment_validation.h"

namespace greenroute::cli::experiment {
namespace {

namespace fs = std::filesystem;

TEST(ExperimentPlan, DefaultsPerMode) {
  auto full = make_plan(Flags{}, 2);
  ASSERT_TRUE(full.is_ok()) << full.status().to_string();
  EXPECT_EQ(full->synth_preset, "smollm2-135m");
  EXPECT_EQ(full->policies.size(), 8u);
  EXPECT_EQ(full->policies.front(), kBaselinePolicy);  // the baseline runs first
  EXPECT_EQ(full->node_threads, (std::vector<int>{1, 1, 2}));
  EXPECT_EQ(full->requests, 40);
  EXPECT_EQ(full->seeds.size(), 3u);
  EXPECT_FALSE(full->baseline_added);

  Flags f;
  f.reduced = true;
  f.policies = "carbon-aware,latency-aware";
  auto reduced = make_plan(f, 1);
  ASSERT_TRUE(reduced.is_ok());
  EXPECT_EQ(reduced->synth_preset, "tiny");
  EXPECT_EQ(reduced->policies, (std::vector<std::string>{kBaselinePolicy, "carbon-aware", "latency-aware"}));
  EXPECT_TRUE(reduced->baseline_added);
  EXPECT_EQ(reduced->node_threads, (std::vector<int>{1, 1, 1}));  // one core: no two-thread node
  EXPECT_NE(reduced->command_line.find("--reduced"), std::string::npos);
}

TEST(ExperimentPlan, BadFlagsNameTheFlag) {
  auto check = [](Flags f, const std::string& flag) {
    auto p = make_plan(f, 2);
    ASSERT_FALSE(p.is_ok()) << flag;
    EXPECT_EQ(p.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(flag), std::string::npos) << p.status().message();
  };
  Flags f;
  f.threads = "1,0";
  check(f, "--threads");
  f = {};
  f.threads = "2";
  check(f, "--threads");  // one node is no cluster
  f = {};
  f.threads = "1,x";
  check(f, "--threads");
  f = {};
  f.policies = "carbon-aware,fastest";
  check(f, "--policies");
  f = {};
  f.policies = "hybrid,hybrid";
  check(f, "--policies");
  f = {};
  f.zones = "FR,DE";
  check(f, "--zones");  // three nodes by default
  f = {};
  f.rate = -1;
  check(f, "--rate");
  f = {};
  f.sim_nodes = 1;
  check(f, "--sim-nodes");
  f = {};
  f.out_dir = "";
  check(f, "--out");
}

TEST(ExperimentZones, TableZonesPutSlowNodesOnCleanGrids) {
  auto catalog = load_zone_catalog("");
  ASSERT_TRUE(catalog.is_ok());
  EXPECT_FALSE(catalog->from_traces);
  for (std::size_t i = 1; i < catalog->zones.size(); ++i) {
    EXPECT_LE(catalog->zones[i - 1].mean_g_per_kwh, catalog->zones[i].mean_g_per_kwh);
  }
  // Latency per node: the first is the fastest.
  auto zones = pick_live_zones(*catalog, {400, 800, 800}, {});
  ASSERT_TRUE(zones.is_ok());
  EXPECT_EQ((*zones)[0].zone, "PL");  // the fastest node on the dirtiest grid
  EXPECT_EQ((*zones)[1].zone, "FR");
  EXPECT_EQ((*zones)[2].zone, "DE");
  auto asked = pick_live_zones(*catalog, {800, 400}, {"gb", "NO"});
  ASSERT_TRUE(asked.is_ok());
  EXPECT_EQ((*asked)[0].zone, "GB");
  auto unknown = pick_live_zones(*catalog, {800, 400}, {"FR", "XX"});
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("'XX'"), std::string::npos);
}

class TraceDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("greenroute-exp-traces-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  fs::path dir_;
};

TEST_F(TraceDir, OneCsvPerZone) {
  write("AA_2022.csv", "timestamp,value\n2022-01-01T00:00:00Z,100\n2022-01-01T01:00:00Z,300\n");
  write("BB.csv", "timestamp,value\n2022-01-01T00:00:00Z,50\n2022-01-01T01:00:00Z,50\n");
  write("notes.txt", "ignored");
  auto c = load_zone_catalog(dir_.string());
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  ASSERT_EQ(c->zones.size(), 2u);
  EXPECT_EQ(c->zones[0].zone, "BB");  // cleanest first
  EXPECT_DOUBLE_EQ(c->zones[0].mean_g_per_kwh, 50);
  EXPECT_DOUBLE_EQ(c->zones[1].mean_g_per_kwh, 200);
  EXPECT_NE(c->zones[1].spec.find("loop=yes"), std::string::npos);
  auto hourly = hourly_intensity(c->zones[1], 1640995200, 1);
  ASSERT_TRUE(hourly.is_ok()) << hourly.status().to_string();
  ASSERT_EQ(hourly->size(), 2u);
  EXPECT_DOUBLE_EQ((*hourly)[0].second, 100);
  EXPECT_DOUBLE_EQ((*hourly)[1].second, 300);
  // Three nodes, two zones: the slowest on the cleanest.
  auto zones = pick_live_zones(*c, {800, 800, 400}, {});
  ASSERT_TRUE(zones.is_ok());
  EXPECT_EQ((*zones)[0].zone, "BB");
  EXPECT_EQ((*zones)[2].zone, "AA");
}

TEST_F(TraceDir, BadTracesAreNamed) {
  write("AA.csv", "timestamp,value\n2022-01-01T00:00:00Z,100\n2022-01-01T01:00:00Z,oops\n");
  write("BB.csv", "timestamp,value\n2022-01-01T00:00:00Z,50\n");
  auto c = load_zone_catalog(dir_.string());
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("--carbon-traces"), std::string::npos);
  EXPECT_NE(c.status().message().find("AA.csv:3"), std::string::npos) << c.status().message();

  fs::remove(dir_ / "AA.csv");
  auto one = load_zone_catalog(dir_.string());
  ASSERT_FALSE(one.is_ok());
  EXPECT_NE(one.status().message().find("at least 2 zones"), std::string::npos) << one.status().message();

  auto none = load_zone_catalog((dir_ / "missing").string());
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("not a directory"), std::string::npos);
}

// Nodes as cpu-estimate sees them: 10 W with no core busy, 5 W per busy core,
// benchmarked on a quiet machine.
ContentionNode cpu_node(int threads) {
  return ContentionNode{.threads = threads,
                        .base_watts = 10,
                        .watts_per_core = 5,
                        .bench_background = 0,
                        .sweep_watts = 10 + 5.0 * threads};
}

TEST(ExperimentContention, AloneNothingChanges) {
  const std::vector<ContentionNode> nodes = {cpu_node(1), cpu_node(1), cpu_node(2)};
  // Batches that never overlap, on two cores.
  ContentionFactors f = contention_from_schedule(nodes, {{0, 0, 1}, {1, 1, 2}, {2, 2, 3}, {0, 3, 4}}, 0, 2);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(f.latency[i], 1) << i;
    EXPECT_DOUBLE_EQ(f.energy[i], 1) << i;
  }
  // No batch at all: no factor.
  f = contention_from_schedule(nodes, {}, 0, 2);
  EXPECT_DOUBLE_EQ(f.latency[0], 1);
}

TEST(ExperimentContention, ProcessorSharingOverTheOverlap) {
  // Two single-threaded nodes on one core, busy together the whole time:
  // each at half speed, each charged the machine's 15 W for twice as long.
  ContentionFactors f = contention_from_schedule({cpu_node(1), cpu_node(1)}, {{0, 0, 2}, {1, 0, 2}}, 0, 1);
  EXPECT_DOUBLE_EQ(f.latency[0], 2);
  EXPECT_DOUBLE_EQ(f.energy[0], 2);
  // Overlapping half of node 0's busy time: mean rate (1 + 1/2) / 2.
  f = contention_from_schedule({cpu_node(1), cpu_node(1)}, {{0, 0, 2}, {1, 1, 3}}, 0, 1);
  EXPECT_DOUBLE_EQ(f.latency[0], 4.0 / 3.0);
  // Two cores, a two-thread node and a one-thread node together: 3 threads on 2 cores.
  f = contention_from_schedule({cpu_node(2), cpu_node(1)}, {{0, 0, 1}, {1, 0, 1}}, 0, 2);
  EXPECT_DOUBLE_EQ(f.latency[0], 1.5);
  EXPECT_DOUBLE_EQ(f.energy[0], 1.5);             // 20 W either way, for 1.5x as long
  EXPECT_DOUBLE_EQ(f.energy[1], 1.5 * 20 / 15);  // alone it drew 15 W
  // Sixteen cores: no slowdown, but each meter also sees the other's busy cores.
  f = contention_from_schedule({cpu_node(2), cpu_node(1)}, {{0, 0, 1}, {1, 0, 1}}, 0, 16);
  EXPECT_DOUBLE_EQ(f.latency[1], 1);
  EXPECT_DOUBLE_EQ(f.energy[1], 25.0 / 15.0);
}

TEST(ExperimentContention, BackgroundLoadRelativeToTheBench) {
  // Benched with one other core busy on two cores; the live run had the same
  // background: alone, nothing changes.
  ContentionNode n = cpu_node(1);
  n.bench_background = 1;
  n.sweep_watts = 20;
  ContentionFactors f = contention_from_schedule({n}, {{0, 0, 1}}, 1, 2);
  EXPECT_DOUBLE_EQ(f.latency[0], 1);
  EXPECT_DOUBLE_EQ(f.energy[0], 1);
  // A busier machine during the live run: 1 + 2 cores wanted of 2.
  f = contention_from_schedule({n}, {{0, 0, 1}}, 2, 2);
  EXPECT_DOUBLE_EQ(f.latency[0], 1.5);
}

// Cores that do not add up: two busy threads do 1.5 threads' work.
TEST(ExperimentContention, MeasuredCoreScaling) {
  const std::vector<double> scaling = {1.0, 1.5};
  // Two single-threaded nodes on two cores, busy together: each at 0.75.
  ContentionFactors f = contention_from_schedule({cpu_node(1), cpu_node(1)}, {{0, 0, 1}, {1, 0, 1}}, 0, 2, scaling);
  EXPECT_DOUBLE_EQ(f.latency[0], 1 / 0.75);
  // A two-thread node alone: what its bench saw, no change.
  f = contention_from_schedule({cpu_node(2)}, {{0, 0, 1}}, 0, 2, scaling);
  EXPECT_DOUBLE_EQ(f.latency[0], 1);
  // All of 1 + 1 + 2 threads busy: 1.5 / 4 each; the two-thread node benched at 1.5 / 2.
  f = contention_from_schedule({cpu_node(1), cpu_node(1), cpu_node(2)}, {{0, 0, 1}, {1, 0, 1}, {2, 0, 1}}, 0, 2,
                               scaling);
  EXPECT_DOUBLE_EQ(f.latency[0], 4 / 1.5);
  EXPECT_DOUBLE_EQ(f.latency[2], 2.0);
  // Linear scaling is the plain processor sharing.
  EXPECT_DOUBLE_EQ(contention_from_schedule({cpu_node(1), cpu_node(1)}, {{0, 0, 1}, {1, 0, 1}}, 0, 2, {1, 2}).latency[0],
                   1);
}

TEST(ExperimentContention, CoreScalingFromTheProfiles) {
  // Latency from the sequence-step term alone: two threads take 0.6 as long as one.
  profile::DeviceProfile one;
  one.latency_model = profile::analytic_model(profile::kAllTerms, {0, 0, 0, 100});
  profile::DeviceProfile two;
  two.latency_model = profile::analytic_model(profile::kAllTerms, {0, 0, 0, 60});
  const double l1 = one.predict_latency_ms(1, 10, 10);
  const double l2 = two.predict_latency_ms(1, 10, 10);
  ASSERT_GT(l1, 0);
  ASSERT_GT(l2, 0);
  std::vector<double> s = core_scaling({{1, &one}, {2, &two}}, {}, 2, 10, 10);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], 1);
  EXPECT_NEAR(s[1], l1 / l2, 1e-9);
  // Beyond the largest thread count measured: proportional.
  s = core_scaling({{1, &one}, {2, &two}}, {}, 4, 10, 10);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_NEAR(s[3], 2 * l1 / l2, 1e-9);
  // The bench of two threads ran beside one busy core: on a quiet machine it
  // would have been faster (x 2 / 3), so the scaling is higher (capped at 2).
  s = core_scaling({{1, &one}, {2, &two}}, {{2, 1.0}}, 2, 10, 10);
  EXPECT_NEAR(s[1], std::min(2.0, 1.5 * l1 / l2), 1e-9);
  // No one-thread profile: nothing to measure against.
  EXPECT_TRUE(core_scaling({{2, &two}}, {}, 2, 10, 10).empty());
}

TEST(ExperimentContention, PowerModelFromTheBench) {
  profile::DeviceProfile p;
  p.idle_watts = 12.5;  // 10 W + half a core busy elsewhere while idle was measured
  profile::SweepPoint s;
  s.mean_watts = 17.5;  // 10 W + one core (the node) + half a core
  p.sweep = {s};
  const ContentionNode n = contention_node(p, 1, 2, 0.5, 0.5);
  EXPECT_NEAR(n.base_watts, 10, 1e-9);
  EXPECT_NEAR(n.watts_per_core, 5, 1e-9);
  EXPECT_NEAR(n.sweep_watts, 17.5, 1e-9);
}

TEST(ExperimentContention, ScaledProfileScalesPredictions) {
  profile::DeviceProfile p;
  p.latency_model = profile::analytic_model(profile::kAllTerms, {10, 1, 2, 3});
  p.energy_model = profile::analytic_model(profile::kAllTerms, {1, 0.1, 0.2, 0.3});
  const profile::DeviceProfile s = scaled_profile(p, 2, 3);
  EXPECT_DOUBLE_EQ(s.predict_latency_ms(2, 10, 5), 2 * p.predict_latency_ms(2, 10, 5));
  EXPECT_DOUBLE_EQ(s.predict_energy_j(2, 10, 5), 3 * p.predict_energy_j(2, 10, 5));
}

TEST(ExperimentWorkload, SeededAndInOrder) {
  PromptPool pool;
  pool.ids = {"a", "b", "c"};
  pool.texts = {"x", "y", "z"};
  pool.tokens = {4, 8, 12};
  const LiveWorkload a = make_live_workload(pool, 200, 5, 16, 900, 7);
  const LiveWorkload b = make_live_workload(pool, 200, 5, 16, 900, 7);
  ASSERT_EQ(a.requests.size(), 200u);
  EXPECT_DOUBLE_EQ(a.requests[0].send_s, 0);
  double last = 0;
  for (std::size_t i = 0; i < a.requests.size(); ++i) {
    EXPECT_GE(a.requests[i].send_s, last);
    last = a.requests[i].send_s;
    EXPECT_EQ(a.requests[i].prompt, b.requests[i].prompt);
    EXPECT_LT(a.requests[i].prompt, 3u);
  }
  // 199 gaps of mean 1/5 s.
  EXPECT_NEAR(last / 199, 0.2, 0.06);
}

TEST(ExperimentWorkload, SummaryCountsEveryAnswer) {
  std::vector<report::LiveRequest> log(4);
  for (std::size_t i = 0; i < log.size(); ++i) {
    log[i].http_status = i == 3 ? 503 : 200;
    log[i].latency_ms = 100.0 * static_cast<double>(i + 1);
    log[i].node = i % 2 ? "b" : "a";
    log[i].energy_j = 1;
    log[i].carbon_g = 0.5;
  }
  const report::LivePolicyRun r = summarize_live_run("hybrid", log, 2.0);
  EXPECT_EQ(r.requests, 4u);
  EXPECT_EQ(r.completed, 3u);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_DOUBLE_EQ(r.latency_mean_ms, 200);
  EXPECT_DOUBLE_EQ(r.energy_j, 3);
  EXPECT_EQ(r.requests_per_node.at("a"), 2u);
  EXPECT_DOUBLE_EQ(r.throughput_rps, 1.5);
  EXPECT_EQ(r.requests_log.size(), 4u);
}

}  // namespace
}  // namespace greenroute::cli::experiment
