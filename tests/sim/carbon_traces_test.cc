// apply_carbon_traces: a folder of per-zone CSV traces replaces the carbon
// source of its zones' nodes, leaves the others alone, and refuses folders
// and files that cannot be what the user meant.
#include "greenroute/sim/carbon_traces.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "greenroute/carbon/static_source.h"
#include "greenroute/profile/reference_profiles.h"

namespace greenroute::sim {
namespace {

namespace fs = std::filesystem;

class CarbonTracesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("greenroute_sim_traces_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto p = profile::reference_profile("jetson-orin-nx-8gb");
    ASSERT_TRUE(p.is_ok());
    const auto prof = std::make_shared<const profile::DeviceProfile>(std::move(p).value());
    const auto fixed = std::make_shared<carbon::StaticSource>(500.0);
    for (const char* zone : {"AA", "BB", "AA", "CC"}) {
      nodes_.push_back(SimNode{.name = std::string("n") + std::to_string(nodes_.size()), .zone = zone,
                               .profile = prof, .carbon = fixed, .max_batch = 0, .pue = 1.0});
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  double intensity(std::size_t node, std::int64_t at) {
    auto r = nodes_[node].carbon->intensity(nodes_[node].zone, at);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? r->g_co2_per_kwh : -1;
  }

  fs::path dir_;
  std::vector<SimNode> nodes_;
};

TEST_F(CarbonTracesTest, ReplacesTheTracedZonesOnly) {
  write("AA.csv", "timestamp,value\n2022-03-01T00:00:00Z,100\n2022-03-01T01:00:00Z,200\n");
  write("ZZ.csv", "timestamp,value\n2022-03-01T00:00:00Z,1\n");  // no node there: ignored
  auto applied = apply_carbon_traces(nodes_, dir_);
  ASSERT_TRUE(applied.is_ok()) << applied.status().to_string();
  ASSERT_EQ(applied->traced.size(), 1u);
  EXPECT_EQ(applied->traced[0].zone, "AA");
  EXPECT_EQ(applied->traced[0].nodes, 2u);
  EXPECT_EQ(applied->traced[0].points, 2u);
  EXPECT_EQ(applied->without_trace, (std::vector<std::string>{"BB", "CC"}));
  EXPECT_EQ(nodes_[0].carbon, nodes_[2].carbon);  // one source per zone
  const std::int64_t t = 1646096400;               // 2022-03-01T01:00:00Z
  EXPECT_DOUBLE_EQ(intensity(0, t), 200);
  EXPECT_DOUBLE_EQ(intensity(1, t), 500);  // BB keeps its static source
  // Looped: the same hour of another year reads the trace's year.
  EXPECT_DOUBLE_EQ(intensity(2, t + 365 * 86400), 200);
}

TEST_F(CarbonTracesTest, RefusesWhatCannotBeMeant) {
  const auto before = nodes_[0].carbon;
  auto missing = apply_carbon_traces(nodes_, dir_ / "nope");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("no such folder"), std::string::npos);
  write("file.txt", "x");
  auto not_dir = apply_carbon_traces(nodes_, dir_ / "file.txt");
  ASSERT_FALSE(not_dir.is_ok());
  EXPECT_NE(not_dir.status().message().find("not a folder"), std::string::npos);
  auto none = apply_carbon_traces(nodes_, dir_);
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("looked for AA.csv, BB.csv, CC.csv"), std::string::npos)
      << none.status().message();
  write("BB.csv", "timestamp,value\n2022-03-01T00:00:00Z,-5\n");
  auto bad = apply_carbon_traces(nodes_, dir_);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("BB.csv:2"), std::string::npos) << bad.status().message();
  EXPECT_EQ(nodes_[0].carbon, before);  // unchanged on error
}

TEST_F(CarbonTracesTest, ZoneIdsThatAreNotFileNames) {
  EXPECT_TRUE(trace_file_for(dir_, "../etc").empty());
  EXPECT_TRUE(trace_file_for(dir_, "..").empty());
  EXPECT_TRUE(trace_file_for(dir_, "").empty());
  EXPECT_EQ(trace_file_for(dir_, "US-CAL-CISO"), dir_ / "US-CAL-CISO.csv");
}

}  // namespace
}  // namespace greenroute::sim
