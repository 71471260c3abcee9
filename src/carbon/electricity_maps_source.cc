// Response shapes (Electricity Maps API v3, docs in docs/carbon.md):
//   latest:   {"zone":"DE","carbonIntensity":302,"datetime":"2024-05-01T12:00:00.000Z",
//              "updatedAt":"...","emissionFactorType":"lifecycle","isEstimated":false,...}
//   history:  {"zone":"DE","history":[<entry as in latest>, ...]}   (hourly, last 24 h)
//   forecast: {"zone":"DE","forecast":[{"carbonIntensity":..,"datetime":".."}, ...],
//              "updatedAt":"..."}
#include "greenroute/carbon/electricity_maps_source.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "carbon/api_parsing.h"
#include "carbon/http_client.h"

namespace greenroute::carbon {
namespace {

enum class Endpoint { kLatest, kHistory, kForecast };

constexpr std::int64_t kStepS = 3600;  // the API's default (hourly) granularity

struct Entry {
  detail::SeriesPoint point;
  Lifecycle basis = Lifecycle::kLifecycle;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// One intensity record. emissionFactorType and isEstimated are optional
// (forecast entries carry neither); when absent the requested basis stands.
core::Result<Entry> parse_entry(const nlohmann::json& j, std::string_view where,
                                Lifecycle requested) {
  GR_RETURN_IF_ERROR(detail::expect_object(j, where));
  Entry e;
  GR_ASSIGN_OR_RETURN(e.point.at_unix_s, detail::time_member(j, "datetime", where));
  GR_ASSIGN_OR_RETURN(e.point.value, detail::nullable_number_member(j, "carbonIntensity", where));
  if (e.point.value) {
    GR_RETURN_IF_ERROR(detail::check_intensity_value(
        *e.point.value, (where.empty() ? "" : std::string(where) + ".") + "carbonIntensity"));
  }
  GR_ASSIGN_OR_RETURN(e.point.estimated, detail::bool_member_or(j, "isEstimated", false, where));
  e.basis = requested;
  if (const auto it = j.find("emissionFactorType"); it != j.end() && !it->is_null()) {
    GR_ASSIGN_OR_RETURN(const std::string type,
                        detail::string_member(j, "emissionFactorType", where));
    if (type == "lifecycle") {
      e.basis = Lifecycle::kLifecycle;
    } else if (type == "direct") {
      e.basis = Lifecycle::kDirect;
    } else {
      return core::corrupt("field 'emissionFactorType' is '" + type +
                           "', expected lifecycle or direct");
    }
  }
  return e;
}

// The API answers for the caller's IP location when it cannot place a zone;
// refuse an answer about another zone.
core::Status check_zone(const nlohmann::json& body, std::string_view zone) {
  if (!body.is_object() || !body.contains("zone")) return core::Status::ok();
  GR_ASSIGN_OR_RETURN(const std::string answered, detail::string_member(body, "zone", ""));
  if (iequals(answered, zone)) return core::Status::ok();
  return core::not_found("asked for zone '" + std::string(zone) + "' but the API answered for '" +
                         answered + "'");
}

}  // namespace

ElectricityMapsSource::ElectricityMapsSource(ElectricityMapsOptions options,
                                             std::unique_ptr<detail::HttpClient> client)
    : options_(std::move(options)), client_(std::move(client)) {}

ElectricityMapsSource::~ElectricityMapsSource() = default;

core::Result<std::unique_ptr<ElectricityMapsSource>> ElectricityMapsSource::create(
    ElectricityMapsOptions options) {
  if (options.api_key.empty()) {
    return core::invalid_argument(
        "electricity-maps: an API key is required (the auth-token header)");
  }
  if (options.now_window_s < 0 || options.now_window_s > kHistorySpanS) {
    return core::invalid_argument("electricity-maps: now_window_s must be in [0, 86400]");
  }
  GR_ASSIGN_OR_RETURN(std::unique_ptr<detail::HttpClient> client,
                      detail::make_http_client("electricity-maps", options.http, kDefaultBaseUrl));
  return std::unique_ptr<ElectricityMapsSource>(
      new ElectricityMapsSource(std::move(options), std::move(client)));
}

core::Result<Intensity> ElectricityMapsSource::intensity(std::string_view zone,
                                                         std::int64_t at_unix_s) {
  if (zone.empty()) return core::invalid_argument("electricity-maps: the zone is empty");
  GR_RETURN_IF_ERROR(detail::check_time_range("electricity-maps", at_unix_s));
  const core::Clock& clock = options_.http.unix_clock ? *options_.http.unix_clock : system_clock_;
  const std::int64_t now = detail::unix_now_s(clock);

  Endpoint endpoint = Endpoint::kLatest;
  if (at_unix_s < now - options_.now_window_s) {
    if (at_unix_s < now - kHistorySpanS) {
      return core::not_found("electricity-maps (zone " + std::string(zone) + "): time " +
                             detail::format_utc(at_unix_s) +
                             " is older than the 24 h the history endpoint covers; use a csv: "
                             "trace for older data");
    }
    endpoint = Endpoint::kHistory;
  } else if (at_unix_s > now + options_.now_window_s) {
    endpoint = Endpoint::kForecast;
  }

  detail::HttpRequest req;
  req.path = endpoint == Endpoint::kLatest    ? "/v3/carbon-intensity/latest"
             : endpoint == Endpoint::kHistory ? "/v3/carbon-intensity/history"
                                              : "/v3/carbon-intensity/forecast";
  req.query = {{"zone", std::string(zone)}};
  if (options_.basis == Lifecycle::kDirect) req.query.emplace_back("emissionFactorType", "direct");
  req.headers = {{"auth-token", options_.api_key}};
  req.zone = std::string(zone);

  GR_ASSIGN_OR_RETURN(const nlohmann::json body, client_->get_json(req));
  const auto fail = [&](const core::Status& s) {
    return client_->error(req, s.code(), s.message());
  };
  if (core::Status s = detail::expect_object(body, ""); !s.is_ok()) return fail(s);
  if (core::Status s = check_zone(body, zone); !s.is_ok()) return fail(s);

  Entry chosen;
  if (endpoint == Endpoint::kLatest) {
    core::Result<Entry> e = parse_entry(body, "", options_.basis);
    if (!e.is_ok()) return fail(e.status());
    chosen = std::move(e).value();
  } else {
    const char* key = endpoint == Endpoint::kHistory ? "history" : "forecast";
    core::Result<const nlohmann::json*> arr = detail::array_member(body, key, "");
    if (!arr.is_ok()) return fail(arr.status());
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < (*arr)->size(); ++i) {
      core::Result<Entry> e = parse_entry((**arr)[i], detail::element_name(key, i), options_.basis);
      if (!e.is_ok()) return fail(e.status());
      entries.push_back(std::move(e).value());
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.point.at_unix_s < b.point.at_unix_s;
    });
    std::vector<detail::SeriesPoint> points;
    for (const Entry& e : entries) points.push_back(e.point);
    const std::optional<std::size_t> i = detail::pick_point(&points, at_unix_s, kStepS);
    if (!i) {
      std::string range = "the series is empty";
      if (!points.empty()) {
        range = "the series covers [" + detail::format_utc(points.front().at_unix_s) + ", " +
                detail::format_utc(points.back().at_unix_s + kStepS) + ")";
      }
      return client_->error(
          req, core::StatusCode::kNotFound,
          "no " + std::string(key) + " point for " + detail::format_utc(at_unix_s) + ": " + range);
    }
    chosen = entries[*i];  // points kept the (already sorted) order of entries
  }

  if (!chosen.point.value) {
    return client_->error(req, core::StatusCode::kNotFound,
                          "the API has no carbonIntensity for " +
                              detail::format_utc(chosen.point.at_unix_s) + " (null)");
  }
  Intensity out;
  out.g_co2_per_kwh = *chosen.point.value;
  out.zone = std::string(zone);
  out.at_unix_s = chosen.point.at_unix_s;
  out.source = "electricity-maps";
  out.kind = SignalKind::kAverage;
  out.basis = chosen.basis;
  out.forecast = endpoint == Endpoint::kForecast;
  out.estimated = chosen.point.estimated;
  out.fetched_at_unix_s = now;
  return out;
}

}  // namespace greenroute::carbon
