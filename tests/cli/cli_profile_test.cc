// `greenroute profile show|predict` on the shipped reference profiles and on
// broken files: validation names the bad field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;
using testing::count_lines;
using testing::read_text_file;
using testing::run_greenroute;
using testing::RunResult;

class CliProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("greenroute_cli_profile_" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
  fs::path scratch_;
};

TEST_F(CliProfileTest, ShowsAReferenceProfileByName) {
  RunResult r = run_greenroute({"profile", "show", "jetson-orin-nx-8gb"}, scratch_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reference profile"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("knee:"), std::string::npos) << r.out;
}

TEST_F(CliProfileTest, ShowsTheShippedFileAndItsJson) {
  const std::string file = std::string(GREENROUTE_SOURCE_DIR) + "/profiles/rtx-2000-ada-16gb.json";
  RunResult r = run_greenroute({"profile", "show", "--json", file}, scratch_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "greenroute.profile");
  EXPECT_EQ(j["kind"], "reference");
}

TEST_F(CliProfileTest, PredictsABatchAndItsCarbon) {
  RunResult r = run_greenroute({"profile", "predict", "rtx-2000-ada-16gb", "--batch", "4", "--prompt-tokens", "256",
                                "--output-tokens", "128", "--intensity", "400", "--json"},
                               scratch_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["latency_ms"].get<double>(), 0.0);
  EXPECT_NEAR(j["energy_per_prompt_j"].get<double>() * 4, j["energy_j"].get<double>(), 1e-9);
  EXPECT_NEAR(j["grams_co2_per_prompt"].get<double>(), j["energy_per_prompt_j"].get<double>() / 3.6e6 * 400, 1e-12);

  // The Jetson is slower per batch than the RTX card, as its specifications say.
  RunResult jetson = run_greenroute({"profile", "predict", "jetson-orin-nx-8gb", "--batch", "4", "--prompt-tokens",
                                     "256", "--output-tokens", "128", "--json"},
                                    scratch_);
  ASSERT_EQ(jetson.exit_code, 0) << jetson.err;
  EXPECT_GT(nlohmann::json::parse(jetson.out)["latency_ms"].get<double>(), j["latency_ms"].get<double>());
}

TEST_F(CliProfileTest, ABrokenProfileNamesTheFieldInOneLine) {
  const std::string file = std::string(GREENROUTE_SOURCE_DIR) + "/profiles/jetson-orin-nx-8gb.json";
  auto doc = nlohmann::json::parse(read_text_file(file));
  doc["idle_watts"] = -3;
  const fs::path bad = scratch_ / "bad.json";
  std::ofstream(bad) << doc.dump(2);
  RunResult r = run_greenroute({"profile", "show", bad.string()}, scratch_);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("idle_watts"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1);

  const fs::path garbage = scratch_ / "garbage.json";
  std::ofstream(garbage) << "{ not json";
  RunResult g = run_greenroute({"profile", "show", garbage.string()}, scratch_);
  EXPECT_EQ(g.exit_code, 2);
  EXPECT_NE(g.err.find("garbage.json"), std::string::npos) << g.err;

  RunResult unknown = run_greenroute({"profile", "show", "raspberry-pi-9"}, scratch_);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("jetson-orin-nx-8gb"), std::string::npos) << unknown.err;

  RunResult batch = run_greenroute({"profile", "predict", "jetson-orin-nx-8gb", "--batch", "0"}, scratch_);
  EXPECT_EQ(batch.exit_code, 2);
}

}  // namespace
}  // namespace greenroute::cli
