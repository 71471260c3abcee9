// Prometheus metrics: a small registry of counters, gauges and histograms
// with labels, rendered in the text exposition format 0.0.4 (what
// `promtool check metrics` and every Prometheus server read). Hand-written
// because bookworm has no prometheus-cpp package; the format is simple.
//
// Use:
//   MetricsRegistry reg;
//   CounterFamily& requests = reg.counter("greenroute_node_requests_total",
//                                          "Requests answered.", {"endpoint", "code"});
//   requests.with({"completions", "200"}).inc();
//   HistogramFamily& lat = reg.histogram("greenroute_node_request_duration_seconds",
//                                        "...", exponential_buckets(0.005, 2, 14), {"endpoint"});
//   lat.with({"completions"}).observe(0.42);
//   reg.on_collect([&] { queue_gauge.with({}).set(depth()); });  // refreshed per scrape
//   std::string text = reg.render();  // serve with kPrometheusContentType
//
// Rendering: families in registration order, each with `# HELP` (\ and
// newline escaped) and `# TYPE`, then its series in label-value order; label
// values escape \, " and newline; histograms give cumulative
// `_bucket{le="..."}` series ending in le="+Inf", then `_sum` and `_count`;
// numbers are shortest round-trip decimals, +Inf, -Inf or NaN. A family with
// no series yet renders only when it has no labels (as 0), so a scrape never
// shows a made-up labelled series.
//
// Names are our own constants, not input: an invalid metric or label name,
// a reused name with another type or labels, or a wrong number of label
// values is a programming error and aborts (GR_CHECK). Label values are
// arbitrary strings.
//
// Thread contract: thread-safe. Registration, with(), updates and render()
// may run concurrently; references returned by counter()/with() stay valid
// for the registry's lifetime. Updates are lock-free atomics; with() takes
// the family's lock only to find or create a series. Collect hooks run in
// render(), on the scraping thread, outside the registry's locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace greenroute::server {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class Counter {
 public:
  // Precondition: delta >= 0 (a negative or NaN delta is ignored: counters only go up).
  void inc(double delta = 1.0);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void inc(double delta = 1.0) { v_.fetch_add(delta, std::memory_order_relaxed); }
  void dec(double delta = 1.0) { v_.fetch_sub(delta, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Histogram {
 public:
  // `bounds`: strictly increasing finite upper bounds (+Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);  // NaN is ignored

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf last
    double sum = 0.0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0.0};
  std::atomic<std::uint64_t> count_{0};
};

// `count` bounds start, start*factor, ... Precondition: start > 0, factor > 1.
std::vector<double> exponential_buckets(double start, double factor, int count);

class MetricFamilyBase {
 public:
  virtual ~MetricFamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  std::string_view type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual void render(std::string& out) const = 0;

 protected:
  MetricFamilyBase(std::string name, std::string help, std::string_view type, std::vector<std::string> label_names);
  // `# HELP` and `# TYPE` lines.
  void render_header(std::string& out) const;
  // {a="x",b="y"} (with an extra le="..." when `le` is given), or "" for none.
  std::string labels_text(const std::vector<std::string>& values, const std::string* le = nullptr) const;

 private:
  std::string name_;
  std::string help_;
  std::string_view type_;
  std::vector<std::string> label_names_;
};

template <typename M>
class MetricFamily final : public MetricFamilyBase {
 public:
  // The series with these label values (in label_names() order), created on
  // first use. Precondition: values.size() == label_names().size().
  M& with(const std::vector<std::string>& values = {});
  void render(std::string& out) const override;

  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> buckets = {});

 private:
  std::unique_ptr<M> make() const;

  std::vector<double> buckets_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_;  // guarded by mu_
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registering a name again with the same type and labels returns the same
  // family (so independent parts can share one).
  CounterFamily& counter(const std::string& name, const std::string& help,
                         const std::vector<std::string>& label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     const std::vector<std::string>& label_names = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help, const std::vector<double>& buckets,
                             const std::vector<std::string>& label_names = {});

  // Runs before every render(), e.g. to refresh gauges from live state.
  void on_collect(std::function<void()> hook);

  // The text exposition, format 0.0.4.
  std::string render() const;

 private:
  template <typename F>
  F& add(const std::string& name, const std::string& help, std::string_view type,
         const std::vector<std::string>& label_names, const std::vector<double>& buckets);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamilyBase>> families_;  // guarded by mu_, registration order
  std::vector<std::function<void()>> hooks_;                 // guarded by mu_
};

// Shared by the families and tests: Prometheus's own escaping and numbers.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
std::string format_metric_value(double v);

}  // namespace greenroute::server
