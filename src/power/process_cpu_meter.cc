#include "greenroute/power/process_cpu_meter.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "sysfs_io.h"

namespace greenroute::power {
namespace {

// proc(5) numbers the fields from 1: (1) pid (2) comm (3) state ... (14)
// utime (15) stime (16) cutime (17) cstime. After the comm's closing ")" the
// first token is field 3.
constexpr std::size_t kFirstFieldAfterComm = 3;
constexpr std::size_t kUtimeField = 14;
constexpr std::size_t kCstimeField = 17;

}  // namespace

core::Result<std::uint64_t> ProcessCpuEstimateMeter::parse_cpu_ticks(const std::string& text,
                                                                    const std::string& path) {
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return core::corrupt(path + ": no ')' closing the command name");
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> tokens;
  std::string tok;
  while (fields >> tok && tokens.size() <= kCstimeField - kFirstFieldAfterComm) tokens.push_back(tok);
  if (tokens.size() <= kCstimeField - kFirstFieldAfterComm) {
    return core::corrupt(path + ": " + std::to_string(tokens.size() + kFirstFieldAfterComm - 1) +
                         " fields, need at least " + std::to_string(kCstimeField));
  }
  std::uint64_t ticks = 0;
  for (std::size_t field = kUtimeField; field <= kCstimeField; ++field) {
    auto n = detail::parse_int(tokens[field - kFirstFieldAfterComm], path + " field " + std::to_string(field));
    if (!n.is_ok()) return n.status();
    if (*n < 0) return core::corrupt(path + " field " + std::to_string(field) + ": negative cpu time");
    ticks += static_cast<std::uint64_t>(*n);
  }
  return ticks;
}

ProcessCpuEstimateMeter::ProcessCpuEstimateMeter(const core::Clock& clock, MeterInfo info, std::string stat_path,
                                                 CpuPowerModel model, bool include_idle, double ticks_per_second,
                                                 std::uint64_t first_ticks)
    : clock_(clock),
      info_(std::move(info)),
      stat_path_(std::move(stat_path)),
      model_(model),
      include_idle_(include_idle),
      ticks_per_second_(ticks_per_second),
      last_ticks_(first_ticks),
      last_time_ns_(clock.now_ns()),
      last_watts_(include_idle ? model.idle_w : 0.0) {}

core::Result<std::unique_ptr<PowerMeter>> ProcessCpuEstimateMeter::detect(const ProcessCpuOptions& options,
                                                                          const core::Clock& clock,
                                                                          const CpuPowerModel& model) {
  if (!std::isfinite(model.idle_w) || !std::isfinite(model.w_per_busy_core) || model.idle_w < 0 ||
      model.w_per_busy_core < 0) {
    return core::invalid_argument("cpu-process: model constants must be finite and >= 0");
  }
  if (options.pid != "self") {
    auto pid = detail::parse_int(options.pid, "pid");
    if (!pid.is_ok() || *pid <= 0) return core::invalid_argument("cpu-process: bad pid '" + options.pid + "'");
  }
  const long tps = options.ticks_per_second > 0 ? options.ticks_per_second : sysconf(_SC_CLK_TCK);
  if (tps <= 0) return core::unavailable("cpu-process: cannot learn the clock tick rate (_SC_CLK_TCK)");
  const std::string path = detail::join_path(detail::join_path(options.procfs_root, options.pid), "stat");
  GR_ASSIGN_OR_RETURN(std::string text, detail::read_text_file(path));
  GR_ASSIGN_OR_RETURN(std::uint64_t ticks, parse_cpu_ticks(text, path));
  MeterInfo info;
  info.name = "cpu-process";
  info.measured = false;
  info.sensor = fmt::format("ESTIMATE from {} process cpu time: {}{:.3g} W per busy core", path,
                            options.include_idle ? fmt::format("{:.3g} W idle + ", model.idle_w) : "",
                            model.w_per_busy_core);
  info.rails = {"process"};
  return std::unique_ptr<PowerMeter>(new ProcessCpuEstimateMeter(clock, std::move(info), path, model,
                                                                 options.include_idle,
                                                                 static_cast<double>(tps), ticks));
}

core::Result<PowerReading> ProcessCpuEstimateMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  GR_ASSIGN_OR_RETURN(std::string text, detail::read_text_file(stat_path_));
  GR_ASSIGN_OR_RETURN(std::uint64_t ticks, parse_cpu_ticks(text, stat_path_));
  if (ticks < last_ticks_) {
    last_ticks_ = ticks;
    return core::corrupt(stat_path_ + ": cpu time went backwards (a different process with the same pid?)");
  }
  const std::int64_t dt_ns = out.time_ns - last_time_ns_;
  if (dt_ns > 0) {
    const double busy_cores =
        static_cast<double>(ticks - last_ticks_) / ticks_per_second_ / (static_cast<double>(dt_ns) * 1e-9);
    last_watts_ = (include_idle_ ? model_.idle_w : 0.0) + model_.w_per_busy_core * busy_cores;
    last_ticks_ = ticks;
    last_time_ns_ = out.time_ns;
  }
  out.watts = last_watts_;
  out.rails.push_back(RailReading{"process", last_watts_, std::nullopt});
  return out;
}

}  // namespace greenroute::power
