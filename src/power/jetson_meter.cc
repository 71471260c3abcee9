#include "greenroute/power/jetson_meter.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "sysfs_io.h"

namespace greenroute::power {
namespace {

bool is_input_rail(const std::string& name) { return name == "VDD_IN" || name == "POM_5V_IN"; }

core::Result<double> rail_watts(const JetsonMeter::Rail& r) {
  if (!r.power_path.empty()) {
    GR_ASSIGN_OR_RETURN(std::int64_t mw, detail::read_non_negative(r.power_path));
    return static_cast<double>(mw) * 1e-3;
  }
  GR_ASSIGN_OR_RETURN(std::int64_t mv, detail::read_non_negative(r.voltage_path));
  GR_ASSIGN_OR_RETURN(std::int64_t ma, detail::read_non_negative(r.current_path));
  return static_cast<double>(mv) * static_cast<double>(ma) * 1e-6;
}

// Directories matching <driver_dir>/*/<sub>/<prefix>N.
std::vector<std::string> sensor_dirs(const std::string& driver_dir, const std::string& sub,
                                     const std::string& prefix) {
  std::vector<std::string> out;
  auto chips = detail::list_dir(driver_dir);
  if (!chips.is_ok()) return out;
  for (const std::string& chip : *chips) {
    const std::string parent = detail::join_path(detail::join_path(driver_dir, chip), sub);
    auto devs = detail::list_dir(parent);
    if (!devs.is_ok()) continue;
    for (const std::string& d : *devs) {
      int n = 0;
      if (detail::match_indexed(d, prefix, "", &n)) out.push_back(detail::join_path(parent, d));
    }
  }
  return out;
}

void add_rail(JetsonMeter::Rail rail, std::vector<JetsonMeter::Rail>* rails,
              std::vector<std::string>* skipped) {
  auto w = rail_watts(rail);
  if (!w.is_ok()) {
    spdlog::warn("jetson: skipping rail {}: {}", rail.name, w.status().to_string());
    skipped->push_back(rail.name + " (" + w.status().to_string() + ")");
    return;
  }
  rails->push_back(std::move(rail));
}

}  // namespace

JetsonMeter::JetsonMeter(const core::Clock& clock, MeterInfo info, std::vector<Rail> rails, int total_rail)
    : clock_(clock), info_(std::move(info)), rails_(std::move(rails)), total_rail_(total_rail) {}

core::Result<std::unique_ptr<PowerMeter>> JetsonMeter::detect(const std::string& sysfs_root,
                                                              const core::Clock& clock) {
  const std::string drivers = detail::join_path(sysfs_root, "bus/i2c/drivers");
  std::vector<Rail> rails;
  std::vector<std::string> skipped;
  std::vector<std::string> layouts;

  for (const std::string& dir : sensor_dirs(detail::join_path(drivers, "ina3221"), "hwmon", "hwmon")) {
    auto files = detail::list_dir(dir);
    if (!files.is_ok()) continue;
    bool any = false;
    for (const std::string& f : *files) {
      int k = 0;
      if (!detail::match_indexed(f, "in", "_label", &k)) continue;
      const std::string kk = std::to_string(k);
      Rail r;
      r.voltage_path = detail::join_path(dir, "in" + kk + "_input");
      r.current_path = detail::join_path(dir, "curr" + kk + "_input");
      if (!detail::path_exists(r.current_path)) continue;  // e.g. "sum of shunt voltages"
      auto label = detail::read_line(detail::join_path(dir, f));
      if (!label.is_ok() || label->empty()) {
        const std::string why = label.is_ok() ? dir + "/" + f + ": empty" : label.status().to_string();
        skipped.push_back("in" + kk + " (" + why + ")");
        continue;
      }
      r.name = *label;
      add_rail(std::move(r), &rails, &skipped);
      any = true;
    }
    if (any) layouts.push_back(dir + " (hwmon in*/curr*)");
  }

  for (const std::string& dir : sensor_dirs(detail::join_path(drivers, "ina3221x"), "", "iio:device")) {
    auto files = detail::list_dir(dir);
    if (!files.is_ok()) continue;
    bool any = false;
    for (const std::string& f : *files) {
      int k = 0;
      if (!detail::match_indexed(f, "rail_name_", "", &k)) continue;
      const std::string kk = std::to_string(k);
      auto label = detail::read_line(detail::join_path(dir, f));
      if (!label.is_ok() || label->empty()) {
        const std::string why = label.is_ok() ? dir + "/" + f + ": empty" : label.status().to_string();
        skipped.push_back("rail_name_" + kk + " (" + why + ")");
        continue;
      }
      Rail r;
      r.name = *label;
      r.power_path = detail::join_path(dir, "in_power" + kk + "_input");
      add_rail(std::move(r), &rails, &skipped);
      any = true;
    }
    if (any) layouts.push_back(dir + " (iio in_power*)");
  }

  if (rails.empty()) {
    std::string msg = "jetson: no readable INA3221 rail under " + drivers + "/ina3221 or /ina3221x";
    if (!skipped.empty()) msg += " (skipped: " + skipped.front() + ")";
    return core::not_found(msg);
  }
  int total = -1;
  for (std::size_t i = 0; i < rails.size(); ++i) {
    if (is_input_rail(rails[i].name)) {
      total = static_cast<int>(i);
      break;
    }
  }
  MeterInfo info;
  info.name = "jetson";
  info.measured = true;
  info.sensor = "INA3221";
  for (const std::string& l : layouts) info.sensor += " " + l;
  info.sensor += total >= 0 ? ", total = " + rails[static_cast<std::size_t>(total)].name
                            : ", total = sum of rails (no VDD_IN/POM_5V_IN rail)";
  for (const std::string& s : skipped) info.sensor += "; skipped " + s;
  for (const Rail& r : rails) info.rails.push_back(r.name);
  return std::unique_ptr<PowerMeter>(new JetsonMeter(clock, std::move(info), std::move(rails), total));
}

core::Result<PowerReading> JetsonMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  double sum = 0.0;
  for (std::size_t i = 0; i < rails_.size(); ++i) {
    auto w = rail_watts(rails_[i]);
    if (!w.is_ok()) {
      if (static_cast<int>(i) == total_rail_ || total_rail_ < 0) {
        return w.status().with_context("jetson: rail " + rails_[i].name);
      }
      spdlog::warn("jetson: leaving out rail {}: {}", rails_[i].name, w.status().to_string());
      continue;
    }
    if (static_cast<int>(i) == total_rail_) out.watts = *w;
    sum += *w;
    out.rails.push_back(RailReading{rails_[i].name, *w, std::nullopt});
  }
  if (total_rail_ < 0) out.watts = sum;
  return out;
}

}  // namespace greenroute::power
