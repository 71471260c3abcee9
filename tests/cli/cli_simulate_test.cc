// `greenroute simulate` as a user runs it (the real binary): the shipped
// example cluster and workload, shortened with --hours so each run takes a
// fraction of a second; the outputs (text, JSON, --out files); carbon traces;
// and every kind of bad input (exit 2 and a message naming the file and field).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::count_lines;
using testing::read_text_file;
using testing::run_greenroute;
using testing::RunResult;

const std::string kCluster = std::string(GREENROUTE_SOURCE_DIR) + "/examples/cluster.toml";
const std::string kClusterYaml = std::string(GREENROUTE_SOURCE_DIR) + "/examples/cluster.yaml";
const std::string kWorkload = std::string(GREENROUTE_SOURCE_DIR) + "/examples/workload.toml";
// A simulated quarter of an hour of the example workload: about 540 requests.
const std::vector<std::string> kShort = {"--cluster", kCluster, "--workload", kWorkload, "--hours", "0.25"};

class CliSimulateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("greenroute_cli_simulate_" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
  RunResult run(std::vector<std::string> extra, bool short_run = true) {
    std::vector<std::string> args = {"simulate"};
    if (short_run) args.insert(args.end(), kShort.begin(), kShort.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run_greenroute(args, scratch_);
  }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = scratch_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  // Expects exit 2 and every fragment in the one-line error.
  void expect_usage_error(const RunResult& r, const std::vector<std::string>& fragments) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.err.rfind("greenroute: error: ", 0), 0u) << r.err;
    for (const std::string& f : fragments) EXPECT_NE(r.err.find(f), std::string::npos) << "'" << f << "' in " << r.err;
  }

  fs::path scratch_;
};

const json& summary_of(const json& j, const std::string& policy) {
  for (const json& s : j["summary"]) {
    if (s["policy"] == policy) return s;
  }
  ADD_FAILURE() << "no summary for " << policy;
  return j["summary"][0];
}

double figure(const json& summary, const std::string& key) { return summary["figures"][key]["mean"].get<double>(); }

TEST_F(CliSimulateTest, PrintsEveryPolicyAgainstTheBaseline) {
  RunResult r = run({"--policies", "carbon-aware,latency-aware"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"greenroute simulate: 2 nodes", "carbon-aware", "latency-aware", "greedy-fastest (baseline)",
                        "mean ms", "p95 ms", "p99 ms", "SLO missed", "req/s", "kWh", "gCO2e", "saved g",
                        "energy: ESTIMATED", "reference profile", "carbon: energy x grid intensity x PUE",
                        "FR zone-table", "DE static:474", "utilisation per node", "jetson-a", "rtx-a"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << "'" << s << "' in\n" << r.out;
  }
  // No progress chatter for a short run, no warnings.
  EXPECT_EQ(r.err, "");
}

TEST_F(CliSimulateTest, JsonFiguresAreConsistent) {
  RunResult r = run({"--policies", "carbon-aware,round-robin", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["summary"].size(), 3u);  // the two asked for and the baseline
  EXPECT_EQ(j["baseline"], "greedy-fastest");
  const json& base = summary_of(j, "greedy-fastest");
  const json& carbon = summary_of(j, "carbon-aware");
  EXPECT_TRUE(base["baseline"].get<bool>());
  // The paired comparison: saved = baseline grams - the policy's grams.
  EXPECT_NEAR(figure(carbon, "saved_vs_baseline_g"), figure(base, "carbon_g") - figure(carbon, "carbon_g"), 1e-9);
  EXPECT_LT(figure(carbon, "carbon_g"), figure(base, "carbon_g"));  // the Jetson sits in the cleaner zone
  EXPECT_DOUBLE_EQ(figure(base, "saved_vs_baseline_g"), 0);
  for (const json& s : j["summary"]) {
    EXPECT_GT(figure(s, "requests"), 400);
    EXPECT_EQ(figure(s, "completed"), figure(s, "requests"));
    EXPECT_LE(figure(s, "latency_p50_ms"), figure(s, "latency_p95_ms"));
    EXPECT_LE(figure(s, "latency_p95_ms"), figure(s, "latency_p99_ms"));
    EXPECT_NEAR(figure(s, "energy_kwh"), figure(s, "energy_j") / 3.6e6, 1e-12);
    EXPECT_GT(figure(s, "slo_requests"), 0);  // the example gives a fifth of the requests an SLO
  }
  ASSERT_EQ(j["runs"].size(), 1u);
  const json& nodes = j["runs"][0]["results"][0]["nodes"];
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]["name"], "jetson-a");
  EXPECT_EQ(nodes[1]["zone"], "DE");
  EXPECT_NE(j["energy_provenance"].get<std::string>().find("ESTIMATED"), std::string::npos);
}

