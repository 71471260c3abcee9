// Response shapes (Carbon Intensity API, docs in docs/carbon.md):
//   /intensity, /intensity/{from}/fw24h:
//     {"data": [{"from": "2024-05-01T12:00Z", "to": "2024-05-01T12:30Z",
//                "intensity": {"forecast": 266, "actual": 263, "index": "moderate"}}, ...]}
//   /regional/regionid/{n}:
//     {"data": [{"regionid": 13, "shortname": "London",
//                "data": [{"from", "to", "intensity": {"forecast", "index"}, "generationmix":
//                [...]}]}]}
//   /regional/intensity/{from}/fw24h/regionid/{n}: the same region object,
//     which the API sends bare under "data" rather than in a one-element array;
//     both forms are accepted.
#include "greenroute/carbon/uk_grid_source.h"

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "carbon/api_parsing.h"
#include "carbon/http_client.h"

namespace greenroute::carbon {
namespace {

struct UkZone {
  int region_id = 0;  // 0: national
  std::string name;   // canonical: "GB" or "GB-13"
};

core::Result<UkZone> parse_zone(std::string_view zone) {
  std::string upper(zone);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "GB") return UkZone{0, "GB"};
  if (upper.size() >= 4 && upper.size() <= 5 && upper.compare(0, 3, "GB-") == 0) {
    int id = 0;
    bool digits = true;
    for (std::size_t i = 3; i < upper.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(upper[i])))
        digits = false;
      else
        id = id * 10 + (upper[i] - '0');
    }
    if (digits && id >= 1 && id <= UkGridSource::kMaxRegionId)
      return UkZone{id, "GB-" + std::to_string(id)};
  }
  return core::not_found("uk-grid covers zone GB (national) and GB-1..GB-17 (regions), not '" +
                         std::string(zone) + "'");
}

struct Period {
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::optional<double> forecast;
  std::optional<double> actual;
};

core::Result<Period> parse_period(const nlohmann::json& j, const std::string& where) {
  GR_RETURN_IF_ERROR(detail::expect_object(j, where));
  Period p;
  GR_ASSIGN_OR_RETURN(p.from, detail::time_member(j, "from", where));
  GR_ASSIGN_OR_RETURN(p.to, detail::time_member(j, "to", where));
  if (p.to <= p.from) return core::corrupt("'" + where + "' ends before it starts");
  const std::string iw = where + ".intensity";
  GR_ASSIGN_OR_RETURN(const nlohmann::json* in, detail::object_member(j, "intensity", where));
  GR_ASSIGN_OR_RETURN(p.forecast, detail::nullable_number_member(*in, "forecast", iw));
  if (in->contains("actual")) {  // regional periods have no `actual` at all
    GR_ASSIGN_OR_RETURN(p.actual, detail::nullable_number_member(*in, "actual", iw));
  }
  if (p.forecast) GR_RETURN_IF_ERROR(detail::check_intensity_value(*p.forecast, iw + ".forecast"));
  if (p.actual) GR_RETURN_IF_ERROR(detail::check_intensity_value(*p.actual, iw + ".actual"));
  return p;
}

// The array of periods: top-level "data" (national) or the region object's
// "data" (regional).
core::Result<const nlohmann::json*> periods_of(const nlohmann::json& body, const UkZone& zone) {
  GR_RETURN_IF_ERROR(detail::expect_object(body, ""));
  if (zone.region_id == 0) return detail::array_member(body, "data", "");
  const auto it = body.find("data");
  if (it == body.end()) return core::corrupt("field 'data' is missing");
  const nlohmann::json* region = &*it;
  std::string where = "data";
  if (region->is_array()) {
    if (region->empty()) return core::not_found("the API returned no region");
    region = &(*region)[0];
    where = "data[0]";
  }
  GR_RETURN_IF_ERROR(detail::expect_object(*region, where));
  if (region->contains("regionid")) {
    GR_ASSIGN_OR_RETURN(const double id, detail::number_member(*region, "regionid", where));
    // Compared as doubles: casting an arbitrary JSON number to int could overflow.
    if (id != static_cast<double>(zone.region_id)) {
      char shown[32];
      std::snprintf(shown, sizeof shown, "%g", id);
      return core::not_found("asked for region " + std::to_string(zone.region_id) +
                             " but the API answered for region " + shown);
    }
  }
  return detail::array_member(*region, "data", where);
}

}  // namespace

