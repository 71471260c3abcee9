// SVG charts for benchmark results: latency, joules per prompt and throughput
// against batch size, with the energy-efficiency knee and the saturation
// point marked. The output is one self-contained <svg> element (no external
// fonts, CSS, scripts or ids; presentation attributes only; viewBox set) so
// the HTML report can inline it as is and a browser can open it on its own.
//
// Output is deterministic: the same chart gives byte-identical text, with
// numbers formatted independently of the process locale.
// Thread-safe: pure functions over values (write_svg_file touches only the
// file system entries it names).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::report {

enum class SeriesStyle {
  kLineMarkers,  // measured points joined in order of x
  kMarkers,      // points only (scatter)
  kLine,         // a line without points (a fitted curve)
  kBars,         // bars from y = 0; several bar series at one x stand side by side
};

struct Series {
  std::string name;  // legend text; a series without a name has no legend entry
  std::vector<double> x;
  std::vector<double> y;
  // Spread over repeats, drawn as error bars: both empty, or one value per
  // point with y_low[i] <= y[i] <= y_high[i].
  std::vector<double> y_low;
  std::vector<double> y_high;
  SeriesStyle style = SeriesStyle::kLineMarkers;
  // "#rgb" or "#rrggbb"; empty picks the next colour of the Okabe-Ito
  // palette, which stays distinguishable with the common colour-vision
  // deficiencies.
  std::string color;
};

// A vertical dashed line across the plot with its label above the plot area
// ("knee: batch 4", "saturated: batch 32").
struct Marker {
  double x = 0.0;
  std::string label;
};

// A horizontal dashed line with its label at the right end (a latency SLO).
struct ReferenceLine {
  double y = 0.0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string subtitle;  // e.g. the device and model
  std::string footnote;  // provenance, e.g. "energy ESTIMATED by cpu-estimate"
  std::string x_label;   // with units: "batch size (prompts)"
  std::string y_label;   // with units: "joules per prompt (J)"
  // Places x at log2(x), so batch sizes 1, 2, 4, ..., 32 are equally spaced;
  // ticks are the powers of two. Every x (markers included) must be > 0.
  bool log2_x = false;
  // Starts the y axis at zero (or ends it there, for negative data) instead
  // of at a nice value just below the data. Bar series always do.
  bool y_from_zero = false;
  std::vector<Series> series;
  std::vector<Marker> markers;
  std::vector<ReferenceLine> reference_lines;
  int width = 640;   // px, 240 to 8192
  int height = 400;  // px, 160 to 8192
};

// The default colour of series `index` (an empty Series::color): the
// Okabe-Ito palette in order, wrapping after 8. Callers that draw several
// charts use it to give one thing the same colour in each.
std::string palette_color(std::size_t index);

// The chart as an <svg> element (UTF-8, no XML declaration, ends in "\n").
// Series i is drawn as <g data-series="i">: its line (a <path>), its error
// bars (one <path>), then a <circle> or <rect> per point with a <title> that
// browsers show on hover.
// kInvalidArgument, naming the series (index and name) and the point, for:
// no series or a series without points; x, y, y_low or y_high of different
// lengths; a value that is NaN, infinite or of magnitude above 1e100; error
// bars that do not contain their point; x <= 0 on a log2 axis; a malformed
// colour; a size out of range; a marker or reference line off those rules.
// Text may hold anything: it is XML-escaped, invalid UTF-8 and characters XML
// forbids become U+FFFD.
core::Result<std::string> render_svg(const LineChart& chart);

// Renders `chart` and writes it to `path` with an XML declaration, through a
// temporary file beside it and a rename, so readers never see half a chart.
// Errors name the path.
core::Status write_svg_file(const std::string& path, const LineChart& chart);

}  // namespace greenroute::report
