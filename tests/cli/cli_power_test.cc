// `greenroute power detect|watch|measure` as a user runs them: the real
// binary on fake sysfs trees, a fake libnvidia-ml, and the real /proc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "power/fake_tree.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using power::testing::FakeTree;
using testing::count_lines;
using testing::run_greenroute;
using testing::RunResult;

constexpr const char* kNoNvml = "/nonexistent/libnvidia-ml.so.1";

class CliPowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("greenroute_cli_power_" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
    sys_.write("class/powercap/intel-rapl:0/name", "package-0\n");
    sys_.write("class/powercap/intel-rapl:0/energy_uj", "1000000\n");
    sys_.write("class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
  RunResult run(std::vector<std::string> args) { return run_greenroute(args, scratch_); }

  fs::path scratch_;
  FakeTree sys_;
};

TEST_F(CliPowerTest, DetectListsSensorsBeforeTheEstimator) {
  RunResult r = run({"power", "detect", "--sysfs-root", sys_.root(), "--nvml-library", kNoNvml, "--sample-ms", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t rapl = r.out.find("rapl  [measured]");
  const std::size_t est = r.out.find("cpu-estimate  [ESTIMATED]");
  ASSERT_NE(rapl, std::string::npos) << r.out;
  ASSERT_NE(est, std::string::npos) << r.out;
  EXPECT_LT(rapl, est);
  EXPECT_NE(r.out.find("package-0"), std::string::npos);
}

TEST_F(CliPowerTest, DetectJsonIsMachineReadable) {
  RunResult r = run({"power", "detect", "--json", "--sysfs-root", sys_.root(), "--nvml-library", kNoNvml,
                     "--sample-ms", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "rapl");
  EXPECT_TRUE(j[0]["measured"].get<bool>());
  EXPECT_EQ(j[0]["reading"]["energy_j"].get<double>(), 0.0);
  EXPECT_EQ(j[1]["name"], "cpu-estimate");
  EXPECT_FALSE(j[1]["measured"].get<bool>());
}

TEST_F(CliPowerTest, DetectReadsGpusThroughNvml) {
  const std::string cmd = std::string("FAKE_NVML_GPUS='NVIDIA RTX 2000 Ada Generation:41250:900000' ") +
                          testing::shell_quote(GREENROUTE_BINARY) + " power detect --meter nvml --nvml-library " +
                          testing::shell_quote(FAKE_NVML_PATH) + " --sample-ms 5 >" +
                          testing::shell_quote((scratch_ / "out").string()) + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string out = testing::read_text_file(scratch_ / "out");
  EXPECT_NE(out.find("nvml  [measured]"), std::string::npos) << out;
  EXPECT_NE(out.find("NVIDIA RTX 2000 Ada Generation"), std::string::npos) << out;
  EXPECT_NE(out.find("41.25 W (energy counter), memory 1024 / 16384 MiB"), std::string::npos) << out;
}

TEST_F(CliPowerTest, NoMeterAtAllIsAClearFailure) {
  FakeTree empty;
  RunResult r = run({"power", "detect", "--sysfs-root", empty.root(), "--procfs-root", empty.root(),
                     "--nvml-library", kNoNvml});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no power meter found"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1);
}

TEST_F(CliPowerTest, UnknownMeterIsAUsageError) {
  RunResult r = run({"power", "watch", "--meter", "joulemeter"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown power meter 'joulemeter'"), std::string::npos) << r.err;
}

TEST_F(CliPowerTest, WatchPrintsOneJsonLinePerReading) {
  RunResult r = run({"power", "watch", "--meter", "rapl", "--sysfs-root", sys_.root(), "--interval-ms", "20",
                     "--count", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["meter"], "rapl");
    EXPECT_EQ(j["cumulative_method"], "counter");
    EXPECT_TRUE(j["rails"].contains("package-0"));
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST_F(CliPowerTest, WatchTextIntegratesAnEstimator) {
  RunResult r = run({"power", "watch", "--meter", "cpu-estimate", "--interval-ms", "20", "--count", "2",
                     "--idle-watts", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# ESTIMATED (cpu-estimate"), std::string::npos) << r.out;
  EXPECT_EQ(count_lines(r.out), 3);
}

TEST_F(CliPowerTest, MeasureReportsEnergyAndPassesTheExitStatusOn) {
  RunResult r = run({"power", "measure", "--meter", "cpu-estimate", "--idle-watts", "10", "--interval-ms", "20",
                     "--json", "--zone", "DE", "--", "sh", "-c",
                     "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3"});
  ASSERT_EQ(r.exit_code, 3) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_EQ(j["meter"]["name"], "cpu-estimate");
  EXPECT_FALSE(j["meter"]["measured"].get<bool>());
  const double wall = j["wall_s"].get<double>();
  const double joules = j["energy_j"].get<double>();
  // The estimate is at least the idle floor over the run, and at most the
  // floor plus every core busy at the default 5 W each.
  EXPECT_GE(joules, 0.9 * 10.0 * wall) << r.out;
  EXPECT_LE(joules, 1.1 * (10.0 + 5.0 * static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN))) * wall) << r.out;
  EXPECT_GT(j["process_share_j"].get<double>(), 0.0) << "the loop used CPU time";
  EXPECT_GT(j["carbon"]["grams_co2e"].get<double>(), 0.0);
  EXPECT_NE(j["carbon"]["intensity_source"].get<std::string>().find("DE"), std::string::npos);
}

TEST_F(CliPowerTest, MeasureTakesIntensityFromAnyCarbonSource) {
  RunResult r = run({"power", "measure", "--meter", "cpu-estimate", "--idle-watts", "36", "--watts-per-core", "0",
                     "--json", "--zone", "XX", "--carbon", "static:500", "--", "sleep", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // 36 W for the run: grams = J / 3.6e6 x 500 g/kWh.
  const double joules = j["energy_j"].get<double>();
  EXPECT_NEAR(joules, 36.0 * j["wall_s"].get<double>(), 0.1 * joules);
  EXPECT_NEAR(j["carbon"]["grams_co2e"].get<double>(), joules / 3.6e6 * 500.0, 1e-12);
  EXPECT_EQ(j["carbon"]["intensity_source"], "static XX");
}

TEST_F(CliPowerTest, MeasureTextGoesToStderr) {
  RunResult r = run({"power", "measure", "--meter", "rapl", "--sysfs-root", sys_.root(), "--", "echo", "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n") << "the command's own output is untouched";
  EXPECT_NE(r.err.find("meter:   measured (rapl"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("energy:  0.000 J"), std::string::npos) << r.err;
}

TEST_F(CliPowerTest, MeasureBadInvocations) {
  RunResult missing = run({"power", "measure", "--", "/nonexistent/tool", "x"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot run '/nonexistent/tool': No such file or directory"), std::string::npos)
      << missing.err;
  EXPECT_EQ(count_lines(missing.err), 1);

  RunResult none = run({"power", "measure"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("command"), std::string::npos) << none.err;

  RunResult zone = run({"power", "measure", "--zone", "Atlantis", "--", "true"});
  EXPECT_EQ(zone.exit_code, 1);
  EXPECT_NE(zone.err.find("Atlantis"), std::string::npos) << zone.err;

  RunResult source = run({"power", "measure", "--zone", "DE", "--carbon", "static:", "--", "true"});
  EXPECT_EQ(source.exit_code, 2);
  EXPECT_NE(source.err.find("static"), std::string::npos) << source.err;

  RunResult both = run({"power", "measure", "--zone", "DE", "--intensity", "100", "--", "true"});
  EXPECT_EQ(both.exit_code, 2);

  RunResult interval = run({"power", "measure", "--interval-ms", "0", "--", "true"});
  EXPECT_EQ(interval.exit_code, 2);
}

}  // namespace
}  // namespace greenroute::cli
