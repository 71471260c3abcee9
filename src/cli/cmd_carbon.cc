// `greenroute carbon now|trace|zones`: grid carbon intensity for a zone, from
// any source spec (see carbon/source_factory.h), always with its provenance.
#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/carbon/time_text.h"
#include "greenroute/carbon/zone_table_source.h"

namespace greenroute::cli {
namespace {

struct NowOptions {
  std::string zone;
  std::string source = "zone-table";
  std::string at;
  bool json = false;
};

struct TraceOptions {
  std::string zone;
  std::string source = "zone-table";
  std::string from;
  std::string to;
  std::string step = "1h";
  std::string format = "text";
};

// Upper bound on rows one trace command prints, so a typo in --from/--to
// cannot flood a terminal or a live API.
constexpr std::int64_t kMaxTraceRows = 100'000;

core::Result<std::int64_t> parse_time_flag(const std::string& flag, const std::string& text) {
  auto t = carbon::parse_utc_time(text);
  if (!t) {
    return core::invalid_argument(flag + " '" + text +
                                  "': expected unix seconds or ISO-8601 UTC such as 2024-05-01T12:00Z");
  }
  return *t;
}

// "3600", "900s", "15m", "1h", "1d" -> seconds (> 0).
core::Result<std::int64_t> parse_step(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) ++digits;
  const std::string unit = text.substr(digits);
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  if (digits == 0 || digits > 9 || scale == 0) {
    return core::invalid_argument("--step '" + text + "': expected a positive duration such as 900, 15m, 1h or 1d");
  }
  const std::int64_t value = std::stoll(text.substr(0, digits)) * scale;
  if (value <= 0) return core::invalid_argument("--step '" + text + "': must be positive");
  return value;
}

std::string flags(const carbon::Intensity& i) {
  std::string f;
  auto add = [&f](bool on, const char* name) {
    if (on) f += (f.empty() ? "" : ",") + std::string(name);
  };
  add(i.forecast, "forecast");
  add(i.estimated, "estimated");
  add(i.stale, "STALE");
  return f;
}

nlohmann::json intensity_json(const carbon::Intensity& i) {
  nlohmann::json j = {{"zone", i.zone},
                      {"g_co2_per_kwh", i.g_co2_per_kwh},
                      {"at", carbon::format_utc_time(i.at_unix_s)},
                      {"at_unix_s", i.at_unix_s},
                      {"source", i.source},
                      {"signal", carbon::signal_kind_name(i.kind)},
                      {"basis", carbon::lifecycle_name(i.basis)},
                      {"forecast", i.forecast},
                      {"estimated", i.estimated},
                      {"stale", i.stale}};
  if (i.fetched_at_unix_s > 0) j["fetched_at"] = carbon::format_utc_time(i.fetched_at_unix_s);
  return j;
}

int run_now(const NowOptions& o) {
  std::int64_t at = std::time(nullptr);
  if (!o.at.empty()) {
    auto t = parse_time_flag("--at", o.at);
    if (!t.is_ok()) return fail(t.status());
    at = *t;
  }
  auto source = carbon::make_carbon_source(o.source);
  if (!source.is_ok()) return fail(source.status());
  auto i = (*source)->intensity(o.zone, at);
  if (!i.is_ok()) return fail(i.status());
  if (o.json) {
    std::printf("%s\n", intensity_json(*i).dump(2).c_str());
    return kExitOk;
  }
  const std::string f = flags(*i);
  std::printf("%s  %.1f gCO2e/kWh  at %s\n", i->zone.c_str(), i->g_co2_per_kwh,
              carbon::format_utc_time(i->at_unix_s).c_str());
  std::printf("  source: %s, %s signal, %s basis%s%s\n", i->source.c_str(),
              std::string(carbon::signal_kind_name(i->kind)).c_str(),
              std::string(carbon::lifecycle_name(i->basis)).c_str(), f.empty() ? "" : ", ", f.c_str());
  if (i->fetched_at_unix_s > 0) {
    std::printf("  fetched: %s\n", carbon::format_utc_time(i->fetched_at_unix_s).c_str());
  }
  return kExitOk;
}

int run_trace(const TraceOptions& o) {
  auto from = parse_time_flag("--from", o.from);
  if (!from.is_ok()) return fail(from.status());
  auto to = parse_time_flag("--to", o.to);
  if (!to.is_ok()) return fail(to.status());
  auto step = parse_step(o.step);
  if (!step.is_ok()) return fail(step.status());
  if (*to < *from) return fail("--to is before --from", kExitUsage);
  if ((*to - *from) / *step >= kMaxTraceRows) {
    return fail(fmt::format("--from .. --to at --step {} is more than {} rows; use a larger --step", o.step,
                            kMaxTraceRows),
                kExitUsage);
  }
  auto source = carbon::make_carbon_source(o.source);
  if (!source.is_ok()) return fail(source.status());

  nlohmann::json rows = nlohmann::json::array();
  if (o.format == "csv") std::printf("time,zone,g_co2_per_kwh,source,signal,basis,flags\n");
  for (std::int64_t t = *from; t <= *to; t += *step) {
    auto i = (*source)->intensity(o.zone, t);
    if (!i.is_ok()) return fail(i.status().with_context("at " + carbon::format_utc_time(t)));
    if (o.format == "json") {
      nlohmann::json j = intensity_json(*i);
      j["requested"] = carbon::format_utc_time(t);
      rows.push_back(j);
    } else if (o.format == "csv") {
      std::printf("%s,%s,%.3f,%s,%s,%s,%s\n", carbon::format_utc_time(t).c_str(), i->zone.c_str(),
                  i->g_co2_per_kwh, i->source.c_str(), std::string(carbon::signal_kind_name(i->kind)).c_str(),
                  std::string(carbon::lifecycle_name(i->basis)).c_str(), flags(*i).c_str());
    } else {
      // A looped trace answers with another year's hour: show which.
      const std::string trace_time =
          i->at_unix_s != t ? "  (trace time " + carbon::format_utc_time(i->at_unix_s) + ")" : "";
      std::printf("%s  %8.1f gCO2e/kWh  %s, %s%s%s%s\n", carbon::format_utc_time(t).c_str(), i->g_co2_per_kwh,
                  i->source.c_str(), std::string(carbon::lifecycle_name(i->basis)).c_str(),
                  flags(*i).empty() ? "" : ", ", flags(*i).c_str(), trace_time.c_str());
    }
  }
  if (o.format == "json") std::printf("%s\n", rows.dump(2).c_str());
  return kExitOk;
}

int run_zones(bool json) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const carbon::ZoneTableEntry& e : carbon::ZoneTableSource::entries()) {
      rows.push_back({{"zone", e.zone}, {"g_co2_per_kwh", e.g_co2_per_kwh}, {"year", e.year}, {"origin", e.origin}});
    }
    std::printf("%s\n", rows.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-8s %8s  %4s  %s\n", "zone", "g/kWh", "year", "origin");
  for (const carbon::ZoneTableEntry& e : carbon::ZoneTableSource::entries()) {
    std::printf("%-8.*s %8.0f  %4d  %.*s\n", static_cast<int>(e.zone.size()), e.zone.data(), e.g_co2_per_kwh, e.year,
                static_cast<int>(e.origin.size()), e.origin.data());
  }
  return kExitOk;
}

