#include "greenroute/carbon/csv_trace_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace greenroute::carbon {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kJan1_2022 = 1640995200;
constexpr const char* kEmHeader =
    "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO\xE2\x82\x82" "eq/kWh (direct),"
    "Carbon Intensity gCO\xE2\x82\x82" "eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,"
    "Data Source,Data Estimated,Data Estimation Method";

class CsvTraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("greenroute_carbon_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  fs::path dir_;
};

std::string em_file(const char* eol) {
  std::string s = std::string(kEmHeader) + eol;
  s += std::string("2022-01-01 00:00:00,Germany,Germany,DE,100.5,150,70,60,entsoe.eu,false,") + eol;
  s += std::string("2022-01-01 01:00:00,Germany,Germany,DE,200,250,70,60,entsoe.eu,true,EST") + eol;
  s += std::string("2022-01-01 02:00:00,Germany,Germany,DE,300,350,70,60,entsoe.eu,false,") + eol;
  return s;
}

TEST_F(CsvTraceTest, ElectricityMapsCrlfDirectAndLca) {
  CsvTraceOptions opt;
  auto direct = CsvTraceSource::load(write("em.csv", em_file("\r\n")), opt);
  ASSERT_TRUE(direct.is_ok()) << direct.status().to_string();
  auto& src = **direct;
  EXPECT_EQ(src.zones(), std::vector<std::string>{"DE"});
  EXPECT_EQ(src.points("DE").size(), 3u);
  auto r = src.intensity("DE", kJan1_2022 + 1800);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 100.5);
  EXPECT_EQ(r->at_unix_s, kJan1_2022);
  EXPECT_EQ(r->basis, Lifecycle::kDirect);
  EXPECT_FALSE(r->estimated);
  EXPECT_EQ(r->source, "csv:" + (dir_ / "em.csv").string());
  auto est = src.intensity("DE", kJan1_2022 + 3600);
  ASSERT_TRUE(est.is_ok());
  EXPECT_TRUE(est->estimated);

  opt.basis = Lifecycle::kLifecycle;
  auto lca = CsvTraceSource::load(write("em2.csv", em_file("\r\n")), opt);
  ASSERT_TRUE(lca.is_ok()) << lca.status().to_string();
  EXPECT_DOUBLE_EQ((*lca)->intensity("DE", kJan1_2022 + 7200)->g_co2_per_kwh, 350);
}

TEST_F(CsvTraceTest, LfAndBomAreAccepted) {
  auto r = CsvTraceSource::load(write("em.csv", "\xEF\xBB\xBF" + em_file("\n")), {});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)->points("DE").size(), 3u);
}

TEST_F(CsvTraceTest, PlainFileWithAndWithoutHeader) {
  CsvTraceOptions opt;
  opt.zone = "LAB";
  auto with = CsvTraceSource::load(
      write("a.csv", "timestamp,value\r\n1640995200,10\r\n2022-01-01T01:00:00Z,20\r\n"), opt);
  ASSERT_TRUE(with.is_ok()) << with.status().to_string();
  EXPECT_DOUBLE_EQ((*with)->intensity("LAB", kJan1_2022 + 3600)->g_co2_per_kwh, 20);
  auto without = CsvTraceSource::load(
      write("b.csv", "2022-01-01 00:00:00,10\n2022-01-01 01:00:00,20\n\n"), opt);
  ASSERT_TRUE(without.is_ok()) << without.status().to_string();
  EXPECT_EQ((*without)->points("LAB").size(), 2u);
}

