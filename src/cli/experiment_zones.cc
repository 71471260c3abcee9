// Grid zones for the experiment: from --carbon-traces DIR (one CSV per zone)
// or the built-in yearly table, and which zone each live node sits in.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "experiment.h"
#include "greenroute/carbon/csv_trace_source.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/carbon/zone_table_source.h"

namespace greenroute::cli::experiment {
namespace fs = std::filesystem;
namespace {

// Zones of the built-in table whose yearly values were computed from hourly
// traces (docs/carbon.md), cleanest to dirtiest across a 24x range. The live
// cluster takes the first ones it needs, in this order of preference.
constexpr const char* kTableZones[] = {"FR", "DE", "PL", "GB", "NO", "US-CAL-CISO"};

core::Result<ZoneCatalog> table_catalog() {
  ZoneCatalog c;
  for (const char* zone : kTableZones) {
    const auto entries = carbon::ZoneTableSource::entries();
    auto it = std::find_if(entries.begin(), entries.end(), [&](const carbon::ZoneTableEntry& e) { return e.zone == zone; });
    if (it == entries.end()) return core::internal_error(std::string("zone table lacks ") + zone);
    c.zones.push_back(ZoneCarbon{.zone = zone, .spec = "zone-table", .trace = "", .mean_g_per_kwh = it->g_co2_per_kwh});
  }
  c.notes.push_back(
      "carbon intensity: the built-in zone table (yearly averages, constant over time); give --carbon-traces DIR for "
      "hourly traces");
  return c;
}

core::Result<ZoneCatalog> trace_catalog(const std::string& dir_text) {
  const fs::path dir(dir_text);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return core::invalid_argument("--carbon-traces '" + dir_text + "': not a directory");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && ascii_lower(entry.path().extension().string()) == ".csv") files.push_back(entry.path());
  }
  if (ec) return core::io_error("--carbon-traces '" + dir_text + "': " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return core::invalid_argument("--carbon-traces '" + dir_text +
                                  "': no .csv files (expected one trace per zone named ZONE[_...].csv, e.g. "
                                  "DE_2022_hourly.csv: an Electricity Maps export or timestamp,value rows)");
  }
  ZoneCatalog c;
  c.from_traces = true;
  std::map<std::string, ZoneCarbon> by_zone;
  std::map<std::string, std::vector<std::string>> ignored;  // zone -> files replaced by a later one
  for (const fs::path& file : files) {
    const fs::path abs = fs::absolute(file);
    if (abs.string().find(',') != std::string::npos) {
      return core::invalid_argument("--carbon-traces: file name '" + abs.string() +
                                    "' contains a comma, which a csv: source spec cannot hold");
    }
    const std::string stem = file.stem().string();
    const std::string file_zone = stem.substr(0, stem.find('_'));
    carbon::CsvTraceOptions o;
    o.basis = carbon::Lifecycle::kLifecycle;  // the zone table's basis, so both kinds of zone compare
    o.loop_year = true;                        // a year of history drives any date
    o.zone = file_zone;
    auto trace = carbon::CsvTraceSource::load(abs.string(), o);
    if (!trace.is_ok()) return trace.status().with_context("--carbon-traces");
    for (const std::string& zone : (*trace)->zones()) {
      const auto& points = (*trace)->points(zone);
      if (points.empty()) continue;
      double sum = 0;
      for (const carbon::TracePoint& p : points) sum += p.g_co2_per_kwh;
      ZoneCarbon z;
      z.zone = zone;
      z.trace = abs.string();
      z.spec = "csv:" + abs.string() + ",zone=" + file_zone + ",basis=lifecycle,loop=yes";
      z.mean_g_per_kwh = sum / static_cast<double>(points.size());
      auto [it, fresh] = by_zone.emplace(zone, z);
      if (!fresh) {
        ignored[zone].push_back(fs::path(it->second.trace).filename().string());
        it->second = z;
      }
    }
  }
  for (const auto& [zone, left_out] : ignored) {
    std::string list;
    for (const std::string& f : left_out) list += (list.empty() ? "" : ", ") + f;
    c.notes.push_back(fmt::format("zone {}: {} is used, {} left out (the last file in name order wins)", zone,
                                  fs::path(by_zone.at(zone).trace).filename().string(), list));
  }
  for (auto& [zone, z] : by_zone) c.zones.push_back(std::move(z));
  if (c.zones.size() < 2) {
    return core::invalid_argument(fmt::format(
        "--carbon-traces '{}': traces for {} zone(s); the experiment needs at least 2 zones to contrast", dir_text,
        c.zones.size()));
  }
  c.notes.push_back(fmt::format("carbon intensity: hourly traces from {} ({} zones, lifecycle basis, looped by "
                                "calendar date)",
                                dir_text, c.zones.size()));
  return c;
}

}  // namespace

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const ZoneCarbon* ZoneCatalog::find(const std::string& zone) const {
  for (const ZoneCarbon& z : zones) {
    if (ascii_lower(z.zone) == ascii_lower(zone)) return &z;
  }
  return nullptr;
}

