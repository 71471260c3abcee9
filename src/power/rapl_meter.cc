#include "greenroute/power/rapl_meter.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>
#include <utility>

#include "sysfs_io.h"

namespace greenroute::power {
namespace {

constexpr double kJoulesPerMicrojoule = 1e-6;
constexpr const char* kRaplPrefix = "intel-rapl:";

// Parses "intel-rapl:N" or "intel-rapl:N:M". "intel-rapl" (the control-type
// directory) and "intel-rapl-mmio:N" (an MMIO alias of the same package
// counter, which would double count) are rejected.
bool parse_domain_dir(const std::string& dir, int* pkg, int* sub) {
  const std::string p(kRaplPrefix);
  if (dir.compare(0, p.size(), p) != 0) return false;
  const std::string rest = dir.substr(p.size());
  const std::size_t colon = rest.find(':');
  auto to_int = [](const std::string& s, int* out) {
    auto r = detail::parse_int(s, "");
    if (!r.is_ok() || *r < 0 || *r > 1000000) return false;
    *out = static_cast<int>(*r);
    return true;
  };
  if (colon == std::string::npos) {
    *sub = -1;
    return to_int(rest, pkg);
  }
  return to_int(rest.substr(0, colon), pkg) && to_int(rest.substr(colon + 1), sub);
}

// Unwrapped counter delta: the counter runs 0..max_range_uj and restarts at 0.
std::int64_t counter_delta(std::int64_t prev, std::int64_t cur, std::int64_t max_range) {
  if (cur >= prev) return cur - prev;
  return (max_range - prev) + cur;
}

}  // namespace

RaplMeter::RaplMeter(const core::Clock& clock, MeterInfo info, std::vector<Domain> domains)
    : clock_(clock), info_(std::move(info)), domains_(std::move(domains)) {}

core::Result<std::unique_ptr<PowerMeter>> RaplMeter::detect(const std::string& sysfs_root,
                                                            const core::Clock& clock) {
  const std::string base = detail::join_path(sysfs_root, "class/powercap");
  auto entries = detail::list_dir(base);
  if (!entries.is_ok()) return core::not_found("rapl: " + entries.status().message());

  std::vector<Domain> domains;
  std::vector<std::string> skipped;
  std::vector<std::string> total_dirs;
  std::vector<std::string> top_level_dirs;
  for (const std::string& dir : *entries) {
    int pkg = 0;
    int sub = 0;
    if (!parse_domain_dir(dir, &pkg, &sub)) continue;
    const std::string path = detail::join_path(base, dir);
    auto name = detail::read_line(detail::join_path(path, "name"));
    auto max = detail::read_non_negative(detail::join_path(path, "max_energy_range_uj"));
    auto raw = detail::read_non_negative(detail::join_path(path, "energy_uj"));
    core::Status bad;
    if (!name.is_ok()) bad = name.status();
    else if (name->empty()) bad = core::corrupt(path + "/name: empty");
    else if (!max.is_ok()) bad = max.status();
    else if (*max == 0) bad = core::corrupt(path + "/max_energy_range_uj: zero");
    else if (!raw.is_ok()) bad = raw.status();
    else if (*raw > *max) bad = core::corrupt(path + "/energy_uj: above max_energy_range_uj");
    if (!bad.is_ok()) {
      spdlog::warn("rapl: skipping domain {}: {}", dir, bad.to_string());
      skipped.push_back(dir + " (" + bad.to_string() + ")");
      continue;
    }
    Domain d;
    d.rail_name = *name;
    if (sub >= 0) {
      // Prefix the parent's name so "core" of package 1 is distinguishable.
      auto parent = detail::read_line(detail::join_path(
          detail::join_path(base, std::string(kRaplPrefix) + std::to_string(pkg)), "name"));
      d.rail_name = (parent.is_ok() ? *parent : std::string(kRaplPrefix) + std::to_string(pkg)) + "/" + *name;
    } else {
      top_level_dirs.push_back(dir + " " + *name);
    }
    d.energy_path = detail::join_path(path, "energy_uj");
    d.max_range_uj = *max;
    d.last_raw_uj = *raw;
    d.in_total = sub < 0 && name->rfind("package", 0) == 0;
    if (d.in_total) total_dirs.push_back(dir + " " + *name);
    domains.push_back(std::move(d));
  }
  if (domains.empty()) {
    std::string msg = "rapl: no readable intel-rapl domain under " + base;
    if (!skipped.empty()) msg += " (skipped: " + skipped.front() + ")";
    return core::not_found(msg);
  }
  if (total_dirs.empty()) {
    // No package domain (e.g. only psys): every top-level domain is the total.
    for (Domain& d : domains) {
      if (d.rail_name.find('/') == std::string::npos) d.in_total = true;
    }
    total_dirs = top_level_dirs;
  }
  if (total_dirs.empty()) return core::not_found("rapl: only subdomains readable under " + base);

  MeterInfo info;
  info.name = "rapl";
  info.measured = true;
  info.sensor = "powercap energy_uj, total = sum of";
  for (const std::string& t : total_dirs) info.sensor += " [" + t + "]";
  for (const std::string& s : skipped) info.sensor += "; skipped " + s;
  for (const Domain& d : domains) info.rails.push_back(d.rail_name);
  const std::int64_t t0 = clock.now_ns();
  for (Domain& d : domains) d.mark_time_ns = t0;
  return std::unique_ptr<PowerMeter>(new RaplMeter(clock, std::move(info), std::move(domains)));
}

core::Result<PowerReading> RaplMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

  // Read every counter first so a failure in a total domain leaves the
  // meter's state untouched (the next read then spans the gap correctly).
  std::vector<core::Result<std::int64_t>> raws;
  raws.reserve(domains_.size());
  for (const Domain& d : domains_) {
    raws.push_back(detail::read_non_negative(d.energy_path));
    if (!raws.back().is_ok() && d.in_total) return raws.back().status().with_context("rapl");
    if (raws.back().is_ok() && *raws.back() > d.max_range_uj) {
      core::Status s = core::corrupt(d.energy_path + ": above max_energy_range_uj");
      if (d.in_total) return s.with_context("rapl");
      raws.back() = s;
    }
  }

  double total_w = 0.0;
  double total_j = 0.0;
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    Domain& d = domains_[i];
    if (!raws[i].is_ok()) {
      spdlog::warn("rapl: leaving out rail {}: {}", d.rail_name, raws[i].status().to_string());
      continue;
    }
    const std::int64_t cur = *raws[i];
    d.energy_j += static_cast<double>(counter_delta(d.last_raw_uj, cur, d.max_range_uj)) *
                  kJoulesPerMicrojoule;
    d.last_raw_uj = cur;
    RailReading r;
    r.name = d.rail_name;
    const std::int64_t dt_ns = out.time_ns - d.mark_time_ns;
    r.watts = dt_ns > 0 ? (d.energy_j - d.energy_at_mark_j) / (static_cast<double>(dt_ns) * 1e-9) : kNan;
    if (dt_ns > 0) {
      d.mark_time_ns = out.time_ns;
      d.energy_at_mark_j = d.energy_j;
    }
    r.energy_j = d.energy_j;
    if (d.in_total) {
      total_w += r.watts;
      total_j += d.energy_j;
    }
    out.rails.push_back(std::move(r));
  }
  out.watts = total_w;
  out.energy_j = total_j;
  return out;
}

}  // namespace greenroute::power
