// render_svg rejects what it cannot draw faithfully, naming the series and
// point at fault.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "bench_charts.h"
#include "greenroute/report/svg_chart.h"

namespace greenroute::report {
namespace {

struct Case {
  const char* what;
  std::function<void(LineChart*)> spoil;
  std::string message;  // the whole message of the kInvalidArgument status
};

TEST(SvgValidation, RejectsBadChartsWithMessagesNamingThePoint) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"no series", [](LineChart* c) { c->series.clear(); }, "chart has no series to plot"},
      {"empty series", [](LineChart* c) { c->series[1].x.clear(), c->series[1].y.clear(); },
       "series 1 \"rtx 2000 ada (reference)\": no points"},
      {"lengths", [](LineChart* c) { c->series[1].y.pop_back(); },
       "series 1 \"rtx 2000 ada (reference)\": x has 6 values but y has 5"},
      {"NaN y", [&](LineChart* c) { c->series[0].y[3] = nan; },
       "series 0 \"cpu (8 threads)\": point 3: y is NaN"},
      {"inf x", [&](LineChart* c) { c->series[1].x[0] = -inf; },
       "series 1 \"rtx 2000 ada (reference)\": point 0: x is -inf"},
      {"inf y_high", [&](LineChart* c) { c->series[0].y_high[5] = inf; },
       "series 0 \"cpu (8 threads)\": point 5: y_high is +inf"},
      {"huge", [](LineChart* c) { c->series[0].y[1] = 1e200; },
       "series 0 \"cpu (8 threads)\": point 1: y is 1e+200, beyond the plottable magnitude of "
       "1e+100"},
      {"log2 zero", [](LineChart* c) { c->series[1].name.clear(), c->series[1].x[0] = 0; },
       "series 1: point 0: x must be > 0 on a log2 axis (got 0)"},
      {"error bar outside", [](LineChart* c) { c->series[0].y_low[2] = 3.2; },
       "series 0 \"cpu (8 threads)\": point 2: error bar [3.2, 3.3] does not contain y = 3.1"},
      {"error bar count", [](LineChart* c) { c->series[0].y_high.pop_back(); },
       "series 0 \"cpu (8 threads)\": error bars need one y_low and one y_high per point (6 "
       "points, "
       "6 y_low, 5 y_high)"},
      {"colour", [](LineChart* c) { c->series[0].color = "red\" onload=\"x"; },
       "series 0 \"cpu (8 threads)\": color \"red\" onload=\"x\" is not #rgb or #rrggbb"},
      {"size", [](LineChart* c) { c->width = 100; },
       "chart size 100x400 is outside 240x160 to 8192x8192"},
      {"marker NaN", [&](LineChart* c) { c->markers[1].x = nan; },
       "marker 1 \"saturated: batch 32\": x is NaN"},
      {"marker on log2", [](LineChart* c) { c->markers[0].x = -4; },
       "marker 0 \"knee: batch 4\": x must be > 0 on a log2 axis (got -4)"},
      {"reference line",
       [&](LineChart* c) {
         c->reference_lines = {{inf, "SLO"}};
       },
       "reference line 0 \"SLO\": y is +inf"},
  };
  for (const Case& k : cases) {
    LineChart chart = testing_util::joules_per_prompt_chart();
    k.spoil(&chart);
    core::Result<std::string> svg = render_svg(chart);
    ASSERT_FALSE(svg.is_ok()) << k.what;
    EXPECT_EQ(svg.status().code(), core::StatusCode::kInvalidArgument) << k.what;
    EXPECT_EQ(svg.status().message(), k.message) << k.what;
  }
}

TEST(SvgValidation, AcceptsWhatItCanDraw) {
  LineChart chart = testing_util::joules_per_prompt_chart();
  chart.series[0].color = "#abc";
  chart.series[1].color = "#A1B2C3";
  chart.series[0].y_low = chart.series[0].y;  // zero-width spread is fine
  chart.series[0].y_high = chart.series[0].y;
  chart.width = 240;
  chart.height = 160;
  EXPECT_TRUE(render_svg(chart).is_ok());
  LineChart negative = testing_util::latency_chart();
  negative.log2_x = false;
  negative.series[0].x = {-3, -1, 0, 1, 2, 5};
  negative.markers[0].x = -2;
  EXPECT_TRUE(render_svg(negative).is_ok());
}

}  // namespace
}  // namespace greenroute::report
