// What render_svg and write_svg_file produce: well-formed, self-contained
// SVG (parsed by xmllint), with the expected elements, axes and text.
#include "greenroute/report/svg_chart.h"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <string>

#include "bench_charts.h"
#include "report/svg_text.h"
#include "report_test_util.h"

namespace greenroute::report {
namespace {

using testing_util::attribute_values;
using testing_util::count;
using testing_util::series_block;

std::string render_or_fail(const LineChart& chart) {
  core::Result<std::string> svg = render_svg(chart);
  EXPECT_TRUE(svg.is_ok()) << svg.status().to_string();
  return svg.is_ok() ? *svg : std::string();
}

LineChart one_series(std::vector<double> x, std::vector<double> y) {
  LineChart c;
  c.title = "t";
  Series s;
  s.name = "s";
  s.x = std::move(x);
  s.y = std::move(y);
  c.series = {s};
  return c;
}

TEST(SvgChart, WellFormedAndSelfContained) {
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  testing_util::TempDir dir;
  // The checker itself: xmllint does reject broken markup.
  EXPECT_NE(testing_util::xmllint_text(dir, "<svg><g></svg>"), "");
  EXPECT_NE(testing_util::xmllint_text(dir, "<svg>a & b</svg>"), "");
  for (const LineChart& chart :
       {testing_util::joules_per_prompt_chart(), testing_util::latency_chart()}) {
    const std::string svg = render_or_fail(chart);
    EXPECT_EQ(testing_util::xmllint_text(dir, svg), "") << svg;
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" "
                        "viewBox=\"0 0 640 400\"",
                        0),
              0u);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
    // Nothing a browser would fetch or run, and no ids to clash when several
    // charts are inlined into one HTML page.
    for (const char* banned :
         {"<style", "<script", "href", "url(", "@import", "<image", " id=\"", "<foreignObject"}) {
      EXPECT_EQ(svg.find(banned), std::string::npos) << banned;
    }
  }
}

