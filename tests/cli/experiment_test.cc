// `greenroute experiment` end to end: the reduced mode runs the real program
// (which starts real node and gateway processes) and its figures must be
// consistent; bad input must fail early and clearly; and no run, failed,
// interrupted or not, may leave a process behind.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"
#include "experiment_cluster.h"
#include "greenroute/core/child_process.h"

namespace greenroute::cli::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Processes whose command line mentions `needle` (our scratch folder: every
// process the experiment starts names a file in it).
std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* e = ::readdir(proc)) {
    const std::string pid = e->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (pid == std::to_string(::getpid())) continue;
    std::string cmdline = read_text_file(fs::path("/proc") / pid / "cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    // A zombie has an empty command line and is no running server.
    if (cmdline.find(needle) != std::string::npos) found.push_back(pid + ": " + cmdline);
  }
  ::closedir(proc);
  return found;
}

// Lets the kernel reap and the exited processes vanish before concluding.
std::vector<std::string> leftovers(const std::string& needle) {
  std::vector<std::string> left;
  for (int i = 0; i < 50; ++i) {
    left = processes_mentioning(needle);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return left;
}

// A listening socket on 127.0.0.1: a port that is surely in use.
class BusyPort {
 public:
  BusyPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 4) == 0) {
      socklen_t len = sizeof a;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
  }
  ~BusyPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = -1;
};

class ExperimentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("greenroute-exp-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    EXPECT_TRUE(leftovers(dir_.string()).empty()) << "processes left running";
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::vector<std::string> reduced_args() const {
    return {"experiment", "--reduced", "--quiet", "--out", (dir_ / "report").string(), "--model-cache",
            (dir_ / "models").string()};
  }
  fs::path dir_;
};

const json* find_policy(const json& runs, const std::string& policy) {
  for (const json& r : runs) {
    if (r["policy"] == policy) return &r;
  }
  return nullptr;
}

