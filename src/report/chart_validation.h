// The input checks of render_svg, apart so the renderer can assume sound
// data. Thread-safe: a pure function.
#pragma once

#include <string>

#include "greenroute/core/status.h"
#include "greenroute/report/svg_chart.h"

namespace greenroute::report::detail {

// Values beyond this magnitude are rejected: axis arithmetic (spans, ticks
// rounded out to nice multiples) must not overflow a double.
inline constexpr double kMaxPlotMagnitude = 1e100;
inline constexpr int kMinWidth = 240;
inline constexpr int kMinHeight = 160;
inline constexpr int kMaxSide = 8192;

// ok, or kInvalidArgument with a message that names the series ("series 1
// \"q4 cpu\"") and the point ("point 3") at fault. The rules are those listed
// at render_svg.
core::Status validate_chart(const LineChart& chart);

// "series 1 \"q4 cpu\"", or "series 1" for a series without a name.
std::string series_label(const LineChart& chart, std::size_t index);

}  // namespace greenroute::report::detail
