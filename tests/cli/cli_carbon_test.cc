// `greenroute carbon now|trace|zones` as a user runs them (the real binary).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::count_lines;
using testing::run_greenroute;
using testing::RunResult;

class CliCarbonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("greenroute_cli_carbon_" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
    // A plain timestamp,value trace: three hours of a made-up zone.
    std::ofstream(trace_path()) << "timestamp,value\n"
                                   "2024-05-01T00:00:00Z,100\n"
                                   "2024-05-01T01:00:00Z,200\n"
                                   "2024-05-01T02:00:00Z,300\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
  std::string trace_path() const { return (scratch_ / "trace.csv").string(); }
  RunResult run(std::vector<std::string> args) { return run_greenroute(args, scratch_); }

  fs::path scratch_;
};

TEST_F(CliCarbonTest, ZonesListsTheBuiltInTable) {
  RunResult r = run({"carbon", "zones"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nDE "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nFR "), std::string::npos);
}

TEST_F(CliCarbonTest, NowFromTheZoneTableSaysWhereTheFigureCameFrom) {
  RunResult r = run({"carbon", "now", "--zone", "DE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("DE  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source: zone-table, average signal, lifecycle basis"), std::string::npos) << r.out;
}

TEST_F(CliCarbonTest, NowJsonWithAStaticSource) {
  RunResult r = run({"carbon", "now", "--zone", "anywhere", "--source", "static:123", "--at", "2024-05-01T12:00Z",
                     "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["g_co2_per_kwh"].get<double>(), 123.0);
  EXPECT_EQ(j["source"], "static");
  EXPECT_EQ(j["at"], "2024-05-01T12:00:00Z");
  EXPECT_FALSE(j["stale"].get<bool>());
}

TEST_F(CliCarbonTest, TraceStepsThroughACsvTraceWithLinearInterpolation) {
  RunResult r = run({"carbon", "trace", "--zone", "XX", "--source", "csv:" + trace_path() + ",zone=XX,interp=linear",
                     "--from", "2024-05-01", "--to", "2024-05-01T02:00Z", "--step", "30m", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 6) << r.out;  // header + 00:00, 00:30, 01:00, 01:30, 02:00
  EXPECT_NE(r.out.find("2024-05-01T00:30:00Z,XX,150.000,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2024-05-01T02:00:00Z,XX,300.000,"), std::string::npos) << r.out;
}

TEST_F(CliCarbonTest, TraceJsonKeepsTheRequestedTime) {
  RunResult r = run({"carbon", "trace", "--zone", "XX", "--source", "csv:" + trace_path() + ",zone=XX", "--from",
                     "2024-05-01T00:00Z", "--to", "2024-05-01T01:00Z", "--step", "1h", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["requested"], "2024-05-01T01:00:00Z");
  EXPECT_EQ(j[1]["g_co2_per_kwh"].get<double>(), 200.0);
}

TEST_F(CliCarbonTest, ALiveSourceThatCannotBeReachedFallsBackAndSaysSo) {
  // Port 1 on loopback refuses connections at once.
  RunResult r = run({"carbon", "now", "--zone", "GB", "--json", "--source",
                     "uk-grid:url=http://127.0.0.1:1,timeout_ms=300,fallback=static:111"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["g_co2_per_kwh"].get<double>(), 111.0);
  EXPECT_EQ(j["source"], "static");
  EXPECT_NE(r.err.find("using fallback static"), std::string::npos) << "the fallback is logged: " << r.err;
}

TEST_F(CliCarbonTest, BadInputGetsOneClearLine) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"carbon", "now", "--zone", "Atlantis"}, 1, "Atlantis"},
      {{"carbon", "now"}, 2, "--zone"},
      {{"carbon", "now", "--zone", "DE", "--source", "teleport"}, 2, "teleport"},
      {{"carbon", "now", "--zone", "DE", "--source", "static:-5"}, 2, "static"},
      {{"carbon", "now", "--zone", "DE", "--at", "yesterday"}, 2, "--at 'yesterday'"},
      {{"carbon", "now", "--zone", "DE", "--source", "csv:/nonexistent/trace.csv"}, 1, "/nonexistent/trace.csv"},
      {{"carbon", "trace", "--zone", "DE", "--from", "2024-13-01", "--to", "2024-05-02"}, 2, "--from '2024-13-01'"},
      {{"carbon", "trace", "--zone", "DE", "--from", "2024-05-02", "--to", "2024-05-01"}, 2, "before --from"},
      {{"carbon", "trace", "--zone", "DE", "--from", "2024-05-01", "--to", "2024-05-02", "--step", "0"}, 2, "--step"},
      {{"carbon", "trace", "--zone", "DE", "--from", "2024-05-01", "--to", "2024-05-02", "--step", "1x"}, 2, "--step"},
      {{"carbon", "trace", "--zone", "DE", "--from", "1990-01-01", "--to", "2024-05-02", "--step", "60"}, 2, "rows"},
      {{"carbon", "trace", "--zone", "YY", "--source", "csv:" + trace_path() + ",zone=XX", "--from", "2024-05-01",
        "--to", "2024-05-01T01:00Z"},
       1, "YY"},
  };
  for (const Case& c : cases) {
    RunResult r = run(c.args);
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, c.exit_code) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << cmd << "\n" << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << cmd << "\n" << r.err;
  }
}

}  // namespace
}  // namespace greenroute::cli
