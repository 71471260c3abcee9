#include "greenroute/power/cpu_estimate_meter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "power/fake_tree.h"

namespace greenroute::power {
namespace {

using testing::FakeTree;

// user nice system idle iowait irq softirq steal guest guest_nice
std::string stat_text(std::uint64_t user, std::uint64_t system, std::uint64_t idle, std::uint64_t iowait,
                      std::uint64_t guest) {
  std::string s = "cpu  " + std::to_string(user) + " 0 " + std::to_string(system) + " " + std::to_string(idle) +
                  " " + std::to_string(iowait) + " 0 0 0 " + std::to_string(guest) + " 0\n";
  for (int i = 0; i < 4; ++i) s += "cpu" + std::to_string(i) + " 1 0 1 1 0 0 0 0 0 0\n";
  s += "intr 12345 0 0\nctxt 999\nbtime 1700000000\nprocesses 100\n";
  return s;
}

TEST(CpuEstimateMeter, KnownUtilisationGivesKnownWatts) {
  FakeTree t;
  t.write("stat", stat_text(1000, 500, 8000, 500, 300));
  core::ManualClock clock;
  CpuPowerModel model{8.0, 4.0};
  auto m = CpuEstimateMeter::detect(t.root(), clock, model);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_FALSE((*m)->info().measured);
  EXPECT_EQ((*m)->info().name, "cpu-estimate");
  EXPECT_NE((*m)->info().sensor.find("ESTIMATE"), std::string::npos);

  // +300 user +100 system +350 idle +50 iowait (+100 guest, inside user):
  // busy 400 of 800 jiffies = 50% of 4 cpus = 2 busy cores -> 8 + 2*4 W.
  t.write("stat", stat_text(1300, 600, 8350, 550, 400));
  clock.advance_ns(1'000'000'000);
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->watts, 16.0);
  EXPECT_FALSE(r->energy_j.has_value());
  EXPECT_EQ(r->time_ns, 1'000'000'000);

  // No jiffies elapsed: the last estimate stands.
  auto again = (*m)->read();
  ASSERT_TRUE(again.is_ok());
  EXPECT_DOUBLE_EQ(again->watts, 16.0);

  // Fully idle interval -> idle watts.
  t.write("stat", stat_text(1300, 600, 9350, 550, 400));
  auto idle = (*m)->read();
  ASSERT_TRUE(idle.is_ok());
  EXPECT_DOUBLE_EQ(idle->watts, 8.0);
}

TEST(CpuEstimateMeter, MissingStatIsNotFound) {
  FakeTree t;
  core::ManualClock clock;
  auto m = CpuEstimateMeter::detect(t.root(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
}

TEST(CpuEstimateMeter, MalformedStatNamesFileAndLine) {
  FakeTree t;
  t.write("stat", "cpu  10 x 3 4\ncpu0 1 1 1 1\n");
  core::ManualClock clock;
  auto m = CpuEstimateMeter::detect(t.root(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find(t.path("stat") + ":1: malformed integer 'x'"), std::string::npos)
      << m.status().message();

  t.write("stat", "intr 1 2 3\n");
  auto none = CpuEstimateMeter::detect(t.root(), clock);
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("no aggregate 'cpu' line"), std::string::npos);

  t.write("stat", "cpu 1 2\ncpu0 1 2\n");
  auto short_line = CpuEstimateMeter::detect(t.root(), clock);
  ASSERT_FALSE(short_line.is_ok());
  EXPECT_NE(short_line.status().message().find("need at least 4"), std::string::npos);
}

TEST(CpuEstimateMeter, UnreadableStatAtReadIsAnErrorThenRecovers) {
  FakeTree t;
  t.write("stat", stat_text(0, 0, 100, 0, 0));
  core::ManualClock clock;
  auto m = CpuEstimateMeter::detect(t.root(), clock, CpuPowerModel{5.0, 10.0});
  ASSERT_TRUE(m.is_ok());
  t.make_unreadable("stat");
  auto bad = (*m)->read();
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), core::StatusCode::kIoError);
  EXPECT_NE(bad.status().message().find(t.path("stat")), std::string::npos);
  t.remove("stat");
  t.write("stat", stat_text(100, 0, 200, 0, 0));  // busy 100 of 200 -> 2 cores
  auto ok = (*m)->read();
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_DOUBLE_EQ(ok->watts, 25.0);
}

TEST(CpuEstimateMeter, RejectsNegativeModel) {
  FakeTree t;
  t.write("stat", stat_text(0, 0, 100, 0, 0));
  core::ManualClock clock;
  auto m = CpuEstimateMeter::detect(t.root(), clock, CpuPowerModel{-1.0, 2.0});
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greenroute::power
