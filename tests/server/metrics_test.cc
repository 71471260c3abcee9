// The Prometheus registry: text format details, concurrency, and (when
// Debian's prometheus package is installed) `promtool check metrics`.
#include "greenroute/server/metrics.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <vector>

namespace greenroute::server {
namespace {

TEST(Metrics, CounterAndGaugeText) {
  MetricsRegistry reg;
  CounterFamily& req = reg.counter("app_requests_total", "Requests served.\nSecond line \\ here.", {"code", "path"});
  req.with({"200", "/v1/completions"}).inc();
  req.with({"200", "/v1/completions"}).inc(2);
  req.with({"400", "/a\"b\\c\nd"}).inc();
  req.with({"500", "/x"}).inc(-5);  // ignored: counters only go up
  GaugeFamily& g = reg.gauge("app_queue_depth", "Queued requests.");
  g.with().set(3.5);
  const std::string text = reg.render();
  EXPECT_NE(text.find("# HELP app_requests_total Requests served.\\nSecond line \\\\ here.\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE app_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("app_requests_total{code=\"200\",path=\"/v1/completions\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_requests_total{code=\"400\",path=\"/a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_requests_total{code=\"500\",path=\"/x\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE app_queue_depth gauge\napp_queue_depth 3.5\n"), std::string::npos) << text;
  // Registration order is rendering order.
  EXPECT_LT(text.find("app_requests_total"), text.find("app_queue_depth"));
}

TEST(Metrics, UnusedFamilies) {
  MetricsRegistry reg;
  reg.counter("a_total", "A.");
  reg.counter("b_total", "B.", {"x"});
  const std::string text = reg.render();
  EXPECT_NE(text.find("a_total 0\n"), std::string::npos);
  EXPECT_EQ(text.find("b_total{"), std::string::npos);  // no made-up labelled series
  EXPECT_NE(text.find("# TYPE b_total counter"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInf) {
  MetricsRegistry reg;
  HistogramFamily& h = reg.histogram("lat_seconds", "Latency.", {0.125, 0.5, 1}, {"ep"});
  Histogram& s = h.with({"chat"});
  for (double v : {0.0625, 0.125, 0.25, 0.75, 2.0, std::numeric_limits<double>::quiet_NaN()}) s.observe(v);
  const std::string text = reg.render();
  EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{ep=\"chat\",le=\"0.125\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{ep=\"chat\",le=\"0.5\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{ep=\"chat\",le=\"1\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{ep=\"chat\",le=\"+Inf\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_sum{ep=\"chat\"} 3.1875\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count{ep=\"chat\"} 5\n"), std::string::npos) << text;
}

TEST(Metrics, NumbersAndHelpers) {
  EXPECT_EQ(format_metric_value(1.0), "1");
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(1e21), "1e+21");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(exponential_buckets(0.01, 2, 3), (std::vector<double>{0.01, 0.02, 0.04}));
}

TEST(Metrics, ReRegisteringReturnsTheSameFamily) {
  MetricsRegistry reg;
  CounterFamily& a = reg.counter("x_total", "X.", {"l"});
  CounterFamily& b = reg.counter("x_total", "X.", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_DEATH(reg.gauge("x_total", "X.", {"l"}), "");
  EXPECT_DEATH(reg.counter("bad name", "X."), "");
  EXPECT_DEATH(reg.counter("ok_total", "X.", {"__reserved"}), "");
  EXPECT_DEATH(a.with({"1", "2"}), "");
}

TEST(Metrics, CollectHooksRunPerScrape) {
  MetricsRegistry reg;
  GaugeFamily& g = reg.gauge("depth", "Depth.");
  int calls = 0;
  reg.on_collect([&] { g.with().set(++calls); });
  EXPECT_NE(reg.render().find("depth 1\n"), std::string::npos);
  EXPECT_NE(reg.render().find("depth 2\n"), std::string::npos);
}

TEST(Metrics, ConcurrentUpdatesAndScrapes) {
  MetricsRegistry reg;
  CounterFamily& c = reg.counter("hits_total", "Hits.", {"t"});
  HistogramFamily& h = reg.histogram("v", "V.", {1, 2});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        c.with({std::to_string(i % 3)}).inc();
        h.with().observe(t);
        if (i % 500 == 0) (void)reg.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  double total = 0;
  for (int i = 0; i < 3; ++i) total += c.with({std::to_string(i)}).value();
  EXPECT_EQ(total, 8000);
  EXPECT_EQ(h.with().snapshot().count, 8000u);
}

// promtool from Debian's prometheus package, if installed.
std::string find_promtool() {
  for (const char* p : {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

TEST(Metrics, PromtoolAcceptsTheOutput) {
  const std::string promtool = find_promtool();
  if (promtool.empty()) GTEST_SKIP() << "promtool not installed (Debian package 'prometheus'); skipping";
  MetricsRegistry reg;
  reg.counter("greenroute_test_requests_total", "Requests.\nWith \\ escapes.", {"endpoint", "code"})
      .with({"completions", "200"})
      .inc(3);
  reg.gauge("greenroute_test_queue_requests", "Queue.").with().set(2);
  auto& h = reg.histogram("greenroute_test_request_duration_seconds", "Latency.", exponential_buckets(0.005, 2, 8),
                          {"endpoint"});
  h.with({"chat\"quoted\nline"}).observe(0.02);
  reg.histogram("greenroute_test_empty_seconds", "Empty.", {0.1, 1});
  const auto path = std::filesystem::temp_directory_path() / ("gr_metrics_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path) << reg.render();
  const std::string cmd = promtool + " check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
}

}  // namespace
}  // namespace greenroute::server