core::Result<ZoneCatalog> load_zone_catalog(const std::string& traces_dir) {
  GR_ASSIGN_OR_RETURN(ZoneCatalog c, traces_dir.empty() ? table_catalog() : trace_catalog(traces_dir));
  std::stable_sort(c.zones.begin(), c.zones.end(),
                   [](const ZoneCarbon& a, const ZoneCarbon& b) { return a.mean_g_per_kwh < b.mean_g_per_kwh; });
  return c;
}

core::Result<std::vector<ZoneCarbon>> pick_live_zones(const ZoneCatalog& catalog, const std::vector<double>& latency_ms,
                                                      const std::vector<std::string>& asked) {
  std::vector<ZoneCarbon> out;
  if (!asked.empty()) {
    for (const std::string& zone : asked) {
      const ZoneCarbon* z = catalog.find(zone);
      if (z == nullptr) {
        std::string known;
        for (const ZoneCarbon& k : catalog.zones) known += (known.empty() ? "" : ", ") + k.zone;
        return core::invalid_argument("--zones: no carbon data for zone '" + zone + "' (" +
                                      (catalog.from_traces ? "traces" : "zones") + ": " + known + ")");
      }
      out.push_back(*z);
    }
    return out;
  }
  const std::size_t n = latency_ms.size();
  // The zones to use, cleanest first.
  std::vector<ZoneCarbon> picks;
  if (!catalog.from_traces) {
    const std::size_t k = std::min<std::size_t>(n, std::size(kTableZones));
    for (std::size_t i = 0; i < k; ++i) picks.push_back(*catalog.find(kTableZones[i]));
  } else {
    const std::size_t z = catalog.zones.size();
    const std::size_t k = std::min(n, z);
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t idx = k == 1 ? 0 : static_cast<std::size_t>(std::lround(static_cast<double>(j) * (z - 1) / (k - 1)));
      picks.push_back(catalog.zones[idx]);
    }
  }
  std::stable_sort(picks.begin(), picks.end(),
                   [](const ZoneCarbon& a, const ZoneCarbon& b) { return a.mean_g_per_kwh < b.mean_g_per_kwh; });
  // Nodes by speed, slowest first; rank r gets the r-th cleanest pick.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return latency_ms[a] > latency_ms[b]; });
  out.resize(n);
  for (std::size_t r = 0; r < n; ++r) out[order[r]] = picks[r * picks.size() / n];
  return out;
}

core::Result<std::vector<std::pair<double, double>>> hourly_intensity(const ZoneCarbon& zone, std::int64_t start_unix_s,
                                                                      double hours) {
  GR_ASSIGN_OR_RETURN(auto source, carbon::make_carbon_source(zone.spec));
  std::vector<std::pair<double, double>> out;
  const int n = static_cast<int>(std::ceil(hours));
  for (int h = 0; h <= n; ++h) {
    auto i = source->intensity(zone.zone, start_unix_s + static_cast<std::int64_t>(h) * 3600);
    if (!i.is_ok()) return i.status().with_context("zone " + zone.zone);
    out.emplace_back(h * 3600.0, i->g_co2_per_kwh);
  }
  return out;
}

}  // namespace greenroute::cli::experiment
