#include "greenroute/carbon/csv_trace_source.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "carbon/civil_time.h"
#include "carbon/csv_rows.h"

namespace greenroute::carbon {
namespace {

std::string format_time(std::int64_t unix_s) {
  const detail::CivilTime t = detail::from_unix(unix_s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

}  // namespace

core::Result<std::unique_ptr<CsvTraceSource>> CsvTraceSource::load(const std::string& path,
                                                                   const CsvTraceOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::io_error("cannot open carbon trace '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return core::io_error("cannot read carbon trace '" + path + "'");
  const std::string text = buffer.str();

  GR_ASSIGN_OR_RETURN(detail::CsvRowsResult parsed,
                      detail::parse_csv_rows(text, path, options.basis, options.zone));

  std::unique_ptr<CsvTraceSource> src(new CsvTraceSource());
  src->name_ = "csv:" + path;
  src->options_ = options;
  std::vector<std::string> bad = std::move(parsed.bad);

  std::map<std::string, std::vector<TracePoint>, std::less<>> by_zone;
  for (const detail::CsvRow& r : parsed.rows) {
    by_zone[r.zone].push_back({r.at_unix_s, r.g_co2_per_kwh, r.estimated, r.line});
  }
  for (auto& [zone, pts] : by_zone) {
    // Stable: among equal times the earlier line stays first and wins.
    std::stable_sort(pts.begin(), pts.end(),
                     [](const TracePoint& a, const TracePoint& b) { return a.at_unix_s < b.at_unix_s; });
    Series series;
    for (const TracePoint& p : pts) {
      if (!series.points.empty() && series.points.back().at_unix_s == p.at_unix_s) {
        bad.push_back(path + ":" + std::to_string(p.line) + ": zone " + zone + " time " +
                      format_time(p.at_unix_s) + " repeats line " +
                      std::to_string(series.points.back().line));
        continue;
      }
      if (!series.points.empty()) {
        const std::int64_t gap = p.at_unix_s - series.points.back().at_unix_s;
        src->max_gap_s_ = std::max(src->max_gap_s_, gap);
        series.step_s = series.step_s == 0 ? gap : std::min(series.step_s, gap);
      }
      series.points.push_back(p);
    }
    src->series_.emplace(zone, std::move(series));
  }

  if (!bad.empty() && !options.skip_bad_rows) {
    std::string msg = bad.front();
    if (bad.size() > 1) msg += " (and " + std::to_string(bad.size() - 1) + " more bad rows)";
    return core::invalid_argument(msg);
  }
  src->skipped_rows_ = bad.size();
  for (std::size_t i = 0; i < bad.size() && i < kMaxKeptMessages; ++i) {
    src->skipped_messages_.push_back(std::move(bad[i]));
  }
  if (src->series_.empty()) {
    return core::invalid_argument("carbon trace '" + path + "' has no valid rows" +
                                  (bad.empty() ? std::string() : " (first problem: " + bad.front() + ")"));
  }
  return src;
}

std::vector<std::string> CsvTraceSource::zones() const {
  std::vector<std::string> out;
  for (const auto& [zone, s] : series_) out.push_back(zone);
  return out;
}

const std::vector<TracePoint>& CsvTraceSource::points(std::string_view zone) const {
  static const std::vector<TracePoint> kNone;
  const auto it = series_.find(zone);
  return it == series_.end() ? kNone : it->second.points;
}

core::Result<Intensity> CsvTraceSource::intensity(std::string_view zone, std::int64_t at_unix_s) {
  const auto it = series_.find(zone);
  if (it == series_.end()) {
    std::string known;
    for (const auto& [z, s] : series_) known += (known.empty() ? "" : ", ") + z;
    return core::not_found("zone '" + std::string(zone) + "' is not in " + name_ +
                           " (zones: " + known + ")");
  }
  return lookup(it->first, it->second, at_unix_s);
}

core::Result<Intensity> CsvTraceSource::lookup(const std::string& zone, const Series& s,
                                               std::int64_t t) const {
  const std::vector<TracePoint>& pts = s.points;
  const std::int64_t first = pts.front().at_unix_s;
  // The last point describes its whole sampling interval; a one-point trace
  // covers only its own instant.
  const std::int64_t end = pts.back().at_unix_s + std::max<std::int64_t>(s.step_s, 1);
  std::int64_t mapped = t;
  if ((t < first || t >= end) && options_.loop_year) {
    mapped = detail::shift_into_year(t, detail::from_unix(first).year);
  }
  if (mapped < first || mapped >= end) {
    return core::not_found("time " + format_time(t) + " is outside " + name_ + " zone " + zone +
                           " range [" + format_time(first) + ", " + format_time(end) + ")" +
                           (options_.loop_year ? " even after looping into the trace's year" : ""));
  }
  // Index of the last point at or before `mapped`.
  const auto after = std::upper_bound(
      pts.begin(), pts.end(), mapped,
      [](std::int64_t v, const TracePoint& p) { return v < p.at_unix_s; });
  const std::size_t i = static_cast<std::size_t>(std::distance(pts.begin(), after)) - 1;
  const TracePoint& p = pts[i];

  Intensity out;
  out.zone = zone;
  out.source = name_;
  out.kind = SignalKind::kAverage;
  out.basis = options_.basis;
  if (options_.interpolation == Interpolation::kLinear && i + 1 < pts.size() &&
      mapped != p.at_unix_s) {
    const TracePoint& q = pts[i + 1];
    const double frac = static_cast<double>(mapped - p.at_unix_s) /
                        static_cast<double>(q.at_unix_s - p.at_unix_s);
    out.g_co2_per_kwh = p.g_co2_per_kwh + frac * (q.g_co2_per_kwh - p.g_co2_per_kwh);
    out.at_unix_s = mapped;
    out.estimated = p.estimated || q.estimated;
  } else {
    out.g_co2_per_kwh = p.g_co2_per_kwh;
    out.at_unix_s = options_.interpolation == Interpolation::kStep ? p.at_unix_s : mapped;
    out.estimated = p.estimated;
  }
  return out;
}

}  // namespace greenroute::carbon
