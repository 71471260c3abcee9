#include "greenroute/power/hwmon_meter.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <map>
#include <utility>

#include "sysfs_io.h"

namespace greenroute::power {
namespace {

constexpr double kMicro = 1e-6;

struct Channel {
  std::string power_file;
  std::string energy_file;
  std::string label;
};

}  // namespace

HwmonMeter::HwmonMeter(const core::Clock& clock, MeterInfo info, std::vector<Rail> rails)
    : clock_(clock), info_(std::move(info)), rails_(std::move(rails)) {}

core::Result<std::unique_ptr<PowerMeter>> HwmonMeter::detect(const std::string& sysfs_root,
                                                             const core::Clock& clock) {
  const std::string base = detail::join_path(sysfs_root, "class/hwmon");
  auto devices = detail::list_dir(base);
  if (!devices.is_ok()) return core::not_found("hwmon: " + devices.status().message());

  std::vector<Rail> rails;
  std::vector<std::string> skipped;
  std::vector<std::string> used;
  const std::int64_t t0 = clock.now_ns();
  for (const std::string& dev : *devices) {
    int dev_index = 0;
    if (!detail::match_indexed(dev, "hwmon", "", &dev_index)) continue;
    const std::string dir = detail::join_path(base, dev);
    auto files = detail::list_dir(dir);
    if (!files.is_ok()) {
      skipped.push_back(dev + " (" + files.status().to_string() + ")");
      continue;
    }
    std::map<int, Channel> channels;
    for (const std::string& f : *files) {
      int k = 0;
      if (detail::match_indexed(f, "power", "_input", &k)) {
        channels[k].power_file = f;
      } else if (detail::match_indexed(f, "power", "_average", &k)) {
        // Some drivers (ACPI power_meter, amdgpu) only average.
        if (channels[k].power_file.empty()) channels[k].power_file = f;
      } else if (detail::match_indexed(f, "energy", "_input", &k)) {
        channels[k].energy_file = f;
      }
    }
    if (channels.empty()) continue;
    auto dev_name = detail::read_line(detail::join_path(dir, "name"));
    const std::string device = dev_name.is_ok() && !dev_name->empty() ? *dev_name : dev;
    for (auto& [k, ch] : channels) {
      if (ch.power_file.empty() && ch.energy_file.empty()) continue;
      const std::string kk = std::to_string(k);
      auto label = detail::read_line(detail::join_path(dir, "power" + kk + "_label"));
      if (!label.is_ok()) label = detail::read_line(detail::join_path(dir, "energy" + kk + "_label"));
      Rail r;
      r.name = device + "/" + (label.is_ok() && !label->empty() ? *label : "power" + kk);
      r.mark_time_ns = t0;
      core::Status bad;
      if (!ch.power_file.empty()) {
        r.power_path = detail::join_path(dir, ch.power_file);
        auto p = detail::read_non_negative(r.power_path);
        if (!p.is_ok()) bad = p.status();
      }
      if (bad.is_ok() && !ch.energy_file.empty()) {
        r.energy_path = detail::join_path(dir, ch.energy_file);
        auto e = detail::read_non_negative(r.energy_path);
        if (e.is_ok()) r.last_energy_uj = *e;
        else bad = e.status();
      }
      if (!bad.is_ok()) {
        spdlog::warn("hwmon: skipping rail {}: {}", r.name, bad.to_string());
        skipped.push_back(r.name + " (" + bad.to_string() + ")");
        continue;
      }
      used.push_back(dev + "/" + (ch.power_file.empty() ? ch.energy_file : ch.power_file));
      rails.push_back(std::move(r));
    }
  }
  if (rails.empty()) {
    std::string msg = "hwmon: no readable power*_input/energy*_input under " + base;
    if (!skipped.empty()) msg += " (skipped: " + skipped.front() + ")";
    return core::not_found(msg);
  }
  MeterInfo info;
  info.name = "hwmon";
  info.measured = true;
  info.sensor = "hwmon, total = sum of";
  for (const std::string& u : used) info.sensor += " " + u;
  for (const std::string& s : skipped) info.sensor += "; skipped " + s;
  for (const Rail& r : rails) info.rails.push_back(r.name);
  return std::unique_ptr<PowerMeter>(new HwmonMeter(clock, std::move(info), std::move(rails)));
}

core::Result<RailReading> HwmonMeter::read_rail(Rail& rail, std::int64_t now_ns) {
  RailReading out;
  out.name = rail.name;
  std::optional<std::int64_t> power_uw;
  if (!rail.power_path.empty()) {
    GR_ASSIGN_OR_RETURN(power_uw, detail::read_non_negative(rail.power_path));
  }
  if (!rail.energy_path.empty()) {
    GR_ASSIGN_OR_RETURN(std::int64_t cur, detail::read_non_negative(rail.energy_path));
    // A 64-bit microjoule counter does not wrap in practice; going backwards
    // means the driver reset it, so count from zero.
    const std::int64_t delta = cur >= rail.last_energy_uj ? cur - rail.last_energy_uj : cur;
    rail.last_energy_uj = cur;
    rail.energy_j += static_cast<double>(delta) * kMicro;
    out.energy_j = rail.energy_j;
  }
  if (power_uw) {
    out.watts = static_cast<double>(*power_uw) * kMicro;
  } else {
    const std::int64_t dt_ns = now_ns - rail.mark_time_ns;
    out.watts = dt_ns > 0 ? (rail.energy_j - rail.energy_at_mark_j) / (static_cast<double>(dt_ns) * 1e-9)
                          : std::numeric_limits<double>::quiet_NaN();
  }
  if (now_ns > rail.mark_time_ns) {
    rail.mark_time_ns = now_ns;
    rail.energy_at_mark_j = rail.energy_j;
  }
  return out;
}

core::Result<PowerReading> HwmonMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  out.watts = 0.0;
  double total_j = 0.0;
  bool all_energy = true;
  core::Status first_error;
  for (Rail& rail : rails_) {
    auto r = read_rail(rail, out.time_ns);
    if (!r.is_ok()) {
      spdlog::warn("hwmon: leaving out rail {}: {}", rail.name, r.status().to_string());
      if (first_error.is_ok()) first_error = r.status();
      all_energy = false;
      continue;
    }
    out.watts += r->watts;
    if (r->energy_j) total_j += *r->energy_j;
    else all_energy = false;
    out.rails.push_back(std::move(*r));
  }
  if (out.rails.empty()) return first_error.with_context("hwmon: every rail failed");
  if (all_energy) out.energy_j = total_j;
  return out;
}

}  // namespace greenroute::power
