#include "greenroute/server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <utility>

#include "greenroute/core/check.h"

namespace greenroute::server {
namespace {

bool valid_metric_name(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool valid_label_name(std::string_view n) {
  if (n.empty() || n.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

template <typename M>
constexpr std::string_view type_of() {
  if constexpr (std::is_same_v<M, Counter>) return "counter";
  else if constexpr (std::is_same_v<M, Gauge>) return "gauge";
  else return "histogram";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void Counter::inc(double delta) {
  if (!(delta >= 0.0)) return;  // also drops NaN
  v_.fetch_add(delta, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // Prometheus buckets are "less than or equal": lower_bound finds the first bound >= v.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  // The +Inf bucket and _count must agree for a consumer; take both from the buckets.
  s.count = running;
  return s;
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  GR_CHECK(start > 0 && factor > 1 && count > 0);
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

MetricFamilyBase::MetricFamilyBase(std::string name, std::string help, std::string_view type,
                                   std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
  GR_CHECK(valid_metric_name(name_));
  for (const std::string& l : label_names_) {
    GR_CHECK(valid_label_name(l));
    GR_CHECK(!(type_ == "histogram" && l == "le"));
  }
}

void MetricFamilyBase::render_header(std::string& out) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " " + std::string(type_) + "\n";
}

std::string MetricFamilyBase::labels_text(const std::vector<std::string>& values, const std::string* le) const {
  if (values.empty() && le == nullptr) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (le != nullptr) {
    if (!values.empty()) out += ',';
    out += "le=\"" + *le + "\"";
  }
  return out + "}";
}

template <typename M>
MetricFamily<M>::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
                              std::vector<double> buckets)
    : MetricFamilyBase(std::move(name), std::move(help), type_of<M>(), std::move(label_names)),
      buckets_(std::move(buckets)) {
  if constexpr (std::is_same_v<M, Histogram>) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      GR_CHECK(std::isfinite(buckets_[i]));
      GR_CHECK(i == 0 || buckets_[i] > buckets_[i - 1]);
    }
  }
}

template <typename M>
std::unique_ptr<M> MetricFamily<M>::make() const {
  if constexpr (std::is_same_v<M, Histogram>) return std::make_unique<Histogram>(buckets_);
  else return std::make_unique<M>();
}

template <typename M>
M& MetricFamily<M>::with(const std::vector<std::string>& values) {
  GR_CHECK(values.size() == label_names().size());
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<M>& slot = series_[values];
  if (!slot) slot = make();
  return *slot;
}

template <typename M>
void MetricFamily<M>::render(std::string& out) const {
  render_header(out);
  std::lock_guard<std::mutex> lock(mu_);
  if (series_.empty() && label_names().empty()) {
    // An unlabelled metric exists from registration on, at zero.
    if constexpr (std::is_same_v<M, Histogram>) {
      const std::string inf = "+Inf";
      for (double b : buckets_) {
        const std::string le = format_metric_value(b);
        out += name() + "_bucket" + labels_text({}, &le) + " 0\n";
      }
      out += name() + "_bucket" + labels_text({}, &inf) + " 0\n";
      out += name() + "_sum 0\n" + name() + "_count 0\n";
    } else {
      out += name() + " 0\n";
    }
    return;
  }
  for (const auto& [values, metric] : series_) {
    if constexpr (std::is_same_v<M, Histogram>) {
      const Histogram::Snapshot s = metric->snapshot();
      for (std::size_t i = 0; i <= s.bounds.size(); ++i) {
        const std::string le = i < s.bounds.size() ? format_metric_value(s.bounds[i]) : "+Inf";
        out += name() + "_bucket" + labels_text(values, &le) + " " + std::to_string(s.cumulative[i]) + "\n";
      }
      out += name() + "_sum" + labels_text(values) + " " + format_metric_value(s.sum) + "\n";
      out += name() + "_count" + labels_text(values) + " " + std::to_string(s.count) + "\n";
    } else {
      out += name() + labels_text(values) + " " + format_metric_value(metric->value()) + "\n";
    }
  }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

template <typename F>
F& MetricsRegistry::add(const std::string& name, const std::string& help, std::string_view type,
                        const std::vector<std::string>& label_names, const std::vector<double>& buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& f : families_) {
    if (f->name() != name) continue;
    // One name, one meaning: a clash is a bug in the caller.
    GR_CHECK(f->type() == type && f->label_names() == label_names);
    return static_cast<F&>(*f);
  }
  auto family = std::make_unique<F>(name, help, label_names, buckets);
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        const std::vector<std::string>& label_names) {
  return add<CounterFamily>(name, help, "counter", label_names, {});
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    const std::vector<std::string>& label_names) {
  return add<GaugeFamily>(name, help, "gauge", label_names, {});
}

HistogramFamily& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                            const std::vector<double>& buckets,
                                            const std::vector<std::string>& label_names) {
  return add<HistogramFamily>(name, help, "histogram", label_names, buckets);
}

void MetricsRegistry::on_collect(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string MetricsRegistry::render() const {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hooks = hooks_;
  }
  for (const auto& hook : hooks) hook();
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace greenroute::server
