// ElectricityMapsSource: live average carbon intensity from the Electricity
// Maps API v3 (https://api.electricitymap.org), one zone per request.
//
// The endpoint follows the requested time t, against the wall clock's now:
//   |t - now| <= now_window_s     GET /v3/carbon-intensity/latest?zone=Z
//   now - 24 h <= t < now - win   GET /v3/carbon-intensity/history?zone=Z
//                                 (the free tier's last 24 hours, hourly)
//   t > now + win                 GET /v3/carbon-intensity/forecast?zone=Z
//                                 (paid plans; Intensity::forecast = true)
// Older times are kNotFound without a request: use a CsvTraceSource with a
// Data Portal export for those. The API key travels only in the
// `auth-token` header; it never appears in a message or log line.
//
// The response's `zone` must match the requested one: the API falls back to
// the caller's IP location for a zone it cannot place, and a value for the
// wrong grid is worse than an error. `carbonIntensity` (gCO2eq/kWh),
// `datetime` (the hour the value describes), `isEstimated` and
// `emissionFactorType` ("lifecycle"/"direct") become the Intensity and its
// provenance; a null carbonIntensity (a gap) is kNotFound.
//
// Thread-safe: immutable after create(); see HttpClient for the network side.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/carbon/http_source_options.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

namespace detail {
class HttpClient;
}  // namespace detail

struct ElectricityMapsOptions {
  std::string api_key;  // required
  HttpSourceOptions http;
  // Requested with emissionFactorType=...; the API's default is lifecycle.
  Lifecycle basis = Lifecycle::kLifecycle;
  // How far from now a requested time still counts as "now" (latest);
  // 0..86400.
  std::int64_t now_window_s = 1800;
};

class ElectricityMapsSource final : public CarbonSource {
 public:
  static constexpr std::string_view kDefaultBaseUrl = "https://api.electricitymap.org";
  static constexpr std::int64_t kHistorySpanS = 24 * 3600;

  // kInvalidArgument for an empty key, a bad base URL or bad timeouts.
  static core::Result<std::unique_ptr<ElectricityMapsSource>> create(
      ElectricityMapsOptions options);
  ~ElectricityMapsSource() override;

  std::string_view name() const override { return "electricity-maps"; }
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

 private:
  ElectricityMapsSource(ElectricityMapsOptions options, std::unique_ptr<detail::HttpClient> client);

  ElectricityMapsOptions options_;
  std::unique_ptr<detail::HttpClient> client_;
  UnixSystemClock system_clock_;  // used when options_.http.unix_clock is null
};

}  // namespace greenroute::carbon
