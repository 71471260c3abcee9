#include "chart_validation.h"

#include <cmath>
#include <string_view>

#include "svg_text.h"

namespace greenroute::report::detail {
namespace {

bool is_hex_color(std::string_view c) {
  if (c.size() != 4 && c.size() != 7) return false;
  if (c[0] != '#') return false;
  for (std::size_t i = 1; i < c.size(); ++i) {
    const char h = c[i];
    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return false;
  }
  return true;
}

// "" if `v` can be plotted, else why not ("is NaN", "is inf", "is 1e+200,
// beyond the plottable 1e+100").
std::string unplottable(double v) {
  if (std::isnan(v)) return "is NaN";
  if (std::isinf(v)) return v > 0 ? "is +inf" : "is -inf";
  if (std::fabs(v) > kMaxPlotMagnitude) {
    return "is " + value_text(v) + ", beyond the plottable magnitude of 1e+100";
  }
  return "";
}

core::Status check_series(const LineChart& chart, std::size_t index) {
  const Series& s = chart.series[index];
  const std::string who = series_label(chart, index);
  if (s.x.empty() && s.y.empty()) return core::invalid_argument(who + ": no points");
  if (s.x.size() != s.y.size()) {
    return core::invalid_argument(who + ": x has " + std::to_string(s.x.size()) +
                                  " values but y has " + std::to_string(s.y.size()));
  }
  const bool has_errors = !s.y_low.empty() || !s.y_high.empty();
  if (has_errors && (s.y_low.size() != s.y.size() || s.y_high.size() != s.y.size())) {
    return core::invalid_argument(who + ": error bars need one y_low and one y_high per point (" +
                                  std::to_string(s.y.size()) + " points, " +
                                  std::to_string(s.y_low.size()) + " y_low, " +
                                  std::to_string(s.y_high.size()) + " y_high)");
  }
  if (!s.color.empty() && !is_hex_color(s.color)) {
    return core::invalid_argument(who + ": color \"" + s.color + "\" is not #rgb or #rrggbb");
  }
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    const std::string at = who + ": point " + std::to_string(i) + ": ";
    struct Named {
      const char* name;
      const std::vector<double>* values;
    };
    for (const Named& n : {Named{"x", &s.x}, Named{"y", &s.y}, Named{"y_low", &s.y_low},
                           Named{"y_high", &s.y_high}}) {
      if (n.values->empty()) continue;
      const std::string why = unplottable((*n.values)[i]);
      if (!why.empty()) return core::invalid_argument(at + n.name + " " + why);
    }
    if (chart.log2_x && s.x[i] <= 0) {
      return core::invalid_argument(at + "x must be > 0 on a log2 axis (got " + value_text(s.x[i]) +
                                    ")");
    }
    if (has_errors && !(s.y_low[i] <= s.y[i] && s.y[i] <= s.y_high[i])) {
      return core::invalid_argument(at + "error bar [" + value_text(s.y_low[i]) + ", " +
                                    value_text(s.y_high[i]) +
                                    "] does not contain y = " + value_text(s.y[i]));
    }
  }
  return core::Status::ok();
}

}  // namespace

std::string series_label(const LineChart& chart, std::size_t index) {
  std::string out = "series " + std::to_string(index);
  const std::string& name = chart.series[index].name;
  if (!name.empty()) out += " \"" + name + "\"";
  return out;
}

core::Status validate_chart(const LineChart& chart) {
  if (chart.width < kMinWidth || chart.width > kMaxSide || chart.height < kMinHeight ||
      chart.height > kMaxSide) {
    return core::invalid_argument(
        "chart size " + std::to_string(chart.width) + "x" + std::to_string(chart.height) +
        " is outside " + std::to_string(kMinWidth) + "x" + std::to_string(kMinHeight) + " to " +
        std::to_string(kMaxSide) + "x" + std::to_string(kMaxSide));
  }
  if (chart.series.empty()) return core::invalid_argument("chart has no series to plot");
  for (std::size_t i = 0; i < chart.series.size(); ++i) GR_RETURN_IF_ERROR(check_series(chart, i));
  for (std::size_t i = 0; i < chart.markers.size(); ++i) {
    const Marker& m = chart.markers[i];
    const std::string at = "marker " + std::to_string(i) + " \"" + m.label + "\": x ";
    const std::string why = unplottable(m.x);
    if (!why.empty()) return core::invalid_argument(at + why);
    if (chart.log2_x && m.x <= 0) {
      return core::invalid_argument(at + "must be > 0 on a log2 axis (got " + value_text(m.x) +
                                    ")");
    }
  }
  for (std::size_t i = 0; i < chart.reference_lines.size(); ++i) {
    const ReferenceLine& r = chart.reference_lines[i];
    const std::string why = unplottable(r.y);
    if (!why.empty()) {
      return core::invalid_argument("reference line " + std::to_string(i) + " \"" + r.label +
                                    "\": y " + why);
    }
  }
  return core::Status::ok();
}

}  // namespace greenroute::report::detail