TEST_F(ExperimentTest, ReducedRunIsConsistent) {
  std::vector<std::string> args = reduced_args();
  args.push_back("--json");
  const RunResult r = run_greenroute(args, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << r.out;

  // The files the report and the experiment promise.
  const fs::path report = dir_ / "report";
  for (const char* file : {"report.html", "experiment.json", "profiles/local-1t.json", "profiles/local-2t.json",
                           "live/cluster.toml", "sims/reference-study.toml", "sims/large.toml"}) {
    EXPECT_TRUE(fs::is_regular_file(report / file)) << file;
  }
  int csv = 0;
  for (const auto& e : fs::directory_iterator(report)) csv += e.path().extension() == ".csv";
  EXPECT_GT(csv, 0) << "no CSV in the report directory";

  // Live: every request answered, by one of the nodes, and the policies differ as designed.
  const json& live = s["live"];
  ASSERT_TRUE(live.is_object());
  ASSERT_EQ(live["runs"].size(), 3u);
  for (const json& run : live["runs"]) {
    SCOPED_TRACE(run["policy"].get<std::string>());
    EXPECT_EQ(run["requests"].get<int>(), 8);
    EXPECT_EQ(run["completed"].get<int>(), 8);
    EXPECT_EQ(run["errors"].get<int>(), 0);
    int served = 0;
    for (const auto& [node, count] : run["requests_per_node"].items()) served += count.get<int>();
    EXPECT_EQ(served, 8);
    EXPECT_GT(run["energy_j"].get<double>(), 0);
    EXPECT_GT(run["carbon_g"].get<double>(), 0);
    EXPECT_NE(run["energy_source"].get<std::string>().find(":"), std::string::npos);  // measured: or estimated:
  }
  const json* base = find_policy(live["runs"], "greedy-fastest");
  const json* carbon = find_policy(live["runs"], "carbon-aware");
  ASSERT_TRUE(base && carbon);
  EXPECT_LE((*carbon)["carbon_g"].get<double>(), (*base)["carbon_g"].get<double>());
  // Carbon-aware prefers the cleanest zone's node (FR; the node the local
  // profiles found slowest gets it, so it is not the baseline's fastest); it
  // spills to another node only when FR's queue makes it ineligible, which a
  // slow (sanitised, loaded) machine can cause, so FR must serve the most.
  std::string fr_node;
  for (const json& n : live["nodes"]) {
    if (n["zone"] == "FR") fr_node = n["name"].get<std::string>();
  }
  ASSERT_FALSE(fr_node.empty()) << live["nodes"].dump();
  const json& per_node = (*carbon)["requests_per_node"];
  ASSERT_TRUE(per_node.contains(fr_node)) << per_node.dump();
  for (const auto& [node, count] : per_node.items()) {
    EXPECT_LE(count.get<int>(), per_node[fr_node].get<int>()) << per_node.dump();
  }

  // Validation: one row per policy, finite.
  ASSERT_EQ(s["validation"].size(), 3u);
  for (const json& v : s["validation"]) {
    EXPECT_TRUE(std::isfinite(v["latency_error_pct"].get<double>()));
    EXPECT_TRUE(std::isfinite(v["energy_error_pct"].get<double>()));
    EXPECT_GT(v["sim_latency_mean_ms"].get<double>(), 0);
  }
  // ... of its own scenario: two 1-thread nodes (one per core here), the
  // dirtiest zone first, every request answered.
  EXPECT_TRUE(fs::is_regular_file(report / "validation" / "cluster.toml"));
  const json doc_validation = json::parse(read_text_file(report / "experiment.json"), nullptr, false)["validation"];
  const json& pair = doc_validation["live"];
  ASSERT_TRUE(pair.is_object()) << doc_validation.dump();
  ASSERT_EQ(pair["nodes"].size(), 2u);
  EXPECT_EQ(pair["nodes"][0]["zone"], "PL");
  EXPECT_EQ(pair["nodes"][1]["zone"], "FR");
  for (const json& n : pair["nodes"]) EXPECT_EQ(n["threads"], 1);
  if (std::thread::hardware_concurrency() >= 2) {
    EXPECT_EQ(pair["nodes"][0]["name"], "pl-cpu1");
    EXPECT_EQ(pair["nodes"][1]["name"], "fr-cpu0");
    EXPECT_NE(read_text_file(report / "validation" / "cluster.toml").find("pinned to CPU(s) 1"), std::string::npos);
  }
  ASSERT_EQ(pair["runs"].size(), 3u);
  for (const json& run : pair["runs"]) {
    SCOPED_TRACE("validation " + run["policy"].get<std::string>());
    EXPECT_EQ(run["requests"].get<int>(), 6);
    EXPECT_EQ(run["completed"].get<int>(), 6);
  }

  // Simulations: the carbon-aware policy never emits more than the baseline on the same workloads.
  ASSERT_EQ(s["simulations"].size(), 2u);
  for (const json& sim : s["simulations"]) {
    SCOPED_TRACE(sim["name"].get<std::string>());
    EXPECT_GT(sim["requests_per_seed"].get<int>(), 0);
    const json* b = find_policy(sim["policies"], "greedy-fastest");
    const json* c = find_policy(sim["policies"], "carbon-aware");
    ASSERT_TRUE(b && c);
    EXPECT_LE((*c)["carbon_g"]["mean"].get<double>(), (*b)["carbon_g"]["mean"].get<double>());
    EXPECT_GE((*c)["saved_vs_baseline_g"]["mean"].get<double>(), 0);
  }

  // The report's own data agrees with the summary.
  const json doc = json::parse(read_text_file(report / "experiment.json"), nullptr, false);
  ASSERT_TRUE(doc.is_object());
  EXPECT_NE(read_text_file(report / "report.html").find("carbon-aware"), std::string::npos);
}

TEST_F(ExperimentTest, BadFlagsAreRefusedBeforeAnyWork) {
  struct Case {
    std::vector<std::string> extra;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--threads", "1,0"}, "--threads"},
      {{"--policies", "greedy-fastest,fastest"}, "--policies"},
      {{"--zones", "FR,DE"}, "--zones"},
      {{"--zones", "FR,DE,ZZ"}, "'ZZ'"},
      {{"--requests", "0"}, "--requests"},
      {{"--validation-requests", "10001"}, "--validation-requests"},
      {{"--sim-nodes", "1"}, "--sim-nodes"},
      {{"--carbon-traces", (dir_ / "nowhere").string()}, "not a directory"},
      {{"--model", (dir_ / "missing.gguf").string()}, "--model"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = reduced_args();
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const RunResult r = run_greenroute(args, dir_);
    EXPECT_EQ(r.exit_code, 2) << c.extra[0] << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("greenroute: error:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
}

TEST_F(ExperimentTest, MalformedTracesNameTheFileAndLine) {
  const fs::path traces = dir_ / "traces";
  fs::create_directories(traces);
  std::ofstream(traces / "SE_2022.csv") << "timestamp,value\n2022-01-01T00:00:00Z,30\n2022-01-01T01:00:00Z,-4\n";
  std::ofstream(traces / "PL_2022.csv") << "timestamp,value\n2022-01-01T00:00:00Z,800\n";
  std::vector<std::string> args = reduced_args();
  args.insert(args.end(), {"--carbon-traces", traces.string()});
  const RunResult r = run_greenroute(args, dir_);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("SE_2022.csv:3"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "models")) << "work started before the input was checked";
}

TEST_F(ExperimentTest, GatewayPortInUseIsRefusedEarly) {
  BusyPort busy;
  ASSERT_GT(busy.port(), 0);
  std::vector<std::string> args = reduced_args();
  args.insert(args.end(), {"--gateway-port", std::to_string(busy.port())});
  const RunResult r = run_greenroute(args, dir_);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--gateway-port " + std::to_string(busy.port())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
}

// The late failures: a node that cannot start, a gateway whose port is taken
// after the early check. The cluster stops whatever it started.
TEST_F(ExperimentTest, ClusterStartFailuresLeaveNothingRunning) {
  const RunResult synth = run_greenroute(
      {"model", "synth", "--preset", "tiny", "--seed", "3", "--out", (dir_ / "tiny.gguf").string()}, dir_);
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  const std::string profile = std::string(GREENROUTE_SOURCE_DIR) + "/profiles/rtx-2000-ada-16gb.json";
  auto node = [&](const std::string& name, const std::string& zone, const std::string& profile_path) {
    experiment::LiveNodeSpec n;
    n.name = name;
    n.zone.zone = zone;
    n.zone.spec = "zone-table";
    n.threads = 1;
    n.profile_path = profile_path;
    return n;
  };
  experiment::ClusterOptions o;
  o.program = GREENROUTE_BINARY;
  o.dir = dir_ / "live";
  o.model_path = (dir_ / "tiny.gguf").string();
  o.max_requests = 4;
  o.start_timeout = std::chrono::seconds(60);

  // The second node's profile does not exist: it refuses to start.
  auto bad_node = experiment::LiveCluster::start(
      o, {node("a-1t", "FR", profile), node("b-1t", "DE", (dir_ / "no-such-profile.json").string())});
  ASSERT_FALSE(bad_node.is_ok());
  EXPECT_NE(bad_node.status().message().find("node b-1t did not start"), std::string::npos)
      << bad_node.status().message();
  EXPECT_TRUE(leftovers(dir_.string()).empty());

  BusyPort busy;
  o.gateway_port = busy.port();
  auto bad_gateway = experiment::LiveCluster::start(o, {node("a-1t", "FR", profile), node("b-1t", "DE", profile)});
  ASSERT_FALSE(bad_gateway.is_ok());
  EXPECT_NE(bad_gateway.status().message().find("gateway did not start on --gateway-port"), std::string::npos)
      << bad_gateway.status().message();
  EXPECT_TRUE(leftovers(dir_.string()).empty());

  // And a good one stops cleanly.
  o.gateway_port = 0;
  auto good = experiment::LiveCluster::start(o, {node("a-1t", "FR", profile), node("b-1t", "DE", profile)});
  ASSERT_TRUE(good.is_ok()) << good.status().message();
  EXPECT_GT((*good)->gateway_port(), 0);
  EXPECT_TRUE((*good)->stop().empty());
}

TEST_F(ExperimentTest, CtrlCStopsEveryProcess) {
  std::vector<std::string> argv = {GREENROUTE_BINARY};
  const std::vector<std::string> args = reduced_args();
  argv.insert(argv.end(), args.begin(), args.end());
  argv.erase(std::find(argv.begin(), argv.end(), "--quiet"));  // the phase lines say where it is
  auto spawned = core::ChildProcess::spawn(argv, dir_, "experiment");
  ASSERT_TRUE(spawned.is_ok()) << spawned.status().to_string();
  core::ChildProcess& experiment = **spawned;
  // Wait for the live replay: the nodes and the gateway are running then.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (experiment.stderr_text().find("[4/7]") == std::string::npos && experiment.running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(experiment.running()) << experiment.stderr_text();
  ASSERT_FALSE(processes_mentioning((dir_ / "report").string()).empty()) << "no live cluster seen";
  experiment.signal(SIGINT);
  EXPECT_EQ(experiment.wait(std::chrono::seconds(60)), 130) << experiment.stderr_text();
  EXPECT_NE(experiment.stderr_text().find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::cli::testing
