// Placement rules of the chart layout: the legend avoids the data, marker
// labels avoid each other, everything stays on the canvas.
#include <gtest/gtest.h>

#include <string>

#include "bench_charts.h"
#include "greenroute/report/svg_chart.h"
#include "report/chart_layout.h"
#include "report/legend.h"
#include "report_test_util.h"

namespace greenroute::report::detail {
namespace {

Series line(std::string name, std::vector<double> x, std::vector<double> y) {
  Series s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  return s;
}

bool inside(const Rect& inner, const Rect& outer) {
  return inner.left >= outer.left && inner.right() <= outer.right() && inner.top >= outer.top &&
         inner.bottom() <= outer.bottom();
}

TEST(ChartLayout, LegendTakesAFreeCornerOfThePlot) {
  LineChart chart;
  // Rising from bottom left to top right: the top-left corner is free.
  chart.series = {line("a", {0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}),
                  line("b", {0, 1, 2, 3, 4}, {0, 0.9, 1.8, 2.9, 4})};
  const Layout l = layout_chart(chart);
  ASSERT_TRUE(l.legend.shown);
  EXPECT_FALSE(l.legend.below);
  EXPECT_TRUE(inside(l.legend.box, l.plot));
  EXPECT_LT(l.legend.box.right(), l.plot.left + l.plot.width / 2);
  EXPECT_LT(l.legend.box.bottom(), l.plot.top + l.plot.height / 2);
  ASSERT_EQ(l.legend.items.size(), 2u);
  EXPECT_LT(l.legend.items[0].baseline_px, l.legend.items[1].baseline_px);

  // Falling: the top-right corner is free, and tried first.
  chart.series = {line("a", {0, 1, 2, 3, 4}, {4, 3, 2, 1, 0})};
  const Layout falling = layout_chart(chart);
  EXPECT_FALSE(falling.legend.below);
  EXPECT_GT(falling.legend.box.left, falling.plot.left + falling.plot.width / 2);
  EXPECT_LT(falling.legend.box.bottom(), falling.plot.top + falling.plot.height / 2);
}

TEST(ChartLayout, LegendGoesBelowWhenEveryCornerHoldsData) {
  LineChart chart;
  // A sawtooth from edge to edge crosses every corner.
  chart.series = {
      line("sawtooth", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {0, 10, 0, 10, 0, 10, 0, 10, 0, 10, 0}),
      line("other", {5}, {5})};
  const Layout l = layout_chart(chart);
  ASSERT_TRUE(l.legend.shown);
  EXPECT_TRUE(l.legend.below);
  ASSERT_EQ(l.legend.items.size(), 2u);
  for (const LegendItem& item : l.legend.items) {
    EXPECT_GT(item.baseline_px, l.plot.bottom() + kTickLabelPx);  // under the tick labels
    EXPECT_LT(item.baseline_px, chart.height);
  }
}

TEST(ChartLayout, NoLegendWithoutNamedSeries) {
  LineChart chart;
  chart.series = {line("", {1, 2}, {1, 2})};
  EXPECT_FALSE(layout_chart(chart).legend.shown);
  const std::string svg = *render_svg(chart);
  EXPECT_EQ(svg.find("fill-opacity=\"0.85\""), std::string::npos);
}

TEST(ChartLayout, CloseMarkerLabelsTakeSeparateRows) {
  LineChart chart;
  chart.series = {line("a", {1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6})};
  chart.markers = {{4, "knee: batch 4"}, {4.2, "saturated: batch 4.2"}, {1, "far left"}};
  const Layout l = layout_chart(chart);
  ASSERT_EQ(l.markers.size(), 3u);
  EXPECT_NE(l.markers[0].baseline_px, l.markers[1].baseline_px);
  EXPECT_EQ(l.markers[2].baseline_px, l.markers[0].baseline_px);  // no clash: the first row
  for (const MarkerPlacement& m : l.markers)
    EXPECT_LT(m.baseline_px, l.plot.top);  // above the data
}

TEST(ChartLayout, MarkerLabelNearTheRightEdgeReadsLeftOfItsLine) {
  const LineChart chart =
      testing_util::joules_per_prompt_chart();  // "saturated: batch 32" at the end
  const Layout l = layout_chart(chart);
  ASSERT_EQ(l.markers.size(), 2u);
  EXPECT_FALSE(l.markers[0].anchor_end);
  EXPECT_TRUE(l.markers[1].anchor_end);
  EXPECT_LT(l.markers[1].label_x_px, l.markers[1].x_px);
}

TEST(ChartLayout, PlotStaysOnTheCanvasAndAxesCoverTheData) {
  for (const LineChart& chart :
       {testing_util::joules_per_prompt_chart(), testing_util::latency_chart()}) {
    const Layout l = layout_chart(chart);
    EXPECT_TRUE(inside(l.plot, Rect{0, 0, l.width, l.height}));
    EXPECT_GT(l.plot.width, l.width / 2);
    EXPECT_GT(l.plot.height, l.height / 2);
    for (const Series& s : chart.series) {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        EXPECT_GE(l.x.to_px(s.x[i]), l.plot.left);
        EXPECT_LE(l.x.to_px(s.x[i]), l.plot.right());
        EXPECT_LE(l.y.to_px(s.y[i]), l.plot.bottom() + 1e-9);
        EXPECT_GE(l.y.to_px(s.y[i]), l.plot.top - 1e-9);
      }
    }
  }
  // y_from_zero puts 0 at the bottom of the joules chart.
  const Layout j = layout_chart(testing_util::joules_per_prompt_chart());
  EXPECT_EQ(j.y.ticks.front(), 0.0);
  // The SLO at 1500 ms lies inside the latency chart's range.
  const Layout lat = layout_chart(testing_util::latency_chart());
  EXPECT_LE(lat.y.to_px(1500), lat.plot.bottom());
  EXPECT_GE(lat.y.to_px(1500), lat.plot.top);
}

TEST(ChartLayout, CrowdedTickLabelsAreThinned) {
  LineChart chart;
  chart.width = 240;
  chart.log2_x = true;
  chart.series = {line("", {1, 1 << 30}, {1, 2})};
  const Layout l = layout_chart(chart);
  std::size_t shown = 0;
  for (const std::string& s : l.x.labels) shown += !s.empty();
  EXPECT_LT(shown, l.x.labels.size());
  EXPECT_GE(shown, 2u);
}

}  // namespace
}  // namespace greenroute::report::detail
