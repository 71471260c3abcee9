#include "chart_layout.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "greenroute/core/check.h"
#include "greenroute/report/nice_ticks.h"
#include "legend.h"
#include "utf8.h"

namespace greenroute::report::detail {
namespace {

constexpr double kEdgePx = 8;  // canvas border kept clear
constexpr double kTickLengthPx = 5;
constexpr double kMarkerRowPx = 15;
constexpr int kMaxMarkerRows = 3;
constexpr double kMinPlotPx = 40;
constexpr double kMaxBarSlotPx = 40;

bool has_bars(const LineChart& chart) {
  return std::any_of(chart.series.begin(), chart.series.end(),
                     [](const Series& s) { return s.style == SeriesStyle::kBars; });
}

void set_labels_from_ticks(const Ticks& t, Axis* axis) {
  axis->lo = t.lo, axis->hi = t.hi;
  axis->ticks = t.values;
  axis->labels.clear();
  for (double v : t.values) axis->labels.push_back(format_tick(v, t.exponent));
}

void build_y_axis(const LineChart& chart, Axis* y) {
  double lo = chart.series[0].y[0], hi = lo;
  auto take = [&](double v) { lo = std::min(lo, v), hi = std::max(hi, v); };
  for (const Series& s : chart.series) {
    for (double v : s.y) take(v);
    for (double v : s.y_low) take(v);
    for (double v : s.y_high) take(v);
  }
  for (const ReferenceLine& r : chart.reference_lines) take(r.y);
  if (chart.y_from_zero || has_bars(chart)) take(0.0);
  // About one tick per 55 px of plot: five on the default 400 px canvas.
  const int target = std::clamp(static_cast<int>(std::lround((chart.height - 130) / 55.0)), 3, 8);
  set_labels_from_ticks(nice_ticks(lo, hi, target), y);
}

// The smallest gap between distinct values, or 0 for fewer than two.
double min_gap(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double gap = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const double d = v[i] - v[i - 1];
    if (d > 0 && (gap == 0 || d < gap)) gap = d;
  }
  return gap;
}

// Positions of every x on the axis (log2 applied), markers included; and
// those of bar series alone.
void axis_positions(const LineChart& chart, std::vector<double>* all, std::vector<double>* bars) {
  auto pos = [&](double x) { return chart.log2_x ? std::log2(x) : x; };
  for (const Series& s : chart.series) {
    for (double x : s.x) {
      all->push_back(pos(x));
      if (s.style == SeriesStyle::kBars) bars->push_back(pos(x));
    }
  }
  for (const Marker& m : chart.markers) all->push_back(pos(m.x));
}

void build_linear_x(const LineChart& chart, double plot_w, Axis* x) {
  std::vector<double> all, bars;
  axis_positions(chart, &all, &bars);
  double lo = *std::min_element(all.begin(), all.end());
  double hi = *std::max_element(all.begin(), all.end());
  if (!bars.empty()) {
    // Half a bar spacing of room at each end keeps the outer bars whole.
    double gap = min_gap(bars);
    if (gap == 0) gap = std::max(std::fabs(bars[0]), 1.0);
    lo -= gap / 2, hi += gap / 2;
  }
  const int target = std::clamp(static_cast<int>(plot_w / 80), 2, 10);
  set_labels_from_ticks(nice_ticks(lo, hi, target), x);
}

void build_log2_x(const LineChart& chart, double plot_w, Axis* x) {
  std::vector<double> all, bars;
  axis_positions(chart, &all, &bars);
  const double u_min = *std::min_element(all.begin(), all.end());
  const double u_max = *std::max_element(all.begin(), all.end());
  x->log2 = true;
  if (u_max - u_min < 1e-9) {
    x->lo = u_min - 1, x->hi = u_max + 1;  // one x: show the powers of two either side
  } else {
    // Round out to powers of two so the ends carry ticks, plus a margin that
    // keeps points (or half a bar) off the axis lines.
    const double pad = bars.empty() ? 0.25 : 0.5;
    x->lo = std::floor(u_min) - pad, x->hi = std::ceil(u_max) + pad;
  }
  const double first = std::ceil(x->lo), last = std::floor(x->hi);
  const double max_ticks = std::max(2.0, std::floor(plot_w / 40));
  const double stride = std::max(1.0, std::ceil((last - first + 1) / max_ticks));
  x->ticks.clear();
  x->labels.clear();
  // x lies in (0, 1e100], so k stays within [-1075, 333]: stepping a double
  // by stride is exact.
  for (double k = std::ceil(first / stride) * stride; k <= last; k += stride) {
    const double v = std::exp2(k);
    x->ticks.push_back(v);
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest: "0.25", "32", "1024"
    GR_CHECK(r.ec == std::errc());
    x->labels.emplace_back(buf, r.ptr);
  }
  GR_CHECK(!x->ticks.empty());  // the range holds at least one integer multiple of stride
}

// Blanks labels that would run into their neighbours: keeps every k-th.
void thin_labels(Axis* axis) {
  if (axis->ticks.size() < 2) return;
  double widest = 0;
  for (const std::string& l : axis->labels)
    widest = std::max(widest, text_width_px(l, kTickLabelPx));
  double spacing = 0;
  for (std::size_t i = 1; i < axis->ticks.size(); ++i) {
    const double d = std::fabs(axis->to_px(axis->ticks[i]) - axis->to_px(axis->ticks[i - 1]));
    spacing = i == 1 ? d : std::min(spacing, d);
  }
  if (spacing <= 0) return;
  const auto every = static_cast<std::size_t>(std::ceil((widest + 8) / spacing));
  if (every <= 1) return;
  for (std::size_t i = 0; i < axis->labels.size(); ++i) {
    if (i % every != 0) axis->labels[i].clear();
  }
}

// Assigns each labelled marker to the first row of the band above the plot
// where its label overlaps no other; returns the number of rows used.
int place_marker_labels(const LineChart& chart, const Layout& l, std::vector<int>* rows) {
  std::vector<std::size_t> order(chart.markers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return chart.markers[a].x < chart.markers[b].x;
  });
  struct Span {
    double a, b;
  };
  std::vector<std::vector<Span>> taken(kMaxMarkerRows);
  rows->assign(chart.markers.size(), 0);
  int used = 0;
  for (std::size_t i : order) {
    if (chart.markers[i].label.empty()) continue;
    const MarkerPlacement& m = l.markers[i];
    const double w = text_width_px(chart.markers[i].label, kMarkerLabelPx);
    const Span span =
        m.anchor_end ? Span{m.label_x_px - w, m.label_x_px} : Span{m.label_x_px, m.label_x_px + w};
    int row = kMaxMarkerRows - 1;  // when all rows are taken, the last one overlaps
    for (int r = 0; r < kMaxMarkerRows; ++r) {
      const bool clear = std::none_of(taken[r].begin(), taken[r].end(), [&](const Span& t) {
        return span.a < t.b + 6 && t.a < span.b + 6;
      });
      if (clear) {
        row = r;
        break;
      }
    }
    taken[row].push_back(span);
    (*rows)[i] = row;
    used = std::max(used, row + 1);
  }
  return used;
}