TEST_F(CsvTraceTest, PlainFileNeedsAZone) {
  auto r = CsvTraceSource::load(write("a.csv", "1640995200,10\n"), {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("zone"), std::string::npos);
}

TEST_F(CsvTraceTest, StepVersusLinearAndUnsortedInput) {
  const std::string text = "t,v\n1000,30\n0,10\n2000,20\n";  // out of order on purpose
  CsvTraceOptions opt;
  opt.zone = "Z";
  auto step = CsvTraceSource::load(write("s.csv", text), opt);
  ASSERT_TRUE(step.is_ok()) << step.status().to_string();
  EXPECT_DOUBLE_EQ((*step)->intensity("Z", 500)->g_co2_per_kwh, 10);
  EXPECT_DOUBLE_EQ((*step)->intensity("Z", 1500)->g_co2_per_kwh, 30);
  EXPECT_DOUBLE_EQ((*step)->intensity("Z", 2999)->g_co2_per_kwh, 20);  // last covers its interval
  opt.interpolation = Interpolation::kLinear;
  auto lin = CsvTraceSource::load(write("l.csv", text), opt);
  ASSERT_TRUE(lin.is_ok());
  EXPECT_DOUBLE_EQ((*lin)->intensity("Z", 500)->g_co2_per_kwh, 20);
  EXPECT_DOUBLE_EQ((*lin)->intensity("Z", 1250)->g_co2_per_kwh, 27.5);
  EXPECT_DOUBLE_EQ((*lin)->intensity("Z", 1000)->g_co2_per_kwh, 30);
  EXPECT_EQ((*lin)->intensity("Z", 1250)->at_unix_s, 1250);
}

TEST_F(CsvTraceTest, OutsideRangeIsNotFoundNamingTheRange) {
  CsvTraceOptions opt;
  opt.zone = "Z";
  auto src = CsvTraceSource::load(write("s.csv", "0,10\n3600,20\n"), opt);
  ASSERT_TRUE(src.is_ok());
  auto r = (*src)->intensity("Z", 7200);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("1970-01-01T00:00:00Z"), std::string::npos);
  auto z = (*src)->intensity("OTHER", 0);
  ASSERT_FALSE(z.is_ok());
  EXPECT_NE(z.status().message().find("OTHER"), std::string::npos);
}

TEST_F(CsvTraceTest, LoopYearMapsIntoTheTraceYear) {
  // A full hourly 2022 whose value is the hour of day.
  std::string text = "timestamp,value\n";
  for (int h = 0; h < 365 * 24; ++h) {
    text += std::to_string(kJan1_2022 + h * 3600LL) + "," + std::to_string(h % 24) + "\n";
  }
  CsvTraceOptions opt;
  opt.zone = "Z";
  opt.loop_year = true;
  auto src = CsvTraceSource::load(write("y.csv", text), opt);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  // 2025-07-01 13:20 UTC -> 2022-07-01 13:00 (hour value 13).
  auto r = (*src)->intensity("Z", 1751328000 + 13 * 3600 + 1200);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 13);
  EXPECT_EQ(r->at_unix_s, 1656633600 + 13 * 3600);  // 2022-07-01T13:00Z
  // 2024-02-29 05:00 (leap day) -> 2022-02-28 05:00.
  auto leap = (*src)->intensity("Z", 1709182800);
  ASSERT_TRUE(leap.is_ok()) << leap.status().to_string();
  EXPECT_DOUBLE_EQ(leap->g_co2_per_kwh, 5);
  EXPECT_EQ(leap->at_unix_s, 1646024400);  // 2022-02-28T05:00Z
  // Last hour of the year is covered.
  EXPECT_TRUE((*src)->intensity("Z", 1672531199).is_ok());  // 2022-12-31T23:59:59Z
}

TEST_F(CsvTraceTest, GapsAreBridgedAndReported) {
  CsvTraceOptions opt;
  opt.zone = "Z";
  opt.interpolation = Interpolation::kLinear;
  // Hours 0,1 then a 3-hour gap to hour 4.
  auto src = CsvTraceSource::load(write("g.csv", "0,10\n3600,20\n14400,50\n"), opt);
  ASSERT_TRUE(src.is_ok());
  EXPECT_EQ((*src)->max_gap_s(), 10800);
  EXPECT_DOUBLE_EQ((*src)->intensity("Z", 7200)->g_co2_per_kwh, 30);
}

