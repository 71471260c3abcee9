// Geometry of a chart: axis ranges and ticks, where the plot area, texts,
// marker labels and legend go, in px of the SVG canvas (y grows downwards).
// Kept apart from the SVG writer so placement rules can be read, and tested,
// on their own. Thread-safe: pure functions over values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "greenroute/report/svg_chart.h"

namespace greenroute::report::detail {

inline constexpr double kTitlePx = 16;
inline constexpr double kSubtitlePx = 12;
inline constexpr double kAxisLabelPx = 12;
inline constexpr double kTickLabelPx = 11;
inline constexpr double kLegendPx = 11;
inline constexpr double kMarkerLabelPx = 11;
inline constexpr double kFootnotePx = 10;
inline constexpr double kPointRadiusPx = 3.5;

// No font is embedded, so text is sized by estimate: the average advance of
// common sans-serif faces is about 0.55 em; 0.6 em leaves room.
double text_width_px(const std::string& text, double font_px);

struct Rect {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

struct Axis {
  bool log2 = false;
  double lo = 0, hi = 1;            // the range, in axis units (log2 of x on a log2 axis)
  double px_lo = 0, px_hi = 1;      // where lo and hi fall on the canvas
  std::vector<double> ticks;        // in data units
  std::vector<std::string> labels;  // one per tick; "" where thinned out for room
  // The canvas coordinate of a data value.
  double to_px(double value) const;
};

struct MarkerPlacement {
  double x_px = 0;
  double label_x_px = 0;
  double baseline_px = 0;   // of the label
  bool anchor_end = false;  // label left of the line (near the right edge)
};

struct LegendItem {
  std::size_t series = 0;
  double x_px = 0;         // left of the swatch
  double baseline_px = 0;  // of the text
  int row = 0;             // when under the plot
};

struct Legend {
  bool shown = false;
  bool below = false;  // under the plot, because no corner of the plot was free
  Rect box;            // the framed box, when inside the plot
  std::vector<LegendItem> items;
};

// A line of text as drawn: shrunk, or cut short with an ellipsis, to fit.
struct FittedText {
  std::string text;
  double font_px = 0;
};

// `text` at `font_px` if it fits in `max_px`; else at a size down to three
// quarters of it; else at that size, cut at a character and ended with "…".
FittedText fit_text(const std::string& text, double font_px, double max_px);

struct Layout {
  double width = 0, height = 0;
  Rect plot;
  Axis x, y;
  FittedText title, subtitle, footnote, x_label, y_label;
  double title_baseline = 0, subtitle_baseline = 0;
  double x_label_baseline = 0;
  double y_label_baseline_x = 0;  // the y label is turned to read upwards
  double footnote_baseline = 0;
  std::vector<MarkerPlacement> markers;  // in chart.markers order
  Legend legend;
  // Bars: each bar series takes one slot of this width within a group
  // centred on its x.
  std::size_t bar_series = 0;
  double bar_group_px = 0;
};

// Precondition: validate_chart(chart) is ok.
Layout layout_chart(const LineChart& chart);

// The points of a series in increasing x (ties in input order): lines join
// them in this order, whatever order the caller measured them in.
std::vector<std::size_t> x_order(const Series& series);

// The bar of point `point` of bar series `series`.
Rect bar_rect(const LineChart& chart, const Layout& layout, std::size_t series, std::size_t point);

}  // namespace greenroute::report::detail
