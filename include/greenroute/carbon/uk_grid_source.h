// UkGridSource: live carbon intensity of Great Britain's grid from the
// National Grid ESO Carbon Intensity API (https://api.carbonintensity.org.uk,
// no key), in half-hour periods.
//
// Zones: "GB" is the national figure; "GB-<n>" (n = 1..17) one of the API's
// regions (1 North Scotland ... 13 London ... 17 Wales). Zone names match
// case-insensitively.
//
// Endpoints, by the requested time t against the wall clock's now:
//   national, t in the current half hour   GET /intensity
//   national, any other t                  GET /intensity/{from}/fw24h
//   regional, t in the current half hour   GET /regional/regionid/{n}
//   regional, any other t                  GET /regional/intensity/{from}/fw24h/regionid/{n}
// {from} is the half hour before t's ("2024-05-01T11:30Z"), so the period
// holding t is inside the 24 h answer whichever way the API rounds `from`.
// Past times work as far back as the API keeps data; the future reaches
// about 24 h.
//
// Each period is {"from", "to", "intensity": {"forecast", "actual", "index"}}.
// The national `actual` is used when present; when it is null (the period
// has not closed yet, or it is in the future) the `forecast` is used and
// Intensity::forecast is set. Regional periods carry only a forecast. The
// API's figures count generation emissions only: basis kDirect, kind
// kAverage.
//
// Thread-safe: immutable after create().
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/carbon/http_source_options.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

namespace detail {
class HttpClient;
}  // namespace detail

struct UkGridOptions {
  HttpSourceOptions http;
};

class UkGridSource final : public CarbonSource {
 public:
  static constexpr std::string_view kDefaultBaseUrl = "https://api.carbonintensity.org.uk";
  static constexpr int kMaxRegionId = 17;
  static constexpr std::int64_t kPeriodS = 1800;

  static core::Result<std::unique_ptr<UkGridSource>> create(UkGridOptions options);
  ~UkGridSource() override;

  std::string_view name() const override { return "uk-grid"; }
  // kNotFound for a zone other than GB / GB-1..GB-17, or a time the API's
  // answer does not cover.
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

 private:
  UkGridSource(UkGridOptions options, std::unique_ptr<detail::HttpClient> client);

  UkGridOptions options_;
  std::unique_ptr<detail::HttpClient> client_;
  UnixSystemClock system_clock_;  // used when options_.http.unix_clock is null
};

}  // namespace greenroute::carbon