// Stacks the texts above and below the plot and sets the plot's top and
// height, the y axis' pixel range and the label baselines.
void stack_vertically(const LineChart& chart, int marker_rows, const std::vector<int>& marker_row,
                      int legend_rows, Layout* l) {
  double top = kEdgePx;
  if (!chart.title.empty()) l->title_baseline = top + 14, top += 22;
  if (!chart.subtitle.empty()) l->subtitle_baseline = top + 11, top += 18;
  const double band_top = top;
  top += marker_rows * kMarkerRowPx + (marker_rows > 0 ? 4 : 0);
  top += 8;  // half the top y tick label sits above the plot

  double bottom = chart.height - kEdgePx;
  if (!chart.footnote.empty()) l->footnote_baseline = bottom - 2, bottom -= kFootnotePx + 6;
  const double legend_top = bottom - legend_rows * kLegendRowPx;
  if (legend_rows > 0) bottom = legend_top - 6;
  if (!chart.x_label.empty()) l->x_label_baseline = bottom - 2, bottom -= kAxisLabelPx + 6;
  bottom -= kTickLengthPx + kTickLabelPx + 6;  // ticks and their labels

  l->plot.top = top;
  l->plot.height = std::max(kMinPlotPx, bottom - top);
  l->y.px_lo = l->plot.bottom(), l->y.px_hi = l->plot.top;
  for (std::size_t i = 0; i < l->markers.size(); ++i) {
    l->markers[i].baseline_px = band_top + 11 + marker_row[i] * kMarkerRowPx;
  }
  if (legend_rows > 0) {
    for (LegendItem& item : l->legend.items) {
      item.baseline_px = legend_top + 12 + item.row * kLegendRowPx;
    }
  }
}

void size_bars(const LineChart& chart, Layout* l) {
  std::vector<double> px;
  for (const Series& s : chart.series) {
    if (s.style != SeriesStyle::kBars) continue;
    ++l->bar_series;
    for (double x : s.x) px.push_back(l->x.to_px(x));
  }
  if (px.empty()) return;
  const double gap = min_gap(px);
  double group = gap > 0 ? 0.7 * gap : std::min(0.25 * l->plot.width, 80.0);
  // Never wider than the room between the outermost bars and the plot edges.
  for (double p : px)
    group = std::min(group, 2 * std::min(p - l->plot.left, l->plot.right() - p) - 2);
  group = std::min(group, kMaxBarSlotPx * static_cast<double>(l->bar_series));
  l->bar_group_px = std::max(group, 1.0);
}

}  // namespace

double text_width_px(const std::string& text, double font_px) {
  return static_cast<double>(code_point_count(text)) * font_px * 0.6;
}

