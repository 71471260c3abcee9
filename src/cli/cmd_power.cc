// `greenroute power detect` and `greenroute power watch`: which meters this
// machine has, and what they read live. (`power measure` is in
// cmd_power_measure.cc.)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "greenroute/core/clock.h"
#include "greenroute/power/power_meter.h"
#include "interrupt.h"
#include "meter_options.h"

namespace greenroute::cli {
namespace {

struct DetectOptions {
  MeterOptions meters;
  int sample_ms = 250;
  bool json = false;
};

struct WatchOptions {
  MeterOptions meters;
  int interval_ms = 1000;
  int count = 0;
  bool json = false;
};

std::string format_watts(double w) { return std::isfinite(w) ? fmt::format("{:.2f} W", w) : "? W"; }

std::string format_memory(const power::PowerReading& r) {
  if (!r.memory_used_bytes || !r.memory_total_bytes) return "";
  constexpr double kMiB = 1024.0 * 1024.0;
  return fmt::format(", memory {:.0f} / {:.0f} MiB", static_cast<double>(*r.memory_used_bytes) / kMiB,
                     static_cast<double>(*r.memory_total_bytes) / kMiB);
}

int run_detect(const DetectOptions& o) {
  core::SteadyClock clock;
  std::vector<std::unique_ptr<power::PowerMeter>> meters;
  if (o.meters.meter == "auto") {
    meters = power::detect_meters(o.meters.roots, clock);
  } else {
    auto m = power::make_meter(o.meters.meter, o.meters.roots, clock);
    if (!m.is_ok()) return fail(m.status());
    meters.push_back(std::move(m).value());
  }
  if (meters.empty()) {
    auto none = open_meter(o.meters, clock);  // for its message naming what was looked for
    return fail(none.status());
  }
  // Counter-based meters need two samples in time to know watts.
  sleep_unless_interrupted(static_cast<std::int64_t>(o.sample_ms) * 1'000'000);

  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : meters) {
    const power::MeterInfo& info = m->info();
    auto r = m->read();
    nlohmann::json j = {{"name", info.name}, {"measured", info.measured}, {"sensor", info.sensor},
                        {"rails", info.rails}};
    if (r.is_ok()) {
      j["reading"] = reading_json(*r, r->time_ns);
    } else {
      j["error"] = r.status().to_string();
    }
    if (o.json) {
      out.push_back(j);
      continue;
    }
    std::printf("%s  [%s]\n  sensor: %s\n", info.name.c_str(), info.measured ? "measured" : "ESTIMATED",
                info.sensor.c_str());
    if (!r.is_ok()) {
      std::printf("  read failed: %s\n", r.status().to_string().c_str());
      continue;
    }
    std::printf("  now: %s%s%s\n", format_watts(r->watts).c_str(),
                r->energy_j ? " (energy counter)" : "", format_memory(*r).c_str());
    for (const power::RailReading& rail : r->rails) {
      std::printf("    %-24s %s\n", rail.name.c_str(), format_watts(rail.watts).c_str());
    }
  }
  if (o.json) std::printf("%s\n", out.dump(2).c_str());
  return kExitOk;
}

int run_watch(const WatchOptions& o) {
  core::SteadyClock clock;
  auto meter_r = open_meter(o.meters, clock);
  if (!meter_r.is_ok()) return fail(meter_r.status());
  power::PowerMeter& meter = **meter_r;
  install_interrupt_handlers();
  const std::int64_t origin = clock.now_ns();
  if (!o.json) std::printf("# %s\n", provenance(meter.info()).c_str());
  std::fflush(stdout);

  // Cumulative joules: the meter's counter where it has one, else the
  // trapezoidal rule between successive readings.
  double joules = 0.0;
  bool have_prev = false;
  power::PowerReading prev;
  int failures = 0;
  for (int n = 0; (o.count == 0 || n < o.count) && !interrupt_requested(); ++n) {
    sleep_unless_interrupted(static_cast<std::int64_t>(o.interval_ms) * 1'000'000);
    if (interrupt_requested()) break;
    auto r = meter.read();
    if (!r.is_ok()) {
      ++failures;
      std::fprintf(stderr, "greenroute: warning: %s\n", r.status().to_string().c_str());
      continue;
    }
    if (r->energy_j) {
      joules = *r->energy_j;
    } else if (have_prev && std::isfinite(prev.watts) && std::isfinite(r->watts)) {
      joules += 0.5 * (prev.watts + r->watts) * static_cast<double>(r->time_ns - prev.time_ns) * 1e-9;
    }
    prev = *r;
    have_prev = true;
    if (o.json) {
      nlohmann::json j = reading_json(*r, origin);
      j["meter"] = meter.info().name;
      j["measured"] = meter.info().measured;
      j["cumulative_j"] = joules;
      j["cumulative_method"] = r->energy_j ? "counter" : "trapezoid";
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::string rails;
      for (const power::RailReading& rail : r->rails) rails += "  " + rail.name + " " + format_watts(rail.watts);
      std::printf("%8.2f s  %s  %.2f J%s%s\n", static_cast<double>(r->time_ns - origin) * 1e-9,
                  format_watts(r->watts).c_str(), joules, format_memory(*r).c_str(),
                  r->rails.size() > 1 ? ("  |" + rails).c_str() : "");
    }
    std::fflush(stdout);
  }
  if (failures > 0 && !have_prev) return fail(fmt::format("every one of {} reads failed", failures));
  return kExitOk;
}

}  // namespace

void register_power_measure_command(CLI::App& power, std::vector<Command>& commands);

void register_power_commands(CLI::App& root, std::vector<Command>& commands) {
  CLI::App* power = root.add_subcommand("power", "Power meters: what this machine can measure, live watts, "
                                                 "and the energy of a command");
  power->require_subcommand(1);

  auto detect_opts = std::make_shared<DetectOptions>();
  CLI::App* detect = power->add_subcommand(
      "detect", "List the power meters found and what each reads (measured sensors first, estimators last)");
  add_meter_options(*detect, detect_opts->meters);
  detect->add_option("--sample-ms", detect_opts->sample_ms, "Wait between the two samples that give watts")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  detect->add_flag("--json", detect_opts->json, "Print a JSON array instead of text");
  commands.push_back({detect, [detect_opts] { return run_detect(*detect_opts); }});

  auto watch_opts = std::make_shared<WatchOptions>();
  CLI::App* watch = power->add_subcommand(
      "watch", "Print live watts per rail and cumulative joules until Ctrl-C (or --count readings)");
  add_meter_options(*watch, watch_opts->meters);
  watch->add_option("--interval-ms", watch_opts->interval_ms, "Time between readings")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  watch->add_option("--count", watch_opts->count, "Stop after this many readings (0: until Ctrl-C)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  watch->add_flag("--json", watch_opts->json, "One JSON object per line, for machines");
  commands.push_back({watch, [watch_opts] { return run_watch(*watch_opts); }});

  register_power_measure_command(*power, commands);
}

}  // namespace greenroute::cli
