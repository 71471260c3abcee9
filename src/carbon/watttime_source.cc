// Response shapes (WattTime API v3, docs in docs/carbon.md):
//   /login:             {"token": "<JWT>"}
//   /v3/forecast:       {"data": [{"point_time": "2024-05-01T12:00:00+00:00", "value": 812.3},
//   ...],
//                        "meta": {"region": "CAISO_NORTH", "signal_type": "co2_moer",
//                                 "units": "lbs_co2_per_mwh", "data_point_period_seconds": 300,
//                                 "generated_at": "...", ...}}
//   /v3/signal-index:   the same envelope with "units": "percentile" and values 0..100.
#include "greenroute/carbon/watttime_source.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "carbon/api_parsing.h"
#include "carbon/http_client.h"
#include "greenroute/core/log.h"

namespace greenroute::carbon {
namespace {

constexpr std::int64_t kDefaultPeriodS = 300;  // WattTime's usual 5-minute points

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Checks the meta block against what was asked and returns the period of
// one data point.
core::Result<std::int64_t> check_meta(const nlohmann::json& body, std::string_view region,
                                      std::string_view expected_units) {
  GR_RETURN_IF_ERROR(detail::expect_object(body, ""));
  GR_ASSIGN_OR_RETURN(const nlohmann::json* meta, detail::object_member(body, "meta", ""));
  GR_ASSIGN_OR_RETURN(const std::string units, detail::string_member(*meta, "units", "meta"));
  if (units != expected_units) {
    return core::corrupt("meta.units is '" + units + "', expected '" + std::string(expected_units) +
                         "'");
  }
  if (meta->contains("region")) {
    GR_ASSIGN_OR_RETURN(const std::string answered, detail::string_member(*meta, "region", "meta"));
    if (!iequals(answered, region)) {
      return core::not_found("asked for region '" + std::string(region) +
                             "' but the API answered for '" + answered + "'");
    }
  }
  if (meta->contains("signal_type")) {
    GR_ASSIGN_OR_RETURN(const std::string signal,
                        detail::string_member(*meta, "signal_type", "meta"));
    if (signal != "co2_moer")
      return core::corrupt("meta.signal_type is '" + signal + "', expected co2_moer");
  }
  std::int64_t period_s = kDefaultPeriodS;
  if (meta->contains("data_point_period_seconds")) {
    GR_ASSIGN_OR_RETURN(const double p,
                        detail::number_member(*meta, "data_point_period_seconds", "meta"));
    if (p >= 1.0 && p <= 86400.0) period_s = static_cast<std::int64_t>(p);
  }
  return period_s;
}

core::Result<std::vector<detail::SeriesPoint>> parse_data(const nlohmann::json& body) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* data, detail::array_member(body, "data", ""));
  std::vector<detail::SeriesPoint> points;
  for (std::size_t i = 0; i < data->size(); ++i) {
    const std::string where = detail::element_name("data", i);
    const nlohmann::json& item = (*data)[i];
    GR_RETURN_IF_ERROR(detail::expect_object(item, where));
    detail::SeriesPoint p;
    GR_ASSIGN_OR_RETURN(p.at_unix_s, detail::time_member(item, "point_time", where));
    GR_ASSIGN_OR_RETURN(const double value, detail::number_member(item, "value", where));
    GR_RETURN_IF_ERROR(detail::check_intensity_value(value, where + ".value"));
    p.value = value;
    points.push_back(p);
  }
  if (points.empty()) return core::not_found("the API returned no data points");
  return points;
}

}  // namespace

WattTimeSource::WattTimeSource(WattTimeOptions options, std::unique_ptr<detail::HttpClient> client)
    : options_(std::move(options)), client_(std::move(client)) {}

WattTimeSource::~WattTimeSource() = default;

core::Result<std::unique_ptr<WattTimeSource>> WattTimeSource::create(WattTimeOptions options) {
  if (options.username.empty() || options.password.empty()) {
    return core::invalid_argument("watttime: a username and a password are required");
  }
  if (options.token_lifetime_s <= 0 || options.token_lifetime_s > 24 * 3600)
    return core::invalid_argument("watttime: token_lifetime_s must be in [1, 86400]");
  GR_ASSIGN_OR_RETURN(std::unique_ptr<detail::HttpClient> client,
                      detail::make_http_client("watttime", options.http, kDefaultBaseUrl));
  return std::unique_ptr<WattTimeSource>(new WattTimeSource(std::move(options), std::move(client)));
}

const core::Clock& WattTimeSource::unix_clock() const {
  return options_.http.unix_clock ? *options_.http.unix_clock : system_clock_;
}

int WattTimeSource::login_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return logins_;
}

core::Result<std::string> WattTimeSource::token(std::string_view zone,
                                                const std::string& rejected) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::int64_t now = detail::unix_now_s(unix_clock());
  // Another thread may already have replaced a rejected token.
  if (!token_.empty() && token_ != rejected && now < token_expires_unix_s_) return token_;
  return login(zone);
}

