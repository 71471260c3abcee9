// The CSV reader on the real Electricity Maps traces in ../shared/data
// (PROVENANCE.md section 2); skipped when that directory is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "greenroute/carbon/csv_trace_source.h"

namespace greenroute::carbon {
namespace {

const std::string kDir = std::string(GREENROUTE_SHARED_DATA_DIR) + "/carbon/electricitymaps";

TEST(RealTrace, Germany2022MatchesProvenanceFigures) {
  const std::string path = kDir + "/DE_2022_hourly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto src = CsvTraceSource::load(path, {});
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  const auto& pts = (*src)->points("DE");
  ASSERT_EQ(pts.size(), 8760u);
  EXPECT_EQ((*src)->skipped_rows(), 0u);
  EXPECT_EQ((*src)->max_gap_s(), 3600);
  double lo = 1e9, hi = 0, sum = 0;
  for (const TracePoint& p : pts) {
    lo = std::min(lo, p.g_co2_per_kwh);
    hi = std::max(hi, p.g_co2_per_kwh);
    sum += p.g_co2_per_kwh;
  }
  // PROVENANCE.md: direct min/mean/max 119 / 406 / 670.
  EXPECT_NEAR(lo, 119, 0.5);
  EXPECT_NEAR(sum / 8760.0, 406, 1.0);
  EXPECT_NEAR(hi, 670, 0.5);
}

TEST(RealTrace, HourValueEqualsTheCsvCell) {
  const std::string path = kDir + "/DE_2022_hourly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  // Read line 2 + 4000 (hour 4000 of 2022) independently of the loader.
  std::ifstream in(path, std::ios::binary);
  std::string line;
  for (int i = 0; i <= 4000 + 1 && std::getline(in, line); ++i) {
  }
  // Fields: datetime, country, zone name, zone id, direct, lca, ...
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      cells.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  ASSERT_GE(cells.size(), 6u) << line;
  const std::int64_t t = 1640995200 + 4000LL * 3600;
  for (Lifecycle basis : {Lifecycle::kDirect, Lifecycle::kLifecycle}) {
    CsvTraceOptions opt;
    opt.basis = basis;
    auto src = CsvTraceSource::load(path, opt);
    ASSERT_TRUE(src.is_ok());
    auto r = (*src)->intensity("DE", t + 1234);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->at_unix_s, t);
    EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, std::stod(cells[basis == Lifecycle::kDirect ? 4 : 5]))
        << line;
  }
}

TEST(RealTrace, AllSharedTracesLoadAndLoop) {
  if (!std::filesystem::exists(kDir)) GTEST_SKIP() << "shared data absent: " << kDir;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    if (entry.path().extension() != ".csv") continue;
    ++files;
    CsvTraceOptions opt;
    opt.loop_year = true;
    auto src = CsvTraceSource::load(entry.path().string(), opt);
    ASSERT_TRUE(src.is_ok()) << src.status().to_string();
    ASSERT_EQ((*src)->zones().size(), 1u);
    const std::string zone = (*src)->zones()[0];
    EXPECT_EQ((*src)->points(zone).size(), 8760u) << entry.path();
    // Any time in 2030 (not a leap year) loops into the trace.
    auto r = (*src)->intensity(zone, 1900000000);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  }
  EXPECT_EQ(files, 14);
}

TEST(RealTrace, EstimatedRowsAreFlagged) {
  const std::string path = kDir + "/FR_2022_hourly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  auto src = CsvTraceSource::load(path, {});
  ASSERT_TRUE(src.is_ok());
  std::size_t estimated = 0;
  for (const TracePoint& p : (*src)->points("FR")) estimated += p.estimated ? 1 : 0;
  EXPECT_EQ(estimated, 1227u);  // PROVENANCE.md
}

}  // namespace
}  // namespace greenroute::carbon
