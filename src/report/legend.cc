#include "legend.h"

#include <algorithm>
#include <cmath>

namespace greenroute::report::detail {
namespace {

constexpr double kInsetPx = 6;  // between the box and the plot's edges
constexpr double kClearancePx = 2;

struct Segment {
  double x1, y1, x2, y2;
};

// Whether the segment crosses or lies in `r` (Liang-Barsky clipping).
bool segment_hits(const Segment& s, const Rect& r) {
  double t0 = 0, t1 = 1;
  const double dx = s.x2 - s.x1, dy = s.y2 - s.y1;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {s.x1 - r.left, r.right() - s.x1, s.y1 - r.top, r.bottom() - s.y1};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;  // parallel to this edge and outside it
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 > t1) return false;
  }
  return true;
}

bool rects_overlap(const Rect& a, const Rect& b) {
  return a.left < b.right() && b.left < a.right() && a.top < b.bottom() && b.top < a.bottom();
}

// What the legend must not cover, as segments and boxes on the canvas.
void collect_obstacles(const LineChart& chart, const Layout& l, std::vector<Segment>* segments,
                       std::vector<Rect>* boxes) {
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    const std::vector<std::size_t> order = x_order(s);
    const bool line = s.style == SeriesStyle::kLineMarkers || s.style == SeriesStyle::kLine;
    const bool points = s.style == SeriesStyle::kLineMarkers || s.style == SeriesStyle::kMarkers;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      const double px = l.x.to_px(s.x[i]), py = l.y.to_px(s.y[i]);
      if (line && k > 0) {
        const std::size_t j = order[k - 1];
        segments->push_back({l.x.to_px(s.x[j]), l.y.to_px(s.y[j]), px, py});
      }
      if (points) {
        const double r = kPointRadiusPx;
        boxes->push_back(Rect{px - r, py - r, 2 * r, 2 * r});
      }
      if (s.style == SeriesStyle::kBars) boxes->push_back(bar_rect(chart, l, si, i));
      if (!s.y_low.empty())
        segments->push_back({px, l.y.to_px(s.y_low[i]), px, l.y.to_px(s.y_high[i])});
    }
  }
  for (const ReferenceLine& r : chart.reference_lines) {
    const double w = text_width_px(r.label, kLegendPx);
    const double y = l.y.to_px(r.y);
    boxes->push_back(Rect{l.plot.right() - 4 - w, y - 4 - kLegendPx, w, kLegendPx});
  }
}

}  // namespace

std::vector<std::size_t> legend_series(const LineChart& chart) {
  std::vector<std::size_t> named;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    if (!chart.series[i].name.empty()) named.push_back(i);
  }
  return named;
}

std::optional<Rect> free_legend_corner(const LineChart& chart, const Layout& l) {
  const std::vector<std::size_t> named = legend_series(chart);
  double widest = 0;
  for (std::size_t i : named)
    widest = std::max(widest, text_width_px(chart.series[i].name, kLegendPx));
  const double w = 8 + kLegendSwatchPx + 6 + widest + 8;
  const double h = static_cast<double>(named.size()) * kLegendRowPx + 8;
  // A box over most of the plot hides the data wherever it goes.
  if (w > 0.6 * l.plot.width || h > 0.6 * l.plot.height) return std::nullopt;

  std::vector<Segment> segments;
  std::vector<Rect> boxes;
  collect_obstacles(chart, l, &segments, &boxes);
  const double left = l.plot.left + kInsetPx, right = l.plot.right() - kInsetPx - w;
  const double top = l.plot.top + kInsetPx, bottom = l.plot.bottom() - kInsetPx - h;
  const Rect corners[] = {
      {right, top, w, h}, {left, top, w, h}, {right, bottom, w, h}, {left, bottom, w, h}};
  for (const Rect& c : corners) {
    const Rect clear{c.left - kClearancePx, c.top - kClearancePx, c.width + 2 * kClearancePx,
                     c.height + 2 * kClearancePx};
    const bool covers = std::any_of(segments.begin(), segments.end(),
                                    [&](const Segment& s) { return segment_hits(s, clear); }) ||
                        std::any_of(boxes.begin(), boxes.end(),
                                    [&](const Rect& b) { return rects_overlap(b, clear); });
    if (!covers) return c;
  }
  return std::nullopt;
}

int wrap_legend_rows(const LineChart& chart, const Rect& plot, std::vector<LegendItem>* items) {
  int row = 0;
  double x = plot.left;
  for (LegendItem& item : *items) {
    const double w =
        kLegendSwatchPx + 6 + text_width_px(chart.series[item.series].name, kLegendPx) + 16;
    if (x > plot.left && x + w > plot.right()) ++row, x = plot.left;
    item.x_px = x;
    item.row = row;
    x += w;
  }
  return row + 1;
}

}  // namespace greenroute::report::detail
