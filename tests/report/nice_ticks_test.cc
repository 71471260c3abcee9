#include "greenroute/report/nice_ticks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace greenroute::report {
namespace {

std::vector<std::string> labels(const Ticks& t) {
  std::vector<std::string> out;
  for (double v : t.values) out.push_back(format_tick(v, t.exponent));
  return out;
}

// The mantissa of a nice step: 1, 2 or 5.
double mantissa(const Ticks& t) {
  return t.step / std::pow(10.0, t.exponent);
}

TEST(NiceTicks, UnitRange) {
  const Ticks t = nice_ticks(0, 1);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"}));
  EXPECT_DOUBLE_EQ(t.step, 0.2);
  EXPECT_EQ(t.exponent, -1);
  EXPECT_EQ(t.lo, 0.0);
  EXPECT_EQ(t.hi, 1.0);
}

TEST(NiceTicks, OddRangeRoundsOutToNiceEnds) {
  const Ticks t = nice_ticks(3, 97);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0", "20", "40", "60", "80", "100"}));
  EXPECT_EQ(t.lo, 0.0);
  EXPECT_EQ(t.hi, 100.0);
}

TEST(NiceTicks, SmallMagnitudes) {
  const Ticks t = nice_ticks(0.0012, 0.0047);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0.001", "0.002", "0.003", "0.004", "0.005"}));
  // Each tick is the double nearest its decimal value, not an accumulated sum.
  EXPECT_EQ(t.values[2], 0.003);
}

TEST(NiceTicks, LargeMagnitudesUseSiSuffixes) {
  const Ticks t = nice_ticks(1e6, 5e7);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0", "10M", "20M", "30M", "40M", "50M"}));
  const Ticks k = nice_ticks(0, 1300);
  EXPECT_EQ(labels(k), (std::vector<std::string>{"0", "500", "1k", "1.5k"}));
}

TEST(NiceTicks, SingleValueIsWidenedAroundIt) {
  const Ticks t = nice_ticks(5, 5);
  EXPECT_LT(t.lo, 5.0);
  EXPECT_GT(t.hi, 5.0);
  EXPECT_GE(t.values.size(), 3u);
  EXPECT_EQ(labels(t).front(), "4.4");

  const Ticks zero = nice_ticks(0, 0);
  EXPECT_EQ(zero.lo, 0.0);
  EXPECT_EQ(zero.hi, 1.0);

  const Ticks negative = nice_ticks(-250, -250);
  EXPECT_LT(negative.lo, -250.0);
  EXPECT_GT(negative.hi, -250.0);
}

TEST(NiceTicks, RangeTooNarrowForADoubleIsTreatedAsOneValue) {
  const Ticks t = nice_ticks(1e9, 1e9 + 1e-3);
  EXPECT_LE(t.lo, 1e9);
  EXPECT_GE(t.hi, 1e9 + 1e-3);
  EXPECT_LE(t.values.size(), 7u);
}

TEST(NiceTicks, NegativeAndStraddlingRanges) {
  EXPECT_EQ(labels(nice_ticks(-7, -3)), (std::vector<std::string>{"-7", "-6", "-5", "-4", "-3"}));
  EXPECT_EQ(labels(nice_ticks(-0.5, 0.5)),
            (std::vector<std::string>{"-0.6", "-0.4", "-0.2", "0", "0.2", "0.4", "0.6"}));
}

// Over many ranges: ticks cover the data, are evenly spaced multiples of a
// 1/2/5 step and number about as many as asked.
TEST(NiceTicks, PropertiesHoldOverManyRanges) {
  std::uint64_t state = 42;
  auto next = [&] {  // a fixed LCG: the test sees the same ranges every run
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  for (int i = 0; i < 2000; ++i) {
    const double scale = std::pow(10.0, std::floor(next() * 24) - 12);
    double lo = (next() * 2 - 1) * scale, hi = (next() * 2 - 1) * scale;
    if (lo > hi) std::swap(lo, hi);
    const int target = 2 + static_cast<int>(next() * 8);
    const Ticks t = nice_ticks(lo, hi, target);
    SCOPED_TRACE("range [" + std::to_string(lo) + ", " + std::to_string(hi) + "], target " +
                 std::to_string(target));
    ASSERT_GE(t.values.size(), 2u);
    EXPECT_LE(t.values.size(), static_cast<std::size_t>(target) + 2);
    EXPECT_LE(t.lo, lo);
    EXPECT_GE(t.hi, hi);
    const double m = mantissa(t);
    EXPECT_TRUE(std::fabs(m - 1) < 1e-9 || std::fabs(m - 2) < 1e-9 || std::fabs(m - 5) < 1e-9) << m;
    for (std::size_t k = 0; k < t.values.size(); ++k) {
      const double multiple = t.values[k] / t.step;
      EXPECT_NEAR(multiple, std::round(multiple), 1e-6);
      if (k > 0) {
        EXPECT_NEAR(t.values[k] - t.values[k - 1], t.step, t.step * 1e-6);
      }
    }
  }
}

TEST(FormatTick, FixedShortLabels) {
  EXPECT_EQ(format_tick(1200, 2), "1.2k");
  EXPECT_EQ(format_tick(3.5e6, 5), "3.5M");
  EXPECT_EQ(format_tick(-1500, 2), "-1.5k");
  EXPECT_EQ(format_tick(2e9, 9), "2G");
  EXPECT_EQ(format_tick(5e18, 18), "5E");
  EXPECT_EQ(format_tick(0.002, -3), "0.002");
  EXPECT_EQ(format_tick(0.25, -2), "0.25");
  EXPECT_EQ(format_tick(42, 0), "42");
  EXPECT_EQ(format_tick(1.00002, -5), "1.00002");
}

TEST(FormatTick, ZeroIsNeverNegative) {
  EXPECT_EQ(format_tick(0.0, 0), "0");
  EXPECT_EQ(format_tick(-0.0, -3), "0");
  EXPECT_EQ(format_tick(-1e-20, -1), "0");  // rounding residue of a zero tick
}

TEST(FormatTick, ScientificForTinyStepsAndHugeValues) {
  EXPECT_EQ(format_tick(2.5e-7, -8), "2.5e-7");
  EXPECT_EQ(format_tick(3e-6, -6), "3e-6");
  EXPECT_EQ(format_tick(1e21, 21), "1e21");
  EXPECT_EQ(format_tick(7.5e24, 23), "7.5e24");
}

TEST(FormatTick, ValueRoundingUpToTheNextPrefixMovesUp) {
  EXPECT_EQ(format_tick(999999.7, 0), "1M");
}

}  // namespace
}  // namespace greenroute::report
