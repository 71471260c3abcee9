// Where the legend goes: inside the plot, in the first corner (top right,
// top left, bottom right, bottom left) that covers no data; failing that,
// in rows under the plot. Thread-safe: pure functions over values.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "chart_layout.h"
#include "greenroute/report/svg_chart.h"

namespace greenroute::report::detail {

inline constexpr double kLegendRowPx = 16;
inline constexpr double kLegendSwatchPx = 22;

// The series with a name, in chart order: those get an entry.
std::vector<std::size_t> legend_series(const LineChart& chart);

// The framed box inside the plot of `layout` (whose axes are final), or
// nullopt when every corner would cover a point, line, bar, error bar or
// reference-line label, or the box would take most of the plot.
std::optional<Rect> free_legend_corner(const LineChart& chart, const Layout& layout);

// Lays the items out in rows under the plot, left to right, wrapping at the
// plot's right edge; sets x_px and row (the caller turns rows into
// baselines). Returns the number of rows.
int wrap_legend_rows(const LineChart& chart, const Rect& plot, std::vector<LegendItem>* items);

}  // namespace greenroute::report::detail
