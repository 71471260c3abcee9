// make_carbon_source: builds a CarbonSource from the user-facing spec string
// that `greenroute carbon now|trace --source SPEC`, node and gateway configs
// take. The spec is parsed and validated here, once, into the sources'
// option structs; nothing below sees the string.
//
// Grammar:
//   SPEC := KIND [ ":" ARGS ]
//   ARGS := ARG { "," ARG }
//   ARG  := KEY "=" VALUE          (VALUE runs to the next ',', '=' allowed)
//         | VALUE                  (first ARG of static and csv only: the
//                                   positional argument)
// Kinds:
//   static:G            G gCO2e/kWh (>= 0) for every zone and time
//   zone-table          built-in yearly averages (ZoneTableSource)
//   csv:PATH            CsvTraceSource; PATH may not contain ','. Options:
//                       zone=Z (required for plain timestamp,value files),
//                       basis=direct|lifecycle (default direct),
//                       interp=step|linear (default step), loop=yes|no,
//                       skip_bad=yes|no
//   electricity-maps    ElectricityMapsSource. key=K (default: environment
//                       ELECTRICITYMAPS_API_KEY), basis=lifecycle|direct,
//                       window=S (seconds from now still "latest", 1800)
//   watttime            WattTimeSource. user=U, password=P (defaults:
//                       WATTTIME_USERNAME, WATTTIME_PASSWORD)
//   uk-grid             UkGridSource (no key); zones GB, GB-1..GB-17
// Options of every live kind (electricity-maps, watttime, uk-grid), each of
// which comes wrapped in a CachedSource:
//   url=BASE            base URL: http[s]://host[:port][/prefix]
//   timeout_ms=N        connect and read timeout (default 5000)
//   ttl=S               cache lifetime, seconds (default 300; 0: no caching)
//   bucket=S            cache time bucket, seconds (default 900)
//   max_stale=S         oldest last-good value served stale (default 21600)
//   backoff=S           pause after a failure, seconds (default 30)
//   fallback=SPEC       none (default), zone-table, static:G or csv:PATH
// Examples: "static:350", "csv:traces/DE_2022.csv",
//   "electricity-maps:ttl=600,fallback=zone-table", "uk-grid:timeout_ms=2000".
//
// Errors are kInvalidArgument naming the spec's fault (unknown kind or
// option, bad number, missing credentials), and never repeat a key or
// password. Credentials given in the spec take precedence over the
// environment; prefer the environment, which stays out of shell history and
// process lists.
//
// Thread-safe: a pure function of its arguments (and the environment).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

struct SourceFactoryContext {
  // Monotonic clock for cache TTLs; nullptr: each cache uses a SteadyClock.
  const core::Clock* clock = nullptr;
  // Unix-epoch clock for the live sources; nullptr: the system clock.
  const core::Clock* unix_clock = nullptr;
  // Environment lookup; empty: std::getenv. Tests pass a map.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
};

core::Result<std::unique_ptr<CarbonSource>> make_carbon_source(
    std::string_view spec, const SourceFactoryContext& context = {});

}  // namespace greenroute::carbon
