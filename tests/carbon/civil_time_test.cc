#include "carbon/civil_time.h"

#include <gtest/gtest.h>

namespace greenroute::carbon::detail {
namespace {

TEST(CivilTime, DaysFromCivilKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2022, 1, 1) * 86400, 1640995200);
}

TEST(CivilTime, RoundTripAcrossLeapYears) {
  for (std::int64_t t = -86400LL * 800; t < 86400LL * 365 * 60; t += 86400LL * 7 + 3671) {
    EXPECT_EQ(to_unix(from_unix(t)), t);
  }
  const CivilTime c = from_unix(951782400);  // 2000-02-29
  EXPECT_EQ(c.year, 2000);
  EXPECT_EQ(c.month, 2);
  EXPECT_EQ(c.day, 29);
}

TEST(CivilTime, ParsesUnixAndIsoForms) {
  EXPECT_EQ(parse_timestamp("1640995200"), 1640995200);
  EXPECT_EQ(parse_timestamp("2022-01-01T00:00:00Z"), 1640995200);
  EXPECT_EQ(parse_timestamp("2022-01-01 00:00:00"), 1640995200);
  EXPECT_EQ(parse_timestamp("2022-01-01T01:00"), 1640995200 + 3600);
  EXPECT_EQ(parse_timestamp("2022-01-01T02:00:00+01:00"), 1640995200 + 3600);
  EXPECT_EQ(parse_timestamp("2022-01-01T00:00:00.750Z"), 1640995200);
  EXPECT_EQ(parse_timestamp("2024-02-29 12:00:00"), 1709208000);
}

TEST(CivilTime, RejectsMalformedAndImpossible) {
  for (const char* bad : {"", "abc", "2021-02-29 00:00:00", "2022-13-01 00:00:00",
                          "2022-01-01 24:00:00", "2022-01-01", "2022-01-01T00:00:00X",
                          "12a", "2022/01/01 00:00:00"}) {
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  }
}

TEST(CivilTime, ShiftIntoYearKeepsDateAndTime) {
  const std::int64_t t = *parse_timestamp("2025-07-01T12:30:00Z");
  EXPECT_EQ(shift_into_year(t, 2022), *parse_timestamp("2022-07-01T12:30:00Z"));
  const std::int64_t leap = *parse_timestamp("2024-02-29T05:00:00Z");
  EXPECT_EQ(shift_into_year(leap, 2022), *parse_timestamp("2022-02-28T05:00:00Z"));
  EXPECT_EQ(shift_into_year(leap, 2020), *parse_timestamp("2020-02-29T05:00:00Z"));
}

}  // namespace
}  // namespace greenroute::carbon::detail