TEST(SvgChart, ExampleFileHasOneGroupPerSeriesWithItsElements) {
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  testing_util::TempDir dir;
  LineChart chart = testing_util::joules_per_prompt_chart();
  Series fit;  // a fitted curve: a line without points
  fit.name = "fit";
  fit.x = {1, 4, 32};
  fit.y = {8, 3, 2.3};
  fit.style = SeriesStyle::kLine;
  chart.series.push_back(fit);
  const std::string path = dir.file("joules_per_prompt.svg");
  ASSERT_TRUE(write_svg_file(path, chart).is_ok());
  const std::string file = testing_util::read_file(path);
  EXPECT_EQ(file.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_EQ(testing_util::xmllint_errors(dir, path), "");

  // cpu: line + error bars, 6 points.
  const std::string cpu = series_block(file, 0);
  EXPECT_EQ(count(cpu, "<path "), 2u);
  EXPECT_EQ(count(cpu, "<circle "), 6u);
  EXPECT_EQ(count(cpu, "<title>cpu (8 threads): x=4, y=3.1 (range 2.9 to 3.3)</title>"), 1u);
  // gpu: markers only.
  const std::string gpu = series_block(file, 1);
  EXPECT_EQ(count(gpu, "<path "), 0u);
  EXPECT_EQ(count(gpu, "<circle "), 6u);
  // fit: one line, no points.
  const std::string fitted = series_block(file, 2);
  EXPECT_EQ(count(fitted, "<path "), 1u);
  EXPECT_EQ(count(fitted, "<circle "), 0u);
  EXPECT_EQ(series_block(file, 3), "");
  // Default colours: the first three of the Okabe-Ito palette.
  EXPECT_NE(cpu.find("#0072B2"), std::string::npos);
  EXPECT_NE(gpu.find("#D55E00"), std::string::npos);
  EXPECT_NE(fitted.find("#009E73"), std::string::npos);
}

TEST(SvgChart, Log2AxisSpacesPowersOfTwoEqually) {
  const std::string svg = render_or_fail(testing_util::joules_per_prompt_chart());
  const std::vector<double> cx = attribute_values(series_block(svg, 0), "cx");
  ASSERT_EQ(cx.size(), 6u);
  for (std::size_t i = 2; i < cx.size(); ++i) EXPECT_NEAR(cx[i] - cx[i - 1], cx[1] - cx[0], 0.02);
  EXPECT_GT(cx[1] - cx[0], 50);
  // x tick labels are centred under their ticks (y tick labels end at theirs).
  for (const char* tick : {"1", "2", "4", "8", "16", "32"}) {
    EXPECT_EQ(count(svg, "text-anchor=\"middle\">" + std::string(tick) + "</text>"), 1u) << tick;
  }
  EXPECT_EQ(count(svg, ">64</text>"), 0u);
}

TEST(SvgChart, LinearAxisIsProportional) {
  const std::string svg = render_or_fail(one_series({0, 10, 30, 70}, {1, 2, 3, 4}));
  const std::vector<double> cx = attribute_values(series_block(svg, 0), "cx");
  ASSERT_EQ(cx.size(), 4u);
  const double per_unit = (cx[1] - cx[0]) / 10;
  EXPECT_NEAR(cx[2] - cx[0], 30 * per_unit, 0.05);
  EXPECT_NEAR(cx[3] - cx[0], 70 * per_unit, 0.05);
}

TEST(SvgChart, MarkersAreDashedLinesWithLabelsAtTheirX) {
  const LineChart chart = testing_util::joules_per_prompt_chart();
  const std::string svg = render_or_fail(chart);
  EXPECT_EQ(count(svg, ">knee: batch 4</text>"), 1u);
  EXPECT_EQ(count(svg, ">saturated: batch 32</text>"), 1u);
  EXPECT_EQ(count(svg, "stroke-dasharray=\"5 4\""), 2u);
  // The knee's line stands at the x of the batch-4 points.
  const std::vector<double> cx = attribute_values(series_block(svg, 0), "cx");
  const std::string knee_line = "<path d=\"M" + detail::svg_number(cx[2]);
  EXPECT_NE(svg.find(knee_line), std::string::npos) << knee_line;
}

TEST(SvgChart, ReferenceLineIsDrawnAcrossThePlotWithItsLabel) {
  const std::string svg = render_or_fail(testing_util::latency_chart());
  EXPECT_EQ(count(svg, "stroke-dasharray=\"2 3\""), 1u);
  EXPECT_EQ(count(svg, ">SLO 1.5 s</text>"), 1u);
}

TEST(SvgChart, EscapesHostileTextEverywhere) {
  const std::string hostile = "</svg><script>alert(\"x\")</script> & 'q' <!-- ]]> \x01";
  LineChart chart = testing_util::joules_per_prompt_chart();
  chart.title = chart.subtitle = chart.footnote = chart.x_label = chart.y_label = hostile;
  chart.series[0].name = hostile;
  chart.markers[0].label = hostile;
  chart.reference_lines = {{3, hostile}};
  const std::string svg = render_or_fail(chart);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<!--"), std::string::npos);
  EXPECT_EQ(count(svg, "</svg>"), 1u);
  EXPECT_NE(
      svg.find("&lt;/svg&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos;"),
      std::string::npos);
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  testing_util::TempDir dir;
  EXPECT_EQ(testing_util::xmllint_text(dir, svg), "");
}

TEST(SvgChart, KeepsUtf8TextAndReplacesBrokenBytes) {
  LineChart chart = testing_util::joules_per_prompt_chart();
  chart.y_label = "µJ per prompt — Jetson Orin 日本";
  chart.series[1].name = "bad \xFF byte";
  const std::string svg = render_or_fail(chart);
  EXPECT_NE(svg.find(">µJ per prompt — Jetson Orin 日本</text>"), std::string::npos);
  EXPECT_NE(svg.find(">bad \xEF\xBF\xBD byte</text>"), std::string::npos);
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  testing_util::TempDir dir;
  EXPECT_EQ(testing_util::xmllint_text(dir, svg), "");
}

TEST(SvgChart, SameChartGivesIdenticalBytes) {
  const LineChart chart = testing_util::joules_per_prompt_chart();
  const std::string first = render_or_fail(chart);
  const LineChart copy = chart;
  EXPECT_EQ(render_or_fail(copy), first);
  // Numbers do not follow the C locale: a comma-decimal locale, where one is
  // installed, changes nothing.
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8"}) {
    if (std::setlocale(LC_ALL, name) == nullptr) continue;
    EXPECT_EQ(render_or_fail(chart), first) << name;
    std::setlocale(LC_ALL, "C");
  }
}