core::Result<std::string> WattTimeSource::login(std::string_view zone) {
  detail::HttpRequest req;
  req.path = "/login";
  req.basic_user = options_.username;
  req.basic_password = options_.password;
  req.zone = std::string(zone);
  GR_ASSIGN_OR_RETURN(const nlohmann::json body, client_->get_json(req));
  core::Result<std::string> tok = detail::string_member(body, "token", "");
  if (!tok.is_ok()) return client_->error(req, tok.status().code(), tok.status().message());
  if (tok->empty())
    return client_->error(req, core::StatusCode::kCorrupt, "the login answered an empty token");
  ++logins_;
  token_ = std::move(tok).value();
  token_expires_unix_s_ = detail::unix_now_s(unix_clock()) + options_.token_lifetime_s;
  return token_;
}

core::Result<detail::HttpResponse> WattTimeSource::authorized_get(detail::HttpRequest* request) {
  GR_ASSIGN_OR_RETURN(std::string tok, token(request->zone, std::string()));
  request->headers = {{"Authorization", "Bearer " + tok}};
  GR_ASSIGN_OR_RETURN(detail::HttpResponse response, client_->get(*request));
  if (response.status == 401) {
    // Expired or revoked early: log in again once. A second 401 with a
    // fresh token is a real refusal (e.g. no access to the region).
    spdlog::debug("watttime: token rejected on {}, logging in again", request->path);
    GR_ASSIGN_OR_RETURN(tok, token(request->zone, tok));
    request->headers = {{"Authorization", "Bearer " + tok}};
    GR_ASSIGN_OR_RETURN(response, client_->get(*request));
  }
  if (response.status < 200 || response.status > 299)
    return client_->status_error(*request, response);
  return response;
}

core::Result<Intensity> WattTimeSource::intensity(std::string_view zone, std::int64_t at_unix_s) {
  if (zone.empty()) return core::invalid_argument("watttime: the region is empty");
  GR_RETURN_IF_ERROR(detail::check_time_range("watttime", at_unix_s));
  detail::HttpRequest req;
  req.path = "/v3/forecast";
  req.query = {{"region", std::string(zone)}, {"signal_type", "co2_moer"}};
  req.zone = std::string(zone);
  GR_ASSIGN_OR_RETURN(const detail::HttpResponse response, authorized_get(&req));
  GR_ASSIGN_OR_RETURN(const nlohmann::json body, client_->parse_body(req, response));
  const auto fail = [&](const core::Status& s) {
    return client_->error(req, s.code(), s.message());
  };

  const core::Result<std::int64_t> period_s = check_meta(body, zone, "lbs_co2_per_mwh");
  if (!period_s.is_ok()) return fail(period_s.status());
  core::Result<std::vector<detail::SeriesPoint>> points = parse_data(body);
  if (!points.is_ok()) return fail(points.status());
  const std::optional<std::size_t> i = detail::pick_point(&*points, at_unix_s, *period_s);
  if (!i) {
    const std::int64_t first = points->front().at_unix_s;
    const std::int64_t end = points->back().at_unix_s + *period_s;
    return fail(core::not_found(
        "time " + detail::format_utc(at_unix_s) + " is outside the forecast [" +
        detail::format_utc(first) + ", " + detail::format_utc(end) + ")" +
        (at_unix_s < first ? "; past values need /v3/historical, which this source does not use"
                           : "")));
  }
  const detail::SeriesPoint& p = (*points)[*i];
  Intensity out;
  out.g_co2_per_kwh = *p.value * kGramsPerKwhPerLbPerMwh;
  out.zone = std::string(zone);
  out.at_unix_s = p.at_unix_s;
  out.source = "watttime";
  out.kind = SignalKind::kMarginal;
  out.basis = Lifecycle::kDirect;
  // The first point is WattTime's real-time value; the rest are forecasts.
  out.forecast = *i > 0;
  out.fetched_at_unix_s = detail::unix_now_s(unix_clock());
  return out;
}

core::Result<MoerIndex> WattTimeSource::signal_index(std::string_view region) {
  if (region.empty()) return core::invalid_argument("watttime: the region is empty");
  detail::HttpRequest req;
  req.path = "/v3/signal-index";
  req.query = {{"region", std::string(region)}, {"signal_type", "co2_moer"}};
  req.zone = std::string(region);
  GR_ASSIGN_OR_RETURN(const detail::HttpResponse response, authorized_get(&req));
  GR_ASSIGN_OR_RETURN(const nlohmann::json body, client_->parse_body(req, response));
  const auto fail = [&](const core::Status& s) {
    return client_->error(req, s.code(), s.message());
  };

  if (core::Result<std::int64_t> p = check_meta(body, region, "percentile"); !p.is_ok()) {
    return fail(p.status());
  }
  core::Result<std::vector<detail::SeriesPoint>> points = parse_data(body);
  if (!points.is_ok()) return fail(points.status());
  // The most recent point is the current index.
  const auto latest =
      std::max_element(points->begin(), points->end(),
                       [](const detail::SeriesPoint& a, const detail::SeriesPoint& b) {
                         return a.at_unix_s < b.at_unix_s;
                       });
  if (*latest->value > 100.0) {
    return fail(core::corrupt("index value " + std::to_string(*latest->value) + " is above 100"));
  }
  MoerIndex out;
  out.region = std::string(region);
  out.percentile = *latest->value;
  out.at_unix_s = latest->at_unix_s;
  out.fetched_at_unix_s = detail::unix_now_s(unix_clock());
  return out;
}

}  // namespace greenroute::carbon
