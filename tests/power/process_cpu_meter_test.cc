#include "greenroute/power/process_cpu_meter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "power/fake_tree.h"

namespace greenroute::power {
namespace {

using testing::FakeTree;

// A /proc/<pid>/stat line whose command name holds spaces and parentheses,
// as a hostile or odd program name would.
std::string pid_stat(std::uint64_t utime, std::uint64_t stime, std::uint64_t cutime, std::uint64_t cstime) {
  return "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 " + std::to_string(utime) + " " +
         std::to_string(stime) + " " + std::to_string(cutime) + " " + std::to_string(cstime) +
         " 20 0 1 0 100 1000000 200 18446744073709551615\n";
}

TEST(ProcessCpuEstimateMeter, ParsesFieldsAfterTheCommandName) {
  auto t = ProcessCpuEstimateMeter::parse_cpu_ticks(pid_stat(10, 20, 30, 40), "stat");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(*t, 100u);
}

TEST(ProcessCpuEstimateMeter, KnownCpuTimeGivesKnownWatts) {
  FakeTree proc;
  proc.write("4242/stat", pid_stat(100, 0, 0, 0));
  core::ManualClock clock;
  ProcessCpuOptions opt{proc.root(), "4242", false, 100};
  auto m = ProcessCpuEstimateMeter::detect(opt, clock, CpuPowerModel{10.0, 5.0});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_FALSE((*m)->info().measured);
  EXPECT_NE((*m)->info().sensor.find("ESTIMATE"), std::string::npos);

  // 2 s of wall time, 300 ticks (3 cpu-seconds) of user+system+children:
  // 1.5 busy cores x 5 W, no idle floor.
  clock.advance_ns(2'000'000'000);
  proc.write("4242/stat", pid_stat(200, 100, 50, 50));
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->watts, 7.5);
  EXPECT_FALSE(r->energy_j.has_value());

  // No time passed: the last estimate is repeated, not a division by zero.
  auto again = (*m)->read();
  ASSERT_TRUE(again.is_ok());
  EXPECT_DOUBLE_EQ(again->watts, 7.5);
}

TEST(ProcessCpuEstimateMeter, IdleFloorOnlyWhenAskedFor) {
  FakeTree proc;
  proc.write("self/stat", pid_stat(0, 0, 0, 0));
  core::ManualClock clock;
  ProcessCpuOptions opt{proc.root(), "self", true, 100};
  auto m = ProcessCpuEstimateMeter::detect(opt, clock, CpuPowerModel{10.0, 5.0});
  ASSERT_TRUE(m.is_ok());
  clock.advance_ns(1'000'000'000);
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->watts, 10.0);
}

TEST(ProcessCpuEstimateMeter, BadInputIsNamed) {
  FakeTree proc;
  core::ManualClock clock;
  auto absent = ProcessCpuEstimateMeter::detect({proc.root(), "77", false, 100}, clock);
  ASSERT_FALSE(absent.is_ok());
  EXPECT_EQ(absent.status().code(), core::StatusCode::kNotFound);

  auto bad_pid = ProcessCpuEstimateMeter::detect({proc.root(), "../etc", false, 100}, clock);
  ASSERT_FALSE(bad_pid.is_ok());
  EXPECT_EQ(bad_pid.status().code(), core::StatusCode::kInvalidArgument);

  proc.write("5/stat", "5 (short) S 1 2 3\n");
  auto short_line = ProcessCpuEstimateMeter::detect({proc.root(), "5", false, 100}, clock);
  ASSERT_FALSE(short_line.is_ok());
  EXPECT_NE(short_line.status().message().find("5/stat"), std::string::npos) << short_line.status().message();
  EXPECT_NE(short_line.status().message().find("need at least 17"), std::string::npos);

  proc.write("6/stat", "6 no-parenthesis S\n");
  EXPECT_EQ(ProcessCpuEstimateMeter::detect({proc.root(), "6", false, 100}, clock).status().code(),
            core::StatusCode::kCorrupt);

  EXPECT_EQ(ProcessCpuEstimateMeter::detect({proc.root(), "self", false, 100}, clock, {-1.0, 5.0})
                .status()
                .code(),
            core::StatusCode::kInvalidArgument);
}

TEST(ProcessCpuEstimateMeter, ReadsThisProcessOnTheRealProcfs) {
  core::SteadyClock clock;
  auto m = ProcessCpuEstimateMeter::detect({}, clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_GE(r->watts, 0.0);
}

}  // namespace
}  // namespace greenroute::power
