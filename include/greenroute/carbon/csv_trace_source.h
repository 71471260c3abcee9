// CsvTraceSource: carbon intensity time series read from CSV files.
//
// Two formats, told apart by the header:
//  * Electricity Maps Data Portal export: header with "Datetime (UTC)",
//    "Zone Id", "Carbon Intensity gCO2eq/kWh (direct)" and "(LCA)" columns
//    and "Data Estimated". The zone of each row is its Zone Id; one file may
//    hold several zones.
//  * plain "timestamp,value": an optional header line, then rows whose time is
//    unix seconds or ISO-8601 UTC ("2021-01-01T00:00:00Z",
//    "2021-01-01 00:00:00"); the zone comes from CsvTraceOptions::zone.
// UTF-8 BOM, CRLF or LF line endings, blank lines and RFC 4180 quoted fields
// are accepted.
//
// Lookup: kStep gives the value of the last point at or before t; kLinear
// interpolates between the two points around t. Each zone's series covers
// [first point, last point + its smallest sampling interval): the last point
// describes its whole interval (e.g. the last hour of the year). Missing
// points (gaps) are bridged by the same rule; max_gap_s() reports the widest.
// Outside the covered range: with loop_year the time is moved into the
// calendar year of the zone's first point keeping month, day and time of day
// (Feb 29 -> Feb 28 in a common year), else kNotFound naming the range.
//
// Bad rows (wrong column count, bad time, non-numeric/negative/empty value,
// a time repeated within a zone): by default load() fails with
// "<file>:<line>: ..." naming the column; with skip_bad_rows they are dropped
// and counted, and the first few messages kept, so the valid rows still load.
//
// Thread-safe: immutable after load().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

enum class Interpolation { kStep, kLinear };

struct CsvTraceOptions {
  Lifecycle basis = Lifecycle::kDirect;  // which Electricity Maps column
  Interpolation interpolation = Interpolation::kStep;
  bool loop_year = false;
  bool skip_bad_rows = false;
  std::string zone;  // required for plain timestamp,value files
};

struct TracePoint {
  std::int64_t at_unix_s = 0;
  double g_co2_per_kwh = 0.0;
  bool estimated = false;
  std::size_t line = 0;  // 1-based line in the file
};

class CsvTraceSource final : public CarbonSource {
 public:
  static core::Result<std::unique_ptr<CsvTraceSource>> load(const std::string& path,
                                                            const CsvTraceOptions& options);

  std::string_view name() const override { return name_; }
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

  std::vector<std::string> zones() const;
  // The points of `zone`, sorted by time; empty for an unknown zone.
  const std::vector<TracePoint>& points(std::string_view zone) const;
  std::size_t skipped_rows() const { return skipped_rows_; }
  // Up to kMaxKeptMessages of the skipped rows' messages, in file order.
  const std::vector<std::string>& skipped_messages() const { return skipped_messages_; }
  // Widest interval between consecutive points of any zone.
  std::int64_t max_gap_s() const { return max_gap_s_; }

  static constexpr std::size_t kMaxKeptMessages = 20;

 private:
  struct Series {
    std::vector<TracePoint> points;
    std::int64_t step_s = 0;  // smallest interval between points
  };

  CsvTraceSource() = default;
  core::Result<Intensity> lookup(const std::string& zone, const Series& s, std::int64_t t) const;

  std::string name_;
  CsvTraceOptions options_;
  std::map<std::string, Series, std::less<>> series_;
  std::size_t skipped_rows_ = 0;
  std::vector<std::string> skipped_messages_;
  std::int64_t max_gap_s_ = 0;
};

}  // namespace greenroute::carbon
