#include "meter_options.h"

#include <cmath>

namespace greenroute::cli {

void add_meter_options(CLI::App& app, MeterOptions& o, bool with_meter_choice) {
  if (with_meter_choice) {
    std::string names = "auto";
    for (const std::string& n : power::meter_names()) names += ", " + n;
    app.add_option("--meter", o.meter, "Power meter: " + names + " (auto: the first found, sensors first)")
        ->capture_default_str();
  }
  app.add_option("--sysfs-root", o.roots.sysfs_root, "Where sysfs is mounted (tests use fake trees)")
      ->capture_default_str();
  app.add_option("--procfs-root", o.roots.procfs_root, "Where procfs is mounted")->capture_default_str();
  app.add_option("--nvml-library", o.roots.nvml_library, "NVML library to dlopen (soname or path)")
      ->capture_default_str();
  app.add_option("--idle-watts", o.roots.cpu_model.idle_w,
                 "cpu-estimate: assumed idle power of the machine, W (an assumption; use a device profile's)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--watts-per-core", o.roots.cpu_model.w_per_busy_core,
                 "cpu-estimate: assumed extra power per fully busy core, W")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

core::Result<std::unique_ptr<power::PowerMeter>> open_meter(const MeterOptions& o, const core::Clock& clock) {
  if (o.meter != "auto") return power::make_meter(o.meter, o.roots, clock);
  auto found = power::detect_meters(o.roots, clock);
  if (found.empty()) {
    std::string names;
    for (const std::string& n : power::meter_names()) names += (names.empty() ? "" : ", ") + n;
    return core::not_found("no power meter found (looked for " + names + " under sysfs root '" +
                           o.roots.sysfs_root + "' and procfs root '" + o.roots.procfs_root + "')");
  }
  return std::move(found.front());
}

std::string provenance(const power::MeterInfo& info) {
  return std::string(info.measured ? "measured" : "ESTIMATED") + " (" + info.name + ": " + info.sensor + ")";
}

nlohmann::json reading_json(const power::PowerReading& r, std::int64_t origin_ns) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json j;
  j["time_s"] = static_cast<double>(r.time_ns - origin_ns) * 1e-9;
  j["watts"] = number(r.watts);
  j["energy_j"] = r.energy_j ? number(*r.energy_j) : nlohmann::json(nullptr);
  nlohmann::json rails = nlohmann::json::object();
  for (const power::RailReading& rail : r.rails) {
    rails[rail.name] = {{"watts", number(rail.watts)},
                        {"energy_j", rail.energy_j ? number(*rail.energy_j) : nlohmann::json(nullptr)}};
  }
  j["rails"] = rails;
  if (r.memory_used_bytes) j["memory_used_bytes"] = *r.memory_used_bytes;
  if (r.memory_total_bytes) j["memory_total_bytes"] = *r.memory_total_bytes;
  return j;
}

}  // namespace greenroute::cli
