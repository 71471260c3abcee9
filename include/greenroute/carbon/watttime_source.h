// WattTimeSource: live marginal emissions (MOER, signal_type co2_moer) from
// the WattTime API v3 (https://api.watttime.org). A zone is a WattTime
// region code ("CAISO_NORTH").
//
// Two signals, kept apart because their units differ:
//  * intensity() answers in gCO2/kWh from GET /v3/forecast (values in
//    lbs CO2/MWh; 1 lb/MWh = 0.45359237 g/kWh). WattTime documents the
//    forecast's first point as the real-time value for the current period,
//    so a time in that first period is the "now" answer (forecast = false);
//    later points are marked forecast = true. Times before the first point
//    would need /v3/historical and are kNotFound. kind is kMarginal, basis
//    kDirect (operating emissions only). /v3/forecast needs a paid plan,
//    except for the CAISO_NORTH preview region.
//  * signal_index() returns GET /v3/signal-index: a 0-100 percentile of the
//    current MOER against the coming day (0 cleanest), available on the free
//    plan. It is not an intensity and never goes through intensity().
//
// Authentication: GET /login with HTTP Basic auth answers {"token": "..."},
// a bearer token WattTime documents as valid for 30 minutes. The source logs
// in on first use, renews the token before token_lifetime_s runs out, and on
// a 401 logs in again once and repeats the request once. Username, password
// and token never appear in a message or log line.
//
// Thread-safe: the token is guarded by a mutex; a login is serialized so
// concurrent callers share one token.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/carbon/http_source_options.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

namespace detail {
class HttpClient;
struct HttpRequest;
struct HttpResponse;
}  // namespace detail

struct WattTimeOptions {
  std::string username;  // required
  std::string password;  // required
  HttpSourceOptions http;
  // WattTime's tokens last 30 minutes; renew a minute early so a request in
  // flight does not carry a token that expires on the way. 1 s .. 1 day.
  std::int64_t token_lifetime_s = 29 * 60;
};

// The free-plan signal: where the current MOER ranks, 0 (cleanest) to 100.
struct MoerIndex {
  std::string region;
  double percentile = 0.0;
  std::int64_t at_unix_s = 0;  // the point_time it describes
  std::int64_t fetched_at_unix_s = 0;
};

class WattTimeSource final : public CarbonSource {
 public:
  static constexpr std::string_view kDefaultBaseUrl = "https://api.watttime.org";
  static constexpr double kGramsPerKwhPerLbPerMwh = 0.45359237;

  // kInvalidArgument for missing credentials, a bad base URL or timeouts.
  static core::Result<std::unique_ptr<WattTimeSource>> create(WattTimeOptions options);
  ~WattTimeSource() override;

  std::string_view name() const override { return "watttime"; }
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;
  core::Result<MoerIndex> signal_index(std::string_view region);

  // Logins performed so far (for tests and diagnostics).
  int login_count() const;

 private:
  WattTimeSource(WattTimeOptions options, std::unique_ptr<detail::HttpClient> client);

  const core::Clock& unix_clock() const;
  // A valid token: the cached one unless it has expired or is `rejected`
  // (a token the API just answered 401 to), else a fresh login.
  core::Result<std::string> token(std::string_view zone, const std::string& rejected);
  core::Result<std::string> login(std::string_view zone);  // requires mu_ held
  // GET with the bearer token; one re-login and retry on 401. Returns only
  // a 2xx answer; any other status is an error.
  core::Result<detail::HttpResponse> authorized_get(detail::HttpRequest* request);

  WattTimeOptions options_;
  std::unique_ptr<detail::HttpClient> client_;
  UnixSystemClock system_clock_;  // used when options_.http.unix_clock is null

  mutable std::mutex mu_;
  std::string token_;                      // guarded by mu_
  std::int64_t token_expires_unix_s_ = 0;  // guarded by mu_
  int logins_ = 0;                         // guarded by mu_
};

}  // namespace greenroute::carbon
