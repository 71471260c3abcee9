#include "greenroute/report/svg_chart.h"

#include <string_view>

#include "chart_layout.h"
#include "chart_validation.h"
#include "greenroute/report/file_output.h"
#include "legend.h"
#include "svg_text.h"

namespace greenroute::report {
namespace {

using detail::Layout;
using detail::Rect;
using detail::svg_number;
using detail::xml_escape;

// Okabe & Ito (2008), in an order that puts the strongest contrasts on white
// first; yellow is last as it is faint on white.
constexpr std::string_view kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr std::string_view kFontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";

std::string color_of(const LineChart& chart, std::size_t series) {
  const std::string& c = chart.series[series].color;
  if (!c.empty()) return c;
  return palette_color(series);
}

// <text x=".." y="..">content</text>, with extra attributes (which must
// already be escaped) before the closing '>'.
void text(std::string* out, double x, double y, std::string_view content, std::string_view attrs) {
  *out += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\"";
  if (!attrs.empty()) *out += " " + std::string(attrs);
  *out += ">" + xml_escape(content) + "</text>\n";
}

std::string font(double px) {
  return "font-size=\"" + svg_number(px) + "\"";
}

void draw_titles(const Layout& l, std::string* out) {
  const double center = l.width / 2;
  if (!l.title.text.empty()) {
    text(out, center, l.title_baseline, l.title.text,
         "text-anchor=\"middle\" " + font(l.title.font_px) +
             " font-weight=\"bold\" fill=\"#222222\"");
  }
  if (!l.subtitle.text.empty()) {
    text(out, center, l.subtitle_baseline, l.subtitle.text,
         "text-anchor=\"middle\" " + font(l.subtitle.font_px) + " fill=\"#555555\"");
  }
  if (!l.footnote.text.empty()) {
    text(out, 8, l.footnote_baseline, l.footnote.text,
         font(l.footnote.font_px) + " font-style=\"italic\" fill=\"#666666\"");
  }
}

void draw_axes(const Layout& l, std::string* out) {
  const Rect& p = l.plot;
  std::string grid, ticks;
  for (double v : l.x.ticks) {
    const std::string x = svg_number(l.x.to_px(v));
    grid += "M" + x + " " + svg_number(p.top) + "V" + svg_number(p.bottom());
    ticks += "M" + x + " " + svg_number(p.bottom()) + "v5";
  }
  for (double v : l.y.ticks) {
    const std::string y = svg_number(l.y.to_px(v));
    grid += "M" + svg_number(p.left) + " " + y + "H" + svg_number(p.right());
    ticks += "M" + svg_number(p.left) + " " + y + "h-5";
  }
  *out += "<path d=\"" + grid + "\" fill=\"none\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n";
  *out += "<path d=\"M" + svg_number(p.left) + " " + svg_number(p.top) + "V" +
          svg_number(p.bottom()) + "H" + svg_number(p.right()) + ticks +
          "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";

  *out += "<g " + font(detail::kTickLabelPx) + " fill=\"#333333\">\n";
  for (std::size_t i = 0; i < l.x.ticks.size(); ++i) {
    if (l.x.labels[i].empty()) continue;
    text(out, l.x.to_px(l.x.ticks[i]), p.bottom() + 5 + detail::kTickLabelPx + 2, l.x.labels[i],
         "text-anchor=\"middle\"");
  }
  for (std::size_t i = 0; i < l.y.ticks.size(); ++i) {
    if (l.y.labels[i].empty()) continue;
    text(out, p.left - 8, l.y.to_px(l.y.ticks[i]) + 4, l.y.labels[i], "text-anchor=\"end\"");
  }
  *out += "</g>\n";

  if (!l.x_label.text.empty()) {
    text(out, p.left + p.width / 2, l.x_label_baseline, l.x_label.text,
         "text-anchor=\"middle\" " + font(l.x_label.font_px) + " fill=\"#222222\"");
  }
  if (!l.y_label.text.empty()) {
    const std::string x = svg_number(l.y_label_baseline_x), y = svg_number(p.top + p.height / 2);
    text(out, l.y_label_baseline_x, p.top + p.height / 2, l.y_label.text,
         "text-anchor=\"middle\" transform=\"rotate(-90 " + x + " " + y + ")\" " +
             font(l.y_label.font_px) + " fill=\"#222222\"");
  }
}

// Reference lines and markers sit under the data, their labels beside them.
void draw_guides(const LineChart& chart, const Layout& l, std::string* out) {
  const Rect& p = l.plot;
  for (const ReferenceLine& r : chart.reference_lines) {
    const double y = l.y.to_px(r.y);
    *out += "<path d=\"M" + svg_number(p.left) + " " + svg_number(y) + "H" + svg_number(p.right()) +
            "\" fill=\"none\" stroke=\"#7f7f7f\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"/>\n";
    if (!r.label.empty()) {
      text(out, p.right() - 4, y - 4, r.label,
           "text-anchor=\"end\" " + font(detail::kLegendPx) + " fill=\"#555555\"");
    }
  }
  for (std::size_t i = 0; i < chart.markers.size(); ++i) {
    const detail::MarkerPlacement& m = l.markers[i];
    // The line rises to the top of its label, which reads beside it like a flag.
    const double top =
        chart.markers[i].label.empty() ? p.top : m.baseline_px - detail::kMarkerLabelPx + 2;
    *out += "<path d=\"M" + svg_number(m.x_px) + " " + svg_number(p.bottom()) + "V" +
            svg_number(top) +
            "\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n";
    if (!chart.markers[i].label.empty()) {
      text(out, m.label_x_px, m.baseline_px, chart.markers[i].label,
           std::string(m.anchor_end ? "text-anchor=\"end\" " : "") + font(detail::kMarkerLabelPx) +
               " fill=\"#222222\"");
    }
  }
}

// "name: x=4, y=123.457 (range 110 to 131)", shown by browsers on hover.
std::string point_title(const Series& s, std::size_t i) {
  std::string t = s.name.empty() ? "" : s.name + ": ";
  t += "x=" + detail::value_text(s.x[i]) + ", y=" + detail::value_text(s.y[i]);
  if (!s.y_low.empty()) {
    t += " (range " + detail::value_text(s.y_low[i]) + " to " + detail::value_text(s.y_high[i]) +
         ")";
  }
  return "<title>" + xml_escape(t) + "</title>";
}

// One group per series: its line (a <path>), its error bars (one <path>),
// then one <circle> or <rect> per point, each with a hover title.
void draw_series(const LineChart& chart, const Layout& l, std::size_t si, std::string* out) {
  const Series& s = chart.series[si];
  const std::string color = color_of(chart, si);
  *out += "<g data-series=\"" + std::to_string(si) + "\">\n";
  const std::vector<std::size_t> order = detail::x_order(s);
  if (s.style == SeriesStyle::kLineMarkers || s.style == SeriesStyle::kLine) {
    std::string d;
    for (std::size_t k = 0; k < order.size(); ++k) {
      d += (k == 0 ? "M" : "L") + svg_number(l.x.to_px(s.x[order[k]])) + " " +
           svg_number(l.y.to_px(s.y[order[k]]));
    }
    *out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color +
            "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n";
  }
  if (!s.y_low.empty()) {
    std::string d;
    for (std::size_t i : order) {
      const std::string x = svg_number(l.x.to_px(s.x[i]));
      const double x_px = l.x.to_px(s.x[i]);
      const std::string lo = svg_number(l.y.to_px(s.y_low[i])),
                        hi = svg_number(l.y.to_px(s.y_high[i]));
      const std::string left = svg_number(x_px - 3);
      d += "M" + x + " " + lo + "V" + hi + "M" + left + " " + lo + "h6M" + left + " " + hi + "h6";
    }
    *out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.2\"/>\n";
  }
  for (std::size_t i : order) {
    if (s.style == SeriesStyle::kBars) {
      const Rect r = detail::bar_rect(chart, l, si, i);
      *out += "<rect x=\"" + svg_number(r.left) + "\" y=\"" + svg_number(r.top) + "\" width=\"" +
              svg_number(r.width) + "\" height=\"" + svg_number(r.height) + "\" fill=\"" + color +
              "\">" + point_title(s, i) + "</rect>\n";
    } else if (s.style != SeriesStyle::kLine) {
      *out += "<circle cx=\"" + svg_number(l.x.to_px(s.x[i])) + "\" cy=\"" +
              svg_number(l.y.to_px(s.y[i])) + "\" r=\"" + svg_number(detail::kPointRadiusPx) +
              "\" fill=\"" + color + "\" stroke=\"#ffffff\" stroke-width=\"1\">" +
              point_title(s, i) + "</circle>\n";
    }
  }
  *out += "</g>\n";
}

void draw_legend(const LineChart& chart, const Layout& l, std::string* out) {
  if (!l.legend.shown) return;
  *out += "<g " + font(detail::kLegendPx) + " fill=\"#222222\">\n";
  if (!l.legend.below) {
    const Rect& b = l.legend.box;
    *out += "<rect x=\"" + svg_number(b.left) + "\" y=\"" + svg_number(b.top) + "\" width=\"" +
            svg_number(b.width) + "\" height=\"" + svg_number(b.height) +
            "\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n";
  }
  for (const detail::LegendItem& item : l.legend.items) {
    const Series& s = chart.series[item.series];
    const std::string color = color_of(chart, item.series);
    const double mid_y = item.baseline_px - 4;
    if (s.style == SeriesStyle::kBars) {
      *out += "<rect x=\"" + svg_number(item.x_px + 5) + "\" y=\"" + svg_number(mid_y - 5) +
              "\" width=\"12\" height=\"10\" fill=\"" + color + "\"/>\n";
    } else {
      if (s.style != SeriesStyle::kMarkers) {
        *out += "<path d=\"M" + svg_number(item.x_px) + " " + svg_number(mid_y) + "h" +
                svg_number(detail::kLegendSwatchPx) + "\" fill=\"none\" stroke=\"" + color +
                "\" stroke-width=\"2\"/>\n";
      }
      if (s.style != SeriesStyle::kLine) {
        *out += "<circle cx=\"" + svg_number(item.x_px + detail::kLegendSwatchPx / 2) + "\" cy=\"" +
                svg_number(mid_y) + "\" r=\"" + svg_number(detail::kPointRadiusPx) + "\" fill=\"" +
                color + "\"/>\n";
      }
    }
    text(out, item.x_px + detail::kLegendSwatchPx + 6, item.baseline_px, s.name, "");
  }
  *out += "</g>\n";
}

}  // namespace

std::string palette_color(std::size_t index) {
  return std::string(kPalette[index % std::size(kPalette)]);
}

core::Result<std::string> render_svg(const LineChart& chart) {
  GR_RETURN_IF_ERROR(detail::validate_chart(chart));
  const Layout l = detail::layout_chart(chart);
  const std::string w = std::to_string(chart.width), h = std::to_string(chart.height);
  std::string out;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"" + std::string(kFontFamily) +
         "\" role=\"img\">\n";
  // The accessible name, and what a browser shows for the file's tab.
  out += "<title>" + xml_escape(chart.title.empty() ? "chart" : chart.title) + "</title>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
  draw_titles(l, &out);
  draw_axes(l, &out);
  draw_guides(chart, l, &out);
  for (std::size_t i = 0; i < chart.series.size(); ++i) draw_series(chart, l, i, &out);
  draw_legend(chart, l, &out);
  out += "</svg>\n";
  return out;
}

core::Status write_svg_file(const std::string& path, const LineChart& chart) {
  core::Result<std::string> svg = render_svg(chart);
  if (!svg.is_ok()) return svg.status().with_context(path);
  return write_file_atomically(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + *svg);
}

}  // namespace greenroute::report