TEST_F(CliSimulateTest, DeterministicForASeedAndSeedsGiveIntervals) {
  RunResult a = run({"--policies", "hybrid", "--json", "--seed", "5"});
  RunResult b = run({"--policies", "hybrid", "--json", "--seed", "5"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  RunResult c = run({"--policies", "hybrid", "--json", "--seed", "6"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(a.out, c.out);

  RunResult s = run({"--policies", "carbon-aware", "--json", "--seeds", "3"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json j = json::parse(s.out);
  EXPECT_EQ(j["seeds"], json({1, 2, 3}));
  ASSERT_EQ(j["runs"].size(), 3u);
  const json& carbon = summary_of(j, "carbon-aware");
  EXPECT_EQ(carbon["figures"]["carbon_g"]["n"], 3);
  EXPECT_GT(carbon["figures"]["carbon_g"]["ci95"].get<double>(), 0);
  // The text form shows the intervals.
  RunResult t = run({"--policies", "carbon-aware", "--seeds", "3"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find(" ±"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("3 seeds (1..3)"), std::string::npos) << t.out;
}

TEST_F(CliSimulateTest, OutWritesCsvAndJsonOfEveryFigure) {
  const fs::path out = scratch_ / "out";
  RunResult r = run({"--policies", "carbon-aware,latency-aware", "--seeds", "2", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"summary.csv", "runs.csv", "nodes.csv", "results.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const std::string summary = read_text_file(out / "summary.csv");
  EXPECT_EQ(summary.rfind("policy,baseline,seeds,requests_mean,requests_ci95,", 0), 0u) << summary;
  EXPECT_NE(summary.find("carbon_g_mean,carbon_g_ci95"), std::string::npos);
  EXPECT_EQ(count_lines(summary), 1 + 3);
  EXPECT_EQ(count_lines(read_text_file(out / "runs.csv")), 1 + 2 * 3);       // seeds x policies
  EXPECT_EQ(count_lines(read_text_file(out / "nodes.csv")), 1 + 2 * 3 * 2);  // x nodes
  const json j = json::parse(read_text_file(out / "results.json"));
  EXPECT_EQ(j["runs"].size(), 2u);
  // Every CSV figure is in the JSON too.
  std::istringstream header(read_text_file(out / "runs.csv"));
  std::string line;
  std::getline(header, line);
  std::istringstream cols(line);
  std::string col;
  std::getline(cols, col, ',');  // seed
  std::getline(cols, col, ',');  // policy
  while (std::getline(cols, col, ',')) {
    EXPECT_TRUE(j["runs"][0]["results"][0]["figures"].contains(col)) << col;
  }
}

TEST_F(CliSimulateTest, YamlClusterAndOptionKnobs) {
  RunResult r = run_greenroute({"simulate", "--cluster", kClusterYaml, "--workload", kWorkload, "--hours", "0.05",
                                "--policies", "round-robin", "--baseline", "round-robin", "--latency-noise", "0",
                                "--energy-noise", "0", "--max-wait-ms", "200", "--no-correction", "--json"},
                               scratch_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["summary"].size(), 1u);  // the baseline is the policy asked for
  EXPECT_EQ(j["options"]["max_wait_ms"], 200);
  EXPECT_EQ(j["options"]["online_correction"], false);
}

TEST_F(CliSimulateTest, CarbonTracesReplaceTheirZonesSource) {
  // A plain timestamp,value trace for FR: one day, hourly, 10 g/kWh (looped to
  // any date). DE has no trace: it keeps static:474, and says so once.
  std::string trace = "timestamp,value\n";
  for (int h = 0; h < 24; ++h) trace += std::to_string(1656633600 + h * 3600) + ",10\n";
  write("traces/FR.csv", trace);
  RunResult r = run({"--policies", "carbon-aware", "--carbon-traces", (scratch_ / "traces").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: no carbon trace for zone DE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("static:474"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["carbon_traces"]["traced"].size(), 1u);
  EXPECT_EQ(j["carbon_traces"]["traced"][0]["zone"], "FR");
  EXPECT_EQ(j["carbon_traces"]["traced"][0]["points"], 24);
  EXPECT_EQ(j["carbon_traces"]["zones_without_trace"], json({"DE"}));
  EXPECT_NE(j["carbon_provenance"].get<std::string>().find("FR hourly trace"), std::string::npos);
  // The Jetson's grams now come from 10 g/kWh instead of FR's yearly 89.
  RunResult base = run({"--policies", "carbon-aware", "--json"});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  const json b = json::parse(base.out);
  const double traced_g = j["runs"][0]["results"][0]["nodes"][0]["carbon_g"].get<double>();
  const double table_g = b["runs"][0]["results"][0]["nodes"][0]["carbon_g"].get<double>();
  EXPECT_NEAR(traced_g / table_g, 10.0 / 89.0, 0.02);
}

TEST_F(CliSimulateTest, RealHourlyTraceFromSharedData) {
  const fs::path de = fs::path(GREENROUTE_SHARED_DATA_DIR) / "carbon/electricitymaps/DE_2022_hourly.csv";
  if (!fs::exists(de)) GTEST_SKIP() << "shared data absent: " << de;
  fs::create_directories(scratch_ / "traces");
  fs::copy_file(de, scratch_ / "traces/DE.csv");
  RunResult r = run({"--policies", "carbon-aware", "--carbon-traces", (scratch_ / "traces").string(), "--json",
                     "--start", "2022-07-01T12:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["carbon_traces"]["traced"][0]["points"], 8760);
  EXPECT_GT(figure(summary_of(j, "greedy-fastest"), "carbon_g"), 0);
}

TEST_F(CliSimulateTest, PromptLengthsFromAPromptSet) {
  // Every prompt sets max_tokens: those become the output lengths too.
  const std::string set = write("set.jsonl",
                                "{\"prompt\": \"" + std::string(400, 'a') + "\", \"max_tokens\": 7}\n"
                                "{\"messages\": [{\"role\": \"user\", \"content\": \"" + std::string(800, 'b') +
                                    "\"}], \"max_tokens\": 9}\n");
  RunResult r = run({"--policies", "carbon-aware", "--prompts", set, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["workload"]["prompt"]["kind"], "list");
  EXPECT_EQ(j["workload"]["prompt"]["values"], json({100, 200}));  // 4 bytes per token, estimated
  EXPECT_EQ(j["workload"]["output"]["values"], json({7, 9}));
  EXPECT_NE(j["lengths_from"].get<std::string>().find("ESTIMATED"), std::string::npos);
  // The built-in set: 120 prompts; outputs keep the workload's distribution.
  RunResult b = run({"--policies", "carbon-aware", "--prompts", "builtin"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.out.find("prompt lengths: the 120 prompts of builtin"), std::string::npos) << b.out;
}

TEST_F(CliSimulateTest, PromptLengthsCountedByARealTokenizer) {
  const fs::path vocab = fs::path(GREENROUTE_SHARED_DATA_DIR) / "models/ggml-vocab-llama-spm.gguf";
  if (!fs::exists(vocab)) GTEST_SKIP() << "shared data absent: " << vocab;
  const std::string set = write("set.jsonl", "{\"prompt\": \"Hello world\"}\n");
  RunResult r = run({"--policies", "carbon-aware", "--prompts", set, "--tokenizer", vocab.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  // BOS + "Hello" + " world" under the Llama-2 SentencePiece vocabulary.
  EXPECT_EQ(j["workload"]["prompt"]["values"], json({3}));
  EXPECT_NE(j["lengths_from"].get<std::string>().find("counted by the tokenizer"), std::string::npos);
}

TEST_F(CliSimulateTest, BadFilesNameTheFileAndField) {
  expect_usage_error(run_greenroute({"simulate", "--cluster", (scratch_ / "none.toml").string(), "--workload",
                                     kWorkload},
                                    scratch_),
                     {"none.toml"});
  const std::string bad_cluster = write("bad.toml", "[[node]]\nname = \"a\"\nzoen = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n");
  expect_usage_error(run_greenroute({"simulate", "--cluster", bad_cluster, "--workload", kWorkload}, scratch_),
                     {"bad.toml:3", "node[0].zoen", "unknown key"});
  const std::string bad_workload = write("w.toml", "arrival = \"poisson\"\nrate = -1\n");
  expect_usage_error(run_greenroute({"simulate", "--cluster", kCluster, "--workload", bad_workload}, scratch_),
                     {"w.toml:2", "workload.rate", "must be > 0"});
  const std::string typo = write("typo.toml", "rate = 1\n[prompt]\nmaen = 3\n");
  expect_usage_error(run_greenroute({"simulate", "--cluster", kCluster, "--workload", typo}, scratch_),
                     {"typo.toml:3", "workload.prompt.maen", "unknown key"});
  const std::string syntax = write("syntax.toml", "rate = \n");
  expect_usage_error(run_greenroute({"simulate", "--cluster", kCluster, "--workload", syntax}, scratch_),
                     {"syntax.toml:1", "TOML syntax"});
  expect_usage_error(run_greenroute({"simulate", "--cluster", kCluster, "--workload", (scratch_ / "no.toml").string()},
                                    scratch_),
                     {"no.toml", "no such file"});
}

TEST_F(CliSimulateTest, BadFlagsAreRefused) {
  expect_usage_error(run({"--policies", "carbon-aware,fastest"}), {"--policies", "unknown policy 'fastest'", "valid:"});
  expect_usage_error(run({"--policies", "carbon-aware,,hybrid"}), {"--policies", "empty name"});
  expect_usage_error(run({"--baseline", "cleanest"}), {"--baseline", "unknown policy 'cleanest'"});
  expect_usage_error(run({"--hours", "0"}), {"--hours"});
  expect_usage_error(run({"--seeds", "0"}), {"--seeds"});
  expect_usage_error(run({"--latency-noise", "-1"}), {"--latency-noise"});
  expect_usage_error(run({"--start", "yesterday"}), {"--start", "yesterday"});
  expect_usage_error(run({"--prompts", (scratch_ / "none.jsonl").string()}), {"--prompts", "none.jsonl"});
  expect_usage_error(run({"--prompts", "builtin", "--tokenizer", write("not.gguf", "text")}), {"--tokenizer", "not.gguf"});
  expect_usage_error(run({"--tokenizer", write("t.gguf", "x")}), {"--tokenizer", "--prompts"});
  expect_usage_error(run_greenroute({"simulate", "--workload", kWorkload}, scratch_), {"--cluster"});
  // Rate x duration beyond what a run holds in memory: refused up front, not an out-of-memory crash.
  const std::string huge = write("huge.toml", "rate = 100000\nduration_s = 86400\n");
  expect_usage_error(run_greenroute({"simulate", "--cluster", kCluster, "--workload", huge}, scratch_),
                     {"huge.toml", "requests per run", "--hours"});
}

TEST_F(CliSimulateTest, BadTracesAreRefused) {
  expect_usage_error(run({"--carbon-traces", (scratch_ / "missing").string()}),
                     {"--carbon-traces", "missing", "no such folder"});
  write("empty/README", "no traces here\n");
  expect_usage_error(run({"--carbon-traces", (scratch_ / "empty").string()}),
                     {"has no trace for any zone", "FR.csv", "DE.csv"});
  write("broken/FR.csv", "timestamp,value\n2022-07-01T00:00:00Z,12\n2022-07-01T01:00:00Z,lots\n");
  expect_usage_error(run({"--carbon-traces", (scratch_ / "broken").string()}), {"FR.csv:3"});
  // An Electricity Maps export of another zone under FR's name.
  write("wrong/FR.csv",
        "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO\xe2\x82\x82" "eq/kWh (direct),"
        "Carbon Intensity gCO\xe2\x82\x82" "eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,"
        "Data Estimated,Data Estimation Method\n"
        "2022-07-01 00:00:00,Germany,Germany,DE,300,350,40,35,entsoe.eu,false,\n");
  expect_usage_error(run({"--carbon-traces", (scratch_ / "wrong").string()}), {"FR.csv", "no rows for zone FR", "DE"});
}

TEST_F(CliSimulateTest, UnwritableOutputFailsWithStatusOne) {
  write("file", "x");
  RunResult r = run({"--policies", "carbon-aware", "--out", (scratch_ / "file" / "sub").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
}

TEST_F(CliSimulateTest, AnSloNoNodeCanMeetIsWarnedAbout) {
  const std::string w = write("slo.toml", "rate = 1\nduration_s = 120\nslo_fraction = 1\nslo_ms = 5\n");
  RunResult r = run_greenroute({"simulate", "--cluster", kCluster, "--workload", w, "--policies", "slo-carbon", "--json"},
                               scratch_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("workload.slo_ms 5"), std::string::npos) << r.err;
  const json j = json::parse(r.out);
  const json& s = summary_of(j, "slo-carbon");
  EXPECT_EQ(figure(s, "slo_violations"), figure(s, "slo_requests"));
}

TEST_F(CliSimulateTest, HelpNamesEveryFlag) {
  RunResult r = run_greenroute({"simulate", "--help"}, scratch_);
  ASSERT_EQ(r.exit_code, 0);
  for (const char* flag : {"--cluster", "--workload", "--policies", "--baseline", "--carbon-traces", "--hours",
                           "--seed", "--seeds", "--out", "--json", "--latency-noise", "--energy-noise",
                           "--max-wait-ms", "ESTIMATED"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace greenroute::cli
