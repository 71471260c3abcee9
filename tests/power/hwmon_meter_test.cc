#include "greenroute/power/hwmon_meter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "power/fake_tree.h"

namespace greenroute::power {
namespace {

using testing::FakeTree;
constexpr std::int64_t kSecond = 1'000'000'000;

TEST(HwmonMeter, NoPowerSensorIsNotFound) {
  FakeTree t;
  t.write("class/hwmon/hwmon0/name", "coretemp\n");
  t.write("class/hwmon/hwmon0/temp1_input", "45000\n");
  core::ManualClock clock;
  auto m = HwmonMeter::detect(t.root(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
}

TEST(HwmonMeter, ReadsPowerAndEnergyRails) {
  FakeTree t;
  t.write("class/hwmon/hwmon0/name", "coretemp\n");
  t.write("class/hwmon/hwmon0/temp1_input", "45000\n");
  // Power and energy on channel 1, labelled.
  t.write("class/hwmon/hwmon3/name", "acpi_meter\n");
  t.write("class/hwmon/hwmon3/power1_input", "12500000\n");  // 12.5 W
  t.write("class/hwmon/hwmon3/power1_label", "board\n");
  t.write("class/hwmon/hwmon3/energy1_input", "1000000\n");
  // Energy only: power comes from the counter delta.
  t.write("class/hwmon/hwmon10/name", "amd_energy\n");
  t.write("class/hwmon/hwmon10/energy2_input", "5000000\n");
  t.write("class/hwmon/hwmon10/energy2_label", "Esocket0\n");
  core::ManualClock clock;
  auto m = HwmonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, (std::vector<std::string>{"acpi_meter/board", "amd_energy/Esocket0"}));

  t.write("class/hwmon/hwmon3/energy1_input", "26000000\n");   // +25 J
  t.write("class/hwmon/hwmon10/energy2_input", "35000000\n");  // +30 J
  clock.advance_ns(2 * kSecond);
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->rails.size(), 2u);
  EXPECT_DOUBLE_EQ(r->rails[0].watts, 12.5);
  EXPECT_DOUBLE_EQ(*r->rails[0].energy_j, 25.0);
  EXPECT_DOUBLE_EQ(r->rails[1].watts, 15.0);
  EXPECT_DOUBLE_EQ(r->watts, 27.5);
  ASSERT_TRUE(r->energy_j.has_value());
  EXPECT_DOUBLE_EQ(*r->energy_j, 55.0);
}

TEST(HwmonMeter, PowerOnlyRailHasNoTotalEnergy) {
  FakeTree t;
  t.write("class/hwmon/hwmon1/name", "amdgpu\n");
  t.write("class/hwmon/hwmon1/power1_average", "31000000\n");
  core::ManualClock clock;
  auto m = HwmonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, std::vector<std::string>{"amdgpu/power1"});
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->watts, 31.0);
  EXPECT_FALSE(r->energy_j.has_value());
}

TEST(HwmonMeter, MalformedRailSkippedAtDetectAndLeftOutAtRead) {
  FakeTree t;
  t.write("class/hwmon/hwmon0/name", "meter\n");
  t.write("class/hwmon/hwmon0/power1_input", "1000000\n");
  t.write("class/hwmon/hwmon0/power2_input", "-5\n");
  t.write("class/hwmon/hwmon0/power3_input", "2000000\n");
  t.make_unreadable("class/hwmon/hwmon0/power4_input");
  core::ManualClock clock;
  auto m = HwmonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const MeterInfo& info = (*m)->info();
  EXPECT_EQ(info.rails, (std::vector<std::string>{"meter/power1", "meter/power3"}));
  EXPECT_NE(info.sensor.find("power2_input: negative value -5"), std::string::npos) << info.sensor;
  EXPECT_NE(info.sensor.find("power4_input: cannot read"), std::string::npos) << info.sensor;

  t.write("class/hwmon/hwmon0/power3_input", "2.5W\n");
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->rails.size(), 1u);
  EXPECT_DOUBLE_EQ(r->watts, 1.0);

  t.remove("class/hwmon/hwmon0/power1_input");
  t.remove("class/hwmon/hwmon0/power3_input");
  auto bad = (*m)->read();
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("power1_input"), std::string::npos) << bad.status().message();
}

TEST(HwmonMeter, EnergyOnlyRailIsNanUntilClockMoves) {
  FakeTree t;
  t.write("class/hwmon/hwmon0/energy1_input", "0\n");
  core::ManualClock clock;
  auto m = HwmonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, std::vector<std::string>{"hwmon0/power1"});
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(std::isnan(r->watts));
  EXPECT_DOUBLE_EQ(*r->energy_j, 0.0);
}

}  // namespace
}  // namespace greenroute::power
