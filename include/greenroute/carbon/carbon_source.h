// CarbonSource: where a grid carbon intensity (gCO2e/kWh) for a zone at a
// time comes from, and the provenance that travels with every value.
//
// Thread contract: intensity() may be called concurrently from several
// threads on one object; every implementation must be thread-safe. The
// offline sources (StaticSource, ZoneTableSource, CsvTraceSource) and the
// stateless live ones (ElectricityMapsSource, UkGridSource) are immutable
// after construction; WattTimeSource and CachedSource lock their own state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"

namespace greenroute::carbon {

// Average: the mix of what is generated/consumed. Marginal: the plant that
// answers one more kWh (WattTime-style signals).
enum class SignalKind { kAverage, kMarginal };
// Direct: stack emissions only. Lifecycle: including construction, fuel
// supply chain and decommissioning (Electricity Maps "LCA", Ember figures).
enum class Lifecycle { kDirect, kLifecycle };

std::string_view signal_kind_name(SignalKind kind);
std::string_view lifecycle_name(Lifecycle basis);

struct Intensity {
  double g_co2_per_kwh = 0.0;
  std::string zone;
  // The time the value describes (for a trace: the trace's own time, which
  // differs from the requested time when a year of history is looped).
  std::int64_t at_unix_s = 0;
  // "static", "zone-table", "csv:<file>", or a live API: "electricity-maps",
  // "watttime", "uk-grid".
  std::string source;
  SignalKind kind = SignalKind::kAverage;
  Lifecycle basis = Lifecycle::kLifecycle;
  bool stale = false;      // a last good value served because the live source failed
  bool forecast = false;   // the provider's forecast, not a measured/estimated actual
  bool estimated = false;  // the data row itself says it was estimated
  // Live sources: when the value was fetched (wall clock, UTC seconds); 0 for
  // offline sources. A stale value keeps its original fetch time.
  std::int64_t fetched_at_unix_s = 0;
};

class CarbonSource {
 public:
  virtual ~CarbonSource() = default;
  virtual std::string_view name() const = 0;
  // The intensity in `zone` at `at_unix_s` (UTC seconds). kNotFound for an
  // unknown zone or a time the source cannot cover; the message names both.
  // The live sources also refuse times outside years 1900..2999
  // (kInvalidArgument).
  virtual core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) = 0;
};

}  // namespace greenroute::carbon
