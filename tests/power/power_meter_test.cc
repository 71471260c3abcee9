#include "greenroute/power/power_meter.h"

#include <gtest/gtest.h>

#include "power/fake_tree.h"

namespace greenroute::power {
namespace {

using testing::FakeTree;

// Keeps these tests the same on a machine with an NVIDIA driver.
const char* const kNoNvml = "/nonexistent/libnvidia-ml.so.1";

TEST(MakeMeter, UnknownNameListsKnownOnes) {
  FakeTree t;
  core::ManualClock clock;
  auto m = make_meter("nvml2", MeterRoots{t.root(), t.root(), {}, kNoNvml}, clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("'nvml2'"), std::string::npos);
  EXPECT_NE(m.status().message().find("nvml, rapl, hwmon, jetson, cpu-estimate"), std::string::npos)
      << m.status().message();
}

TEST(MakeMeter, SelectsByNameAndReportsAbsence) {
  FakeTree sys;
  FakeTree proc;
  sys.write("class/powercap/intel-rapl:0/name", "package-0\n");
  sys.write("class/powercap/intel-rapl:0/energy_uj", "10\n");
  sys.write("class/powercap/intel-rapl:0/max_energy_range_uj", "1000000\n");
  proc.write("stat", "cpu 1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n");
  const MeterRoots roots{sys.root(), proc.root(), {}, kNoNvml};
  core::ManualClock clock;
  auto rapl = make_meter("rapl", roots, clock);
  ASSERT_TRUE(rapl.is_ok()) << rapl.status().to_string();
  EXPECT_EQ((*rapl)->info().name, "rapl");
  auto jetson = make_meter("jetson", roots, clock);
  ASSERT_FALSE(jetson.is_ok());
  EXPECT_EQ(jetson.status().code(), core::StatusCode::kNotFound);

  auto all = detect_meters(roots, clock);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->info().name, "rapl");
  EXPECT_EQ(all[1]->info().name, "cpu-estimate");
  EXPECT_FALSE(all[1]->info().measured);
}

TEST(DetectMeters, EmptyTreesFindNothing) {
  FakeTree t;
  core::ManualClock clock;
  EXPECT_TRUE(detect_meters(MeterRoots{t.root(), t.root(), {}, kNoNvml}, clock).empty());
}

}  // namespace
}  // namespace greenroute::power
