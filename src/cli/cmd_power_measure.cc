// `greenroute power measure [flags] -- CMD ARGS...`: runs a command, samples
// the power meter while it runs, and reports the energy (and, given a grid
// intensity, the carbon) of the run. Like time(1), it exits with the
// command's own exit status, so it can wrap any step of a script.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "greenroute/carbon/accounting.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/clock.h"
#include "greenroute/power/energy.h"
#include "interrupt.h"
#include "meter_options.h"

namespace greenroute::cli {
namespace {

struct MeasureOptions {
  MeterOptions meters;
  int interval_ms = 100;
  bool json = false;
  double intensity = -1.0;  // gCO2e/kWh; < 0: not given
  std::string zone;
  std::string carbon_source = "zone-table";
  std::vector<std::string> command;
};

struct ChildRun {
  int exit_code = 0;      // the command's, or 128 + signal
  double cpu_user_s = 0;  // the command and its waited-for descendants
  double cpu_system_s = 0;
};

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

// Starts `argv`. The pipe is close-on-exec: it is closed by a successful
// exec, or carries the exec's errno back, so "command not found" is an error
// of ours rather than an exit status 127 the user must decode.
core::Result<pid_t> spawn(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return core::io_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return core::io_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    execvp(argv[0], argv.data());
    const int err = errno;
    ssize_t ignored = write(fds[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(fds[1]);
  int err = 0;
  ssize_t n = 0;
  do {
    n = read(fds[0], &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  close(fds[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    int status = 0;
    waitpid(pid, &status, 0);
    return core::invalid_argument("cannot run '" + command.front() + "': " + std::strerror(err));
  }
  return pid;
}

// Polls the child; true once it has ended (result filled in).
bool child_done(pid_t pid, ChildRun* run) {
  int status = 0;
  rusage usage{};
  const pid_t r = wait4(pid, &status, WNOHANG, &usage);
  if (r != pid) return false;
  run->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run->cpu_user_s = seconds(usage.ru_utime);
  run->cpu_system_s = seconds(usage.ru_stime);
  return true;
}

std::string command_line(const std::vector<std::string>& command) {
  std::string s;
  for (const std::string& a : command) s += (s.empty() ? "" : " ") + a;
  return s;
}

int run_measure(const MeasureOptions& o) {
  double intensity = o.intensity;
  std::string intensity_source = "--intensity";
  if (!o.zone.empty()) {
    if (intensity >= 0) return fail("give --zone or --intensity, not both", kExitUsage);
    auto source = carbon::make_carbon_source(o.carbon_source);
    if (!source.is_ok()) return fail(source.status());
    // The intensity when the command starts: runs this tool wraps are short
    // next to the hour-scale changes of a grid.
    auto i = (*source)->intensity(o.zone, std::time(nullptr));
    if (!i.is_ok()) return fail(i.status());
    intensity = i->g_co2_per_kwh;
    intensity_source = i->source + " " + i->zone + (i->stale ? " (STALE)" : "") + (i->forecast ? " (forecast)" : "");
  }

  core::SteadyClock clock;
  auto meter_r = open_meter(o.meters, clock);
  if (!meter_r.is_ok()) return fail(meter_r.status());
  power::PowerMeter& meter = **meter_r;

  std::vector<power::PowerReading> readings;
  int read_failures = 0;
  std::string last_failure;
  auto sample = [&] {
    auto r = meter.read();
    if (r.is_ok()) {
      readings.push_back(std::move(r).value());
    } else {
      ++read_failures;
      last_failure = r.status().to_string();
    }
  };

  install_interrupt_handlers();
  sample();
  const std::int64_t t0 = clock.now_ns();
  auto pid = spawn(o.command);
  if (!pid.is_ok()) return fail(pid.status());
  ChildRun run;
  bool forwarded = false;
  while (!child_done(*pid, &run)) {
    if (interrupt_requested() && !forwarded) {
      // Ctrl-C at a terminal reaches the child too; a SIGTERM sent to us
      // alone is passed on. Either way we wait and report what was measured.
      kill(*pid, SIGTERM);
      forwarded = true;
    }
    sleep_unless_interrupted(static_cast<std::int64_t>(o.interval_ms) * 1'000'000);
    if (interrupt_requested() && !forwarded) continue;
    sample();
  }
  sample();
  const std::int64_t t1 = clock.now_ns();
  const double wall_s = static_cast<double>(t1 - t0) * 1e-9;
  const double cpu_s = run.cpu_user_s + run.cpu_system_s;
  const power::MeterInfo& info = meter.info();

  nlohmann::json j;
  j["command"] = o.command;
  j["exit_code"] = run.exit_code;
  j["wall_s"] = wall_s;
  j["cpu_user_s"] = run.cpu_user_s;
  j["cpu_system_s"] = run.cpu_system_s;
  j["meter"] = {{"name", info.name}, {"measured", info.measured}, {"sensor", info.sensor}};
  j["samples"] = readings.size();
  j["read_failures"] = read_failures;
  std::string energy_line;
  std::string error;
  if (readings.size() >= 2) {
    auto w = power::integrate_energy(readings, readings.front().time_ns, readings.back().time_ns);
    if (w.is_ok()) {
      j["energy_j"] = w->joules;
      j["mean_watts"] = w->mean_watts;
      j["peak_watts"] = w->peak_watts;
      j["integration"] = power::integration_method_name(w->method);
      if (w->method == power::IntegrationMethod::kCounter) {
        // The same window from the power readings alone: a cross-check of
        // the counter (they differ when power changes faster than sampling).
        power::IntegrationOptions trapezoid;
        trapezoid.method = power::IntegrationMethod::kTrapezoid;
        auto t = power::integrate_energy(readings, readings.front().time_ns, readings.back().time_ns, trapezoid);
        if (t.is_ok()) j["energy_trapezoid_j"] = t->joules;
      }
      energy_line = fmt::format("{:.3f} J  (mean {:.2f} W, peak {:.2f} W over {:.3f} s, {} samples, {})", w->joules,
                                w->mean_watts, w->peak_watts, w->duration_s, w->samples_used,
                                power::integration_method_name(w->method));
      if (intensity >= 0) {
        const double grams = carbon::grams_co2(w->joules, intensity);
        j["carbon"] = {{"grams_co2e", grams}, {"intensity_g_per_kwh", intensity}, {"intensity_source", intensity_source}};
        energy_line += fmt::format("\ncarbon:  {:.4f} gCO2e at {:.0f} g/kWh ({})", grams, intensity, intensity_source);
      }
    } else {
      error = w.status().to_string();
    }
  } else {
    error = fmt::format("only {} good reading(s) of the meter{}", readings.size(),
                        last_failure.empty() ? "" : " (last failure: " + last_failure + ")");
  }
  if (!info.measured && info.name == "cpu-estimate") {
    // The machine-wide estimate includes every other process and the idle
    // floor; the command's own share uses its own CPU time and the same model.
    const double share = cpu_s * o.meters.roots.cpu_model.w_per_busy_core;
    j["process_share_j"] = share;
    energy_line += fmt::format("\nprocess share: {:.3f} J  (ESTIMATED: {:.3f} cpu-s x {:.3g} W per busy core)", share,
                               cpu_s, o.meters.roots.cpu_model.w_per_busy_core);
  }
  if (!error.empty()) j["error"] = error;

  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::fprintf(stderr, "command: %s (exit %d)\n", command_line(o.command).c_str(), run.exit_code);
    std::fprintf(stderr, "time:    %.3f s wall, %.3f s user, %.3f s system\n", wall_s, run.cpu_user_s,
                 run.cpu_system_s);
    std::fprintf(stderr, "meter:   %s\n", provenance(info).c_str());
    if (error.empty()) {
      std::fprintf(stderr, "energy:  %s\n", energy_line.c_str());
    } else {
      std::fprintf(stderr, "greenroute: error: no energy figure: %s\n", error.c_str());
    }
  }
  if (!error.empty() && run.exit_code == 0) return kExitFailure;
  return run.exit_code;
}

}  // namespace

void register_power_measure_command(CLI::App& power, std::vector<Command>& commands) {
  auto o = std::make_shared<MeasureOptions>();
  CLI::App* measure = power.add_subcommand(
      "measure", "Run a command and report the energy it took: greenroute power measure [flags] -- CMD ARGS...");
  measure->footer(
      "The report goes to stderr; with --json it is printed on stdout after anything the command printed.\n"
      "Exit status: the command's own (128 + signal if it was killed), or 1 when no energy figure could be\n"
      "made for a command that succeeded. Energy is the whole device as the meter sees it; with the\n"
      "cpu-estimate meter the command's own share (its CPU time x watts per busy core) is shown as well.");
  add_meter_options(*measure, o->meters);
  measure->add_option("--interval-ms", o->interval_ms, "Time between meter readings")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  measure->add_option("--intensity", o->intensity, "Grid carbon intensity, gCO2e/kWh, to report carbon")
      ->check(CLI::NonNegativeNumber);
  measure->add_option("--zone", o->zone, "Report carbon at this zone's intensity (from --carbon)");
  measure->add_option("--carbon", o->carbon_source,
                      "Carbon source spec for --zone: zone-table (built-in yearly averages), static:G, csv:PATH, "
                      "electricity-maps, watttime, uk-grid (docs/carbon.md)")
      ->capture_default_str();
  measure->add_flag("--json", o->json, "Print the report as JSON on stdout");
  measure->add_option("command", o->command, "The command to run, after --")->required()->expected(-1);
  commands.push_back({measure, [o] { return run_measure(*o); }});
}

}  // namespace greenroute::cli