UkGridSource::UkGridSource(UkGridOptions options, std::unique_ptr<detail::HttpClient> client)
    : options_(std::move(options)), client_(std::move(client)) {}

UkGridSource::~UkGridSource() = default;

core::Result<std::unique_ptr<UkGridSource>> UkGridSource::create(UkGridOptions options) {
  GR_ASSIGN_OR_RETURN(std::unique_ptr<detail::HttpClient> client,
                      detail::make_http_client("uk-grid", options.http, kDefaultBaseUrl));
  return std::unique_ptr<UkGridSource>(new UkGridSource(std::move(options), std::move(client)));
}

core::Result<Intensity> UkGridSource::intensity(std::string_view zone, std::int64_t at_unix_s) {
  GR_ASSIGN_OR_RETURN(const UkZone z, parse_zone(zone));
  GR_RETURN_IF_ERROR(detail::check_time_range("uk-grid", at_unix_s));
  const core::Clock& clock = options_.http.unix_clock ? *options_.http.unix_clock : system_clock_;
  const std::int64_t now = detail::unix_now_s(clock);
  const bool current = detail::floor_div(at_unix_s, kPeriodS) == detail::floor_div(now, kPeriodS);
  const std::string from =
      detail::format_utc_minute(detail::floor_div(at_unix_s, kPeriodS) * kPeriodS - kPeriodS);
  const std::string id = std::to_string(z.region_id);

  detail::HttpRequest req;
  if (z.region_id == 0) {
    req.path = current ? "/intensity" : "/intensity/" + from + "/fw24h";
  } else {
    req.path = current ? "/regional/regionid/" + id
                       : "/regional/intensity/" + from + "/fw24h/regionid/" + id;
  }
  req.zone = z.name;
  GR_ASSIGN_OR_RETURN(const nlohmann::json body, client_->get_json(req));
  const auto fail = [&](const core::Status& s) {
    return client_->error(req, s.code(), s.message());
  };

  core::Result<const nlohmann::json*> arr = periods_of(body, z);
  if (!arr.is_ok()) return fail(arr.status());
  std::vector<Period> periods;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    core::Result<Period> p = parse_period((**arr)[i], detail::element_name("data", i));
    if (!p.is_ok()) return fail(p.status());
    periods.push_back(*p);
  }
  const Period* chosen = nullptr;
  for (const Period& p : periods) {
    if (p.from <= at_unix_s && at_unix_s < p.to) chosen = &p;
  }
  // The "current" endpoints answer the API's own current period; a few
  // seconds of clock skew must not turn that into an error.
  if (chosen == nullptr && current && periods.size() == 1) chosen = &periods.front();
  if (chosen == nullptr) {
    return fail(core::not_found("no half-hour period holds " + detail::format_utc(at_unix_s) +
                                " (the answer has " + std::to_string(periods.size()) +
                                " periods)"));
  }
  if (!chosen->actual && !chosen->forecast) {
    return fail(core::not_found("period " + detail::format_utc(chosen->from) +
                                " has neither an actual nor a forecast value"));
  }

  Intensity out;
  out.g_co2_per_kwh = chosen->actual ? *chosen->actual : *chosen->forecast;
  out.forecast = !chosen->actual;
  out.zone = z.name;
  out.at_unix_s = chosen->from;
  out.source = "uk-grid";
  out.kind = SignalKind::kAverage;
  out.basis = Lifecycle::kDirect;
  out.fetched_at_unix_s = now;
  return out;
}

}  // namespace greenroute::carbon