TEST_F(CsvTraceTest, BadRowFailsNamingFileLineAndColumn) {
  CsvTraceOptions opt;
  opt.zone = "Z";
  const std::string path = write("bad.csv", "timestamp,value\n0,10\n3600,abc\n7200,30\n");
  auto r = CsvTraceSource::load(path, opt);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find(path + ":3:"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("column 2 (value)"), std::string::npos) << r.status().message();
}

TEST_F(CsvTraceTest, ElectricityMapsBadRowsNameTheirProblem) {
  std::string text = std::string(kEmHeader) + "\r\n";
  text += "2022-01-01 00:00:00,Germany,Germany,DE,100,150,70,60,entsoe.eu,false,\r\n";
  text += "2022-01-01 01:00:00,Germany,Germany,DE,,150,70,60,entsoe.eu,false,\r\n";  // empty
  text += "2022-01-01 02:00:00,Germany,DE,100,150\r\n";                             // short
  text += "2022-13-01 03:00:00,Germany,Germany,DE,100,150,70,60,entsoe.eu,false,\r\n";  // bad time
  text += "2022-01-01 00:00:00,Germany,Germany,DE,111,150,70,60,entsoe.eu,false,\r\n";  // duplicate
  text += "2022-01-01 04:00:00,Germany,Germany,DE,140,150,70,60,entsoe.eu,false,\r\n";
  const std::string path = write("em.csv", text);
  auto strict = CsvTraceSource::load(path, {});
  ASSERT_FALSE(strict.is_ok());
  EXPECT_NE(strict.status().message().find(path + ":3: column 5"), std::string::npos)
      << strict.status().message();
  EXPECT_NE(strict.status().message().find("3 more bad rows"), std::string::npos);

  CsvTraceOptions lenient;
  lenient.skip_bad_rows = true;
  auto src = CsvTraceSource::load(path, lenient);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->skipped_rows(), 4u);
  ASSERT_EQ((*src)->skipped_messages().size(), 4u);
  EXPECT_NE((*src)->skipped_messages()[1].find(":4: expected 11 columns, got 5"), std::string::npos);
  EXPECT_NE((*src)->skipped_messages()[2].find(":5: column 1 (Datetime (UTC)): bad timestamp"),
            std::string::npos)
      << (*src)->skipped_messages()[2];
  EXPECT_NE((*src)->skipped_messages()[3].find(":6: zone DE time 2022-01-01T00:00:00Z repeats line 2"),
            std::string::npos)
      << (*src)->skipped_messages()[3];
  EXPECT_EQ((*src)->points("DE").size(), 2u);
  EXPECT_DOUBLE_EQ((*src)->intensity("DE", kJan1_2022)->g_co2_per_kwh, 100);  // first line wins
  EXPECT_EQ((*src)->max_gap_s(), 4 * 3600);
}

TEST_F(CsvTraceTest, MultipleZonesInOneFile) {
  std::string text = std::string(kEmHeader) + "\n";
  text += "2022-01-01 00:00:00,Germany,Germany,DE,100,150,70,60,entsoe.eu,false,\n";
  text += "2022-01-01 00:00:00,France,France,FR,20,40,90,30,rte,false,\n";
  auto src = CsvTraceSource::load(write("m.csv", text), {});
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->zones(), (std::vector<std::string>{"DE", "FR"}));
  EXPECT_DOUBLE_EQ((*src)->intensity("FR", kJan1_2022)->g_co2_per_kwh, 20);
}

TEST_F(CsvTraceTest, MissingFileAndEmptyFile) {
  auto missing = CsvTraceSource::load((dir_ / "nope.csv").string(), {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("nope.csv"), std::string::npos);
  CsvTraceOptions opt;
  opt.zone = "Z";
  EXPECT_FALSE(CsvTraceSource::load(write("e.csv", ""), opt).is_ok());
  EXPECT_FALSE(CsvTraceSource::load(write("h.csv", "timestamp,value\n"), opt).is_ok());
}

}  // namespace
}  // namespace greenroute::carbon
