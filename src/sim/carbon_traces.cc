#include "greenroute/sim/carbon_traces.h"

#include <map>
#include <memory>
#include <system_error>

namespace greenroute::sim {

std::filesystem::path trace_file_for(const std::filesystem::path& dir, const std::string& zone) {
  if (zone.empty() || zone == "." || zone == ".." || zone.find_first_of("/\\") != std::string::npos) return {};
  return dir / (zone + ".csv");
}

core::Result<AppliedTraces> apply_carbon_traces(std::vector<SimNode>& nodes, const std::filesystem::path& dir,
                                                const TraceOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return core::invalid_argument("carbon traces folder '" + dir.string() + "': no such folder");
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return core::invalid_argument("carbon traces folder '" + dir.string() + "': not a folder");
  }
  AppliedTraces out;
  std::map<std::string, std::shared_ptr<carbon::CarbonSource>> sources;  // zone -> its trace, or null
  std::vector<std::string> looked_for;
  for (const SimNode& node : nodes) {
    if (sources.count(node.zone) > 0) continue;
    const std::filesystem::path file = trace_file_for(dir, node.zone);
    if (!file.empty()) looked_for.push_back(file.filename().string());
    if (file.empty() || !std::filesystem::is_regular_file(file, ec)) {
      sources[node.zone] = nullptr;
      out.without_trace.push_back(node.zone);
      continue;
    }
    carbon::CsvTraceOptions csv;
    csv.basis = options.basis;
    csv.interpolation = options.interpolation;
    csv.loop_year = true;
    csv.zone = node.zone;  // used by plain timestamp,value files only
    auto loaded = carbon::CsvTraceSource::load(file.string(), csv);
    if (!loaded.is_ok()) return core::invalid_argument(loaded.status().message());
    const std::vector<carbon::TracePoint>& points = (*loaded)->points(node.zone);
    if (points.empty()) {
      std::string held;
      for (const std::string& z : (*loaded)->zones()) held += (held.empty() ? "" : ", ") + z;
      return core::invalid_argument("carbon trace '" + file.string() + "': no rows for zone " + node.zone +
                                    " (the file holds " + held + ")");
    }
    out.traced.push_back(ZoneTrace{.zone = node.zone, .file = file, .nodes = 0, .points = points.size(),
                                   .first_unix_s = points.front().at_unix_s,
                                   .last_unix_s = points.back().at_unix_s});
    sources[node.zone] = std::shared_ptr<carbon::CarbonSource>(std::move(loaded).value());
  }
  if (out.traced.empty()) {
    std::string names;
    constexpr std::size_t kListed = 8;
    for (std::size_t i = 0; i < looked_for.size() && i < kListed; ++i) names += (i ? ", " : "") + looked_for[i];
    if (looked_for.size() > kListed) names += ", ... (" + std::to_string(looked_for.size()) + " in all)";
    return core::invalid_argument("carbon traces folder '" + dir.string() + "' has no trace for any zone of the cluster" +
                                  (names.empty() ? std::string() : " (looked for " + names + ")"));
  }
  std::map<std::string, std::size_t> traced_index;
  for (std::size_t i = 0; i < out.traced.size(); ++i) traced_index[out.traced[i].zone] = i;
  for (SimNode& node : nodes) {
    const std::shared_ptr<carbon::CarbonSource>& trace = sources[node.zone];
    if (!trace) continue;
    node.carbon = trace;
    ++out.traced[traced_index[node.zone]].nodes;
  }
  return out;
}

}  // namespace greenroute::sim
