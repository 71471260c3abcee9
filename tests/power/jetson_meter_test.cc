#include "greenroute/power/jetson_meter.h"

#include <gtest/gtest.h>

#include "power/fake_tree.h"

namespace greenroute::power {
namespace {

using testing::FakeTree;

// Orin (JetPack 5/6) hwmon layout: channel k has in<k>_label, in<k>_input
// (mV) and curr<k>_input (mA); channel 7 is the shunt-voltage sum, no current.
void write_orin_hwmon(const FakeTree& t) {
  const std::string d = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
  t.write(d + "name", "ina3221\n");
  t.write(d + "in1_label", "VDD_IN\n");
  t.write(d + "in1_input", "5000\n");
  t.write(d + "curr1_input", "1500\n");  // 7.5 W
  t.write(d + "in2_label", "VDD_CPU_GPU_CV\n");
  t.write(d + "in2_input", "5000\n");
  t.write(d + "curr2_input", "600\n");  // 3 W
  t.write(d + "in3_label", "VDD_SOC\n");
  t.write(d + "in3_input", "5000\n");
  t.write(d + "curr3_input", "400\n");  // 2 W
  t.write(d + "in7_label", "sum of shunt voltages\n");
  t.write(d + "in7_input", "12\n");
}

TEST(JetsonMeter, AbsentIsNotFound) {
  FakeTree t;
  core::ManualClock clock;
  auto m = JetsonMeter::detect(t.root(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("ina3221"), std::string::npos);
}

TEST(JetsonMeter, HwmonLayoutTotalIsVddIn) {
  FakeTree t;
  write_orin_hwmon(t);
  core::ManualClock clock(42);
  auto m = JetsonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  const MeterInfo& info = (*m)->info();
  EXPECT_EQ(info.name, "jetson");
  EXPECT_EQ(info.rails, (std::vector<std::string>{"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"}));
  EXPECT_NE(info.sensor.find("total = VDD_IN"), std::string::npos) << info.sensor;
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->time_ns, 42);
  EXPECT_DOUBLE_EQ(r->watts, 7.5);
  EXPECT_FALSE(r->energy_j.has_value());
  ASSERT_EQ(r->rails.size(), 3u);
  EXPECT_DOUBLE_EQ(r->rails[1].watts, 3.0);
  EXPECT_DOUBLE_EQ(r->rails[2].watts, 2.0);
}

TEST(JetsonMeter, IioLayout) {
  FakeTree t;
  const std::string d = "bus/i2c/drivers/ina3221x/6-0040/iio:device0/";
  t.write(d + "rail_name_0", "POM_5V_IN\n");
  t.write(d + "in_power0_input", "4321\n");
  t.write(d + "rail_name_1", "POM_5V_GPU\n");
  t.write(d + "in_power1_input", "1000\n");
  t.write(d + "rail_name_2", "POM_5V_CPU\n");
  t.write(d + "in_power2_input", "1200\n");
  core::ManualClock clock;
  auto m = JetsonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, (std::vector<std::string>{"POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"}));
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->watts, 4.321);
  EXPECT_DOUBLE_EQ(r->rails[2].watts, 1.2);
}

TEST(JetsonMeter, WithoutInputRailTotalIsSumAndSaysSo) {
  FakeTree t;
  const std::string d = "bus/i2c/drivers/ina3221x/0-0041/iio:device1/";
  t.write(d + "rail_name_0", "GPU\n");
  t.write(d + "in_power0_input", "2000\n");
  t.write(d + "rail_name_1", "CPU\n");
  t.write(d + "in_power1_input", "500\n");
  core::ManualClock clock;
  auto m = JetsonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_NE((*m)->info().sensor.find("sum of rails"), std::string::npos);
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->watts, 2.5);
}

TEST(JetsonMeter, BadRailSkippedAndInputRailFailureFailsRead) {
  FakeTree t;
  write_orin_hwmon(t);
  const std::string d = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
  t.write(d + "curr3_input", "lots\n");
  core::ManualClock clock;
  auto m = JetsonMeter::detect(t.root(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, (std::vector<std::string>{"VDD_IN", "VDD_CPU_GPU_CV"}));
  EXPECT_NE((*m)->info().sensor.find("VDD_SOC"), std::string::npos);
  EXPECT_NE((*m)->info().sensor.find("curr3_input: malformed integer 'lots'"), std::string::npos)
      << (*m)->info().sensor;

  t.make_unreadable(d + "in2_input");
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->rails.size(), 1u);
  EXPECT_DOUBLE_EQ(r->watts, 7.5);

  t.write(d + "curr1_input", "\n");
  auto bad = (*m)->read();
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("VDD_IN"), std::string::npos);
  EXPECT_NE(bad.status().message().find("curr1_input"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace greenroute::power