TEST(SvgChart, SinglePointRendersOnWidenedAxes) {
  for (bool log2 : {false, true}) {
    LineChart chart = one_series({8}, {2.5});
    chart.log2_x = log2;
    const std::string svg = render_or_fail(chart);
    const std::string block = series_block(svg, 0);
    EXPECT_EQ(count(block, "<circle "), 1u);
    const std::vector<double> cx = attribute_values(block, "cx");
    const std::vector<double> cy = attribute_values(block, "cy");
    ASSERT_EQ(cx.size(), 1u);
    ASSERT_EQ(cy.size(), 1u);
    EXPECT_TRUE(std::isfinite(cx[0]) && std::isfinite(cy[0]));
    if (log2) {
      EXPECT_NE(svg.find(">8</text>"), std::string::npos);
    }
    if (!testing_util::have_xmllint()) continue;
    testing_util::TempDir dir;
    EXPECT_EQ(testing_util::xmllint_text(dir, svg), "");
  }
}

TEST(SvgChart, ConstantYGetsAReadableAxis) {
  const std::string svg = render_or_fail(one_series({1, 2, 3}, {7, 7, 7}));
  const std::vector<double> cy = attribute_values(series_block(svg, 0), "cy");
  ASSERT_EQ(cy.size(), 3u);
  EXPECT_EQ(cy[0], cy[1]);
  EXPECT_NE(svg.find(">7</text>"), std::string::npos);  // a tick right at the value
  LineChart zero = one_series({1, 2}, {0, 0});
  zero.y_from_zero = true;
  EXPECT_NE(render_or_fail(zero).find(">0.2</text>"), std::string::npos);
}

TEST(SvgChart, HugeAndTinyMagnitudesGetShortTickLabels) {
  const std::string big = render_or_fail(one_series({1, 2, 3}, {1e6, 2.2e7, 5e7}));
  EXPECT_NE(big.find(">50M</text>"), std::string::npos);
  EXPECT_NE(big.find(">10M</text>"), std::string::npos);
  const std::string small = render_or_fail(one_series({1, 2, 3}, {0.0012, 0.003, 0.0047}));
  EXPECT_NE(small.find(">0.002</text>"), std::string::npos);
  const std::string tiny = render_or_fail(one_series({1, 2, 3}, {1e-9, 2e-9, 4e-9}));
  EXPECT_NE(tiny.find(">2e-9</text>"), std::string::npos);
}

TEST(SvgChart, LinesJoinPointsInOrderOfX) {
  const std::string svg = render_or_fail(one_series({4, 1, 2}, {3, 1, 2}));
  const std::string block = series_block(svg, 0);
  const std::vector<double> cx = attribute_values(block, "cx");  // drawn in x order too
  ASSERT_EQ(cx.size(), 3u);
  EXPECT_LT(cx[0], cx[1]);
  EXPECT_LT(cx[1], cx[2]);
  const std::string path = block.substr(block.find("d=\"M"));
  EXPECT_EQ(path.find("d=\"M" + detail::svg_number(cx[0]) + " "), 0u) << path;
}