FittedText fit_text(const std::string& text, double font_px, double max_px) {
  const double need = text_width_px(text, font_px);
  if (need <= max_px) return {text, font_px};
  const double px = std::max(font_px * 0.75, font_px * max_px / need);
  if (text_width_px(text, px) <= max_px * (1 + 1e-9)) return {text, px};  // px may round up
  // Keep as many characters as fit beside the ellipsis, cutting between code
  // points so the text stays valid UTF-8.
  const double per_char = px * 0.6;
  const auto keep = static_cast<std::size_t>(std::max(0.0, std::floor(max_px / per_char) - 1));
  std::size_t pos = 0;
  for (std::size_t n = 0; n < keep && pos < text.size(); ++n) next_code_point(text, &pos);
  return {text.substr(0, pos) + "\xE2\x80\xA6", px};  // U+2026, an ellipsis
}

double Axis::to_px(double value) const {
  const double u = log2 ? std::log2(value) : value;
  return px_lo + (u - lo) / (hi - lo) * (px_hi - px_lo);
}

std::vector<std::size_t> x_order(const Series& series) {
  std::vector<std::size_t> order(series.x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return series.x[a] < series.x[b]; });
  return order;
}

Rect bar_rect(const LineChart& chart, const Layout& l, std::size_t series, std::size_t point) {
  std::size_t slot = 0;
  for (std::size_t i = 0; i < series; ++i) slot += chart.series[i].style == SeriesStyle::kBars;
  const double slot_w = l.bar_group_px / static_cast<double>(l.bar_series);
  const Series& s = chart.series[series];
  const double zero = l.y.to_px(0.0), value = l.y.to_px(s.y[point]);
  Rect r;
  r.left = l.x.to_px(s.x[point]) - l.bar_group_px / 2 + slot_w * (static_cast<double>(slot) + 0.1);
  r.width = slot_w * 0.8;
  r.top = std::min(zero, value);
  r.height = std::fabs(zero - value);
  return r;
}

Layout layout_chart(const LineChart& chart) {
  Layout l;
  l.width = chart.width, l.height = chart.height;

  // Horizontal: the y tick labels set the left margin, the last x tick
  // label the right one.
  build_y_axis(chart, &l.y);
  double widest_y = 0;
  for (const std::string& s : l.y.labels)
    widest_y = std::max(widest_y, text_width_px(s, kTickLabelPx));
  l.y_label_baseline_x = kEdgePx + kAxisLabelPx - 2;
  l.plot.left =
      kEdgePx + (chart.y_label.empty() ? 0 : kAxisLabelPx + 8) + widest_y + kTickLengthPx + 4;
  const double plot_w_guess = chart.width - l.plot.left - 16;
  if (chart.log2_x) {
    build_log2_x(chart, plot_w_guess, &l.x);
  } else {
    build_linear_x(chart, plot_w_guess, &l.x);
  }
  const double last_label_w = text_width_px(l.x.labels.back(), kTickLabelPx);
  const double right_margin = std::max(16.0, last_label_w / 2 + 6);
  l.plot.width = std::max(kMinPlotPx, chart.width - l.plot.left - right_margin);
  l.x.px_lo = l.plot.left, l.x.px_hi = l.plot.right();
  thin_labels(&l.x);
  size_bars(chart, &l);

  for (const Marker& m : chart.markers) {
    MarkerPlacement p;
    p.x_px = l.x.to_px(m.x);
    const double w = text_width_px(m.label, kMarkerLabelPx);
    p.anchor_end = p.x_px + 4 + w > chart.width - kEdgePx && p.x_px - 4 - w >= kEdgePx;
    p.label_x_px = p.anchor_end ? p.x_px - 4 : p.x_px + 4;
    l.markers.push_back(p);
  }
  std::vector<int> marker_row;
  const int marker_rows = place_marker_labels(chart, l, &marker_row);

  // Vertical: first with the legend inside the plot; if no corner is free,
  // again with rows for it under the plot.
  stack_vertically(chart, marker_rows, marker_row, 0, &l);
  const std::vector<std::size_t> named = legend_series(chart);
  if (!named.empty()) {
    l.legend.shown = true;
    if (std::optional<Rect> box = free_legend_corner(chart, l)) {
      l.legend.box = *box;
      for (std::size_t i = 0; i < named.size(); ++i) {
        const double baseline = box->top + 4 + 12 + static_cast<double>(i) * kLegendRowPx;
        l.legend.items.push_back(LegendItem{named[i], box->left + 8, baseline, 0});
      }
    } else {
      l.legend.below = true;
      for (std::size_t s : named) l.legend.items.push_back(LegendItem{s, 0, 0, 0});
      const int rows = wrap_legend_rows(chart, l.plot, &l.legend.items);
      stack_vertically(chart, marker_rows, marker_row, rows, &l);
    }
  }
  thin_labels(&l.y);
  const double line_px = chart.width - 2 * kEdgePx;
  l.title = fit_text(chart.title, kTitlePx, line_px);
  l.subtitle = fit_text(chart.subtitle, kSubtitlePx, line_px);
  l.footnote = fit_text(chart.footnote, kFootnotePx, line_px);
  l.x_label = fit_text(chart.x_label, kAxisLabelPx, l.plot.width);
  l.y_label = fit_text(chart.y_label, kAxisLabelPx, l.plot.height);
  return l;
}

}  // namespace greenroute::report::detail