constexpr const char* kSourceHelp =
    "Where intensity comes from: zone-table (built-in yearly averages), static:G, csv:PATH[,zone=Z,...], "
    "electricity-maps, watttime, uk-grid, each with options (docs/carbon.md)";

}  // namespace

void register_carbon_commands(CLI::App& root, std::vector<Command>& commands) {
  CLI::App* carbon = root.add_subcommand("carbon", "Grid carbon intensity (gCO2e/kWh) by zone and time, with provenance");
  carbon->require_subcommand(1);

  auto now = std::make_shared<NowOptions>();
  CLI::App* now_cmd = carbon->add_subcommand("now", "The intensity in a zone now (or --at a time)");
  now_cmd->add_option("--zone", now->zone, "Zone: an Electricity Maps zone id (DE, FR, US-CAL-CISO, GB, ...)")
      ->required();
  now_cmd->add_option("--source", now->source, kSourceHelp)->capture_default_str();
  now_cmd->add_option("--at", now->at, "A UTC time instead of now: unix seconds or ISO-8601");
  now_cmd->add_flag("--json", now->json, "Print JSON");
  commands.push_back({now_cmd, [now] { return run_now(*now); }});

  auto trace = std::make_shared<TraceOptions>();
  CLI::App* trace_cmd = carbon->add_subcommand("trace", "The intensity in a zone from --from to --to every --step");
  trace_cmd->add_option("--zone", trace->zone, "Zone id")->required();
  trace_cmd->add_option("--source", trace->source, kSourceHelp)->capture_default_str();
  trace_cmd->add_option("--from", trace->from, "First time (UTC): unix seconds or ISO-8601")->required();
  trace_cmd->add_option("--to", trace->to, "Last time (UTC), inclusive")->required();
  trace_cmd->add_option("--step", trace->step, "Time between rows: seconds, or 15m, 1h, 1d")->capture_default_str();
  trace_cmd->add_option("--format", trace->format, "text, csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "csv", "json"}));
  commands.push_back({trace_cmd, [trace] { return run_trace(*trace); }});

  auto zones_json = std::make_shared<bool>(false);
  CLI::App* zones = carbon->add_subcommand("zones", "List the built-in yearly average intensities and their origin");
  zones->add_flag("--json", *zones_json, "Print JSON");
  commands.push_back({zones, [zones_json] { return run_zones(*zones_json); }});
}

}  // namespace greenroute::cli
