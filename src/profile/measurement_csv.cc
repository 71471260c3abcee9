#include "greenroute/profile/measurement_csv.h"

#include <cmath>
#include <string_view>

#include <fmt/format.h>

namespace greenroute::profile {
namespace {

// Column order is the header's; each entry renders one field.
struct Column {
  std::string_view name;
  std::string (*render)(const RunMeasurement&);
};

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string(); }

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const Column kColumns[] = {
    {"batch_size", [](const RunMeasurement& m) { return std::to_string(m.batch_size); }},
    {"max_tokens", [](const RunMeasurement& m) { return std::to_string(m.max_tokens); }},
    {"repeat", [](const RunMeasurement& m) { return std::to_string(m.repeat); }},
    {"saturated", [](const RunMeasurement& m) { return std::string(m.saturated ? "true" : "false"); }},
    {"prompts", [](const RunMeasurement& m) { return std::to_string(m.prompts); }},
    {"mean_prompt_tokens", [](const RunMeasurement& m) { return num(m.mean_prompt_tokens); }},
    {"mean_output_tokens", [](const RunMeasurement& m) { return num(m.mean_output_tokens); }},
    {"total_prompt_tokens", [](const RunMeasurement& m) { return std::to_string(m.total_prompt_tokens); }},
    {"total_output_tokens", [](const RunMeasurement& m) { return std::to_string(m.total_output_tokens); }},
    {"latency_ms", [](const RunMeasurement& m) { return num(m.latency_ms); }},
    {"ttft_ms_median", [](const RunMeasurement& m) { return num(m.ttft_ms_median); }},
    {"ttft_ms_max", [](const RunMeasurement& m) { return num(m.ttft_ms_max); }},
    {"prompt_latency_ms_median", [](const RunMeasurement& m) { return num(m.prompt_latency_ms_median); }},
    {"output_tokens_per_s_median", [](const RunMeasurement& m) { return num(m.output_tokens_per_s_median); }},
    {"throughput_tokens_per_s", [](const RunMeasurement& m) { return num(m.throughput_tokens_per_s); }},
    {"joules", [](const RunMeasurement& m) { return num(m.joules); }},
    {"joules_per_prompt", [](const RunMeasurement& m) { return num(m.joules_per_prompt); }},
    {"joules_per_output_token", [](const RunMeasurement& m) { return num(m.joules_per_output_token); }},
    {"mean_watts", [](const RunMeasurement& m) { return num(m.mean_watts); }},
    {"peak_watts", [](const RunMeasurement& m) { return num(m.peak_watts); }},
    {"energy_source", [](const RunMeasurement& m) { return quoted(m.energy_source); }},
    {"predicted_bytes", [](const RunMeasurement& m) { return std::to_string(m.predicted_bytes); }},
    {"peak_rss_bytes", [](const RunMeasurement& m) { return std::to_string(m.peak_rss_bytes); }},
    {"intensity_g_per_kwh", [](const RunMeasurement& m) { return num(m.intensity_g_per_kwh); }},
    {"grams_co2_per_prompt", [](const RunMeasurement& m) { return num(m.grams_co2_per_prompt); }},
    {"note", [](const RunMeasurement& m) { return quoted(m.note); }},
};

}  // namespace

std::string measurement_csv_header() {
  std::string line;
  for (const Column& c : kColumns) line += (line.empty() ? "" : ",") + std::string(c.name);
  return line;
}

std::string measurement_csv_row(const RunMeasurement& m) {
  std::string line;
  bool first = true;
  for (const Column& c : kColumns) {
    if (!first) line += ',';
    first = false;
    line += c.render(m);
  }
  return line;
}

}  // namespace greenroute::profile