TEST(SvgChart, BarsStandSideBySideFromZero) {
  LineChart chart;
  chart.title = "throughput vs batch size";
  chart.log2_x = true;
  for (int k = 0; k < 2; ++k) {
    Series s;
    s.name = k == 0 ? "cpu" : "gpu";
    s.x = {1, 2, 4, 8};
    s.y = {10.0 + k, 18.0 + k, 30.0 + k, 41.0 + k};
    s.style = SeriesStyle::kBars;
    chart.series.push_back(s);
  }
  const std::string svg = render_or_fail(chart);
  const std::string cpu = series_block(svg, 0), gpu = series_block(svg, 1);
  EXPECT_EQ(count(cpu, "<rect "), 4u);
  EXPECT_EQ(count(gpu, "<rect "), 4u);
  const std::vector<double> cpu_x = attribute_values(cpu, "x"), gpu_x = attribute_values(gpu, "x");
  const std::vector<double> cpu_w = attribute_values(cpu, "width");
  ASSERT_EQ(cpu_x.size(), 4u);
  ASSERT_EQ(gpu_x.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_GE(gpu_x[i], cpu_x[i] + cpu_w[i]) << i;  // no overlap
  // Every bar ends on the same baseline: y + height is the y of zero.
  const std::vector<double> y = attribute_values(cpu, "y"), h = attribute_values(cpu, "height");
  for (std::size_t i = 1; i < 4; ++i) EXPECT_NEAR(y[i] + h[i], y[0] + h[0], 0.02);
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
  if (!testing_util::have_xmllint()) GTEST_SKIP() << testing_util::kNoXmllint;
  testing_util::TempDir dir;
  EXPECT_EQ(testing_util::xmllint_text(dir, svg), "");
}

TEST(SvgChart, CustomColorAndSize) {
  LineChart chart = one_series({1, 2}, {1, 2});
  chart.series[0].color = "#123abc";
  chart.width = 320;
  chart.height = 200;
  const std::string svg = render_or_fail(chart);
  EXPECT_NE(svg.find("viewBox=\"0 0 320 200\""), std::string::npos);
  EXPECT_NE(series_block(svg, 0).find("stroke=\"#123abc\""), std::string::npos);
}

TEST(SvgChart, LongTextShrinksThenEndsInAnEllipsis) {
  LineChart chart = one_series({1, 2}, {1, 2});
  chart.width = 240;
  chart.title = "Energy per prompt vs batch size";  // a little too wide: smaller type
  chart.footnote = std::string(80, 'x') + "日本";   // far too wide: cut short
  const std::string svg = render_or_fail(chart);
  EXPECT_NE(svg.find(">Energy per prompt vs batch size</text>"), std::string::npos);
  EXPECT_EQ(svg.find("font-size=\"16\""), std::string::npos);
  EXPECT_NE(svg.find("x\xE2\x80\xA6</text>"), std::string::npos);
  EXPECT_EQ(svg.find("日本"), std::string::npos);
}

// The example of docs/report.md, kept compiling and rendering here.
TEST(SvgChart, DocumentationExampleRenders) {
  LineChart chart;
  chart.title = "Energy per prompt vs batch size";
  chart.footnote = "energy ESTIMATED by cpu-estimate";
  chart.x_label = "batch size (prompts)";
  chart.y_label = "joules per prompt (J)";
  chart.log2_x = true;
  chart.y_from_zero = true;
  Series cpu;
  cpu.name = "cpu";
  cpu.x = {1, 2, 4, 8};
  cpu.y = {9.1, 5.2, 3.1, 2.6};
  cpu.y_low = {8.7, 5.0, 2.9, 2.5};  // spread over repeats
  cpu.y_high = {9.6, 5.5, 3.3, 2.8};
  chart.series = {cpu};
  chart.markers = {{4, "knee: batch 4"}, {8, "saturated: batch 8"}};
  chart.reference_lines = {{1500, "SLO 1.5 s"}};
  EXPECT_TRUE(render_svg(chart).is_ok());
}

// Charts of every style over magnitudes from 1e-300 to 1e100, some with a
// single point or a constant series: each renders, with finite numbers only,
// and parses as XML.
TEST(SvgChart, RandomChartsRenderWellFormed) {
  const bool lint = testing_util::have_xmllint();
  testing_util::TempDir dir;
  std::uint64_t state = 7;
  auto next = [&] {  // a fixed LCG: the same charts every run
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  const SeriesStyle styles[] = {SeriesStyle::kLineMarkers, SeriesStyle::kMarkers,
                                SeriesStyle::kLine, SeriesStyle::kBars};
  for (int c = 0; c < 60; ++c) {
    LineChart chart;
    chart.title = "random " + std::to_string(c);
    chart.log2_x = next() < 0.5;
    chart.y_from_zero = next() < 0.3;
    const double x_scale = std::pow(10.0, std::floor(next() * 400) - 300);
    const double y_scale = std::pow(10.0, std::floor(next() * 400) - 300);
    const int series = 1 + static_cast<int>(next() * 4);
    for (int k = 0; k < series; ++k) {
      Series s;
      s.name = next() < 0.8 ? "series " + std::to_string(k) : "";
      s.style = styles[static_cast<int>(next() * 4)];
      const int points = next() < 0.2 ? 1 : 2 + static_cast<int>(next() * 10);
      const bool constant = next() < 0.2;
      for (int i = 0; i < points; ++i) {
        s.x.push_back(chart.log2_x ? x_scale * std::exp2(i) : x_scale * (next() * 2 - 1));
        s.y.push_back(constant ? y_scale : y_scale * (next() * 2 - 1));
      }
      chart.series.push_back(s);
    }
    if (next() < 0.5) chart.markers.push_back({chart.series[0].x[0], "marker"});
    const std::string svg = render_or_fail(chart);
    ASSERT_FALSE(svg.empty()) << c;
    EXPECT_EQ(svg.find("nan"), std::string::npos) << c;
    EXPECT_EQ(svg.find("inf"), std::string::npos) << c;
    if (lint) {
      EXPECT_EQ(testing_util::xmllint_text(dir, svg), "") << c;
    }
  }
}

}  // namespace
}  // namespace greenroute::report
