// Readers for the JSON the carbon APIs return, and the time-series lookup
// the live sources share. Each reader checks presence and type before it
// touches a value, so a missing or ill-typed field is a kCorrupt Status
// ("field 'history[2].carbonIntensity' is a string, expected a number")
// rather than a nlohmann::json exception. Callers prefix the message with the
// source, path and zone (HttpClient::error).
//
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::carbon::detail {

// `where` names the enclosing object in messages ("" for the top level,
// "history[3]" for an element).
core::Result<double> number_member(const nlohmann::json& obj, std::string_view key,
                                   std::string_view where);
// A number, or nullopt when the member is JSON null (a gap the API admits).
core::Result<std::optional<double>> nullable_number_member(const nlohmann::json& obj,
                                                           std::string_view key,
                                                           std::string_view where);
core::Result<std::string> string_member(const nlohmann::json& obj, std::string_view key,
                                        std::string_view where);
// An ISO-8601 UTC time string ("2024-05-01T12:00:00.000Z", "2024-05-01T12:00Z",
// "2024-05-01T12:00:00+00:00") as unix seconds.
core::Result<std::int64_t> time_member(const nlohmann::json& obj, std::string_view key,
                                       std::string_view where);
// Absent or null: `fallback`; present: must be a boolean.
core::Result<bool> bool_member_or(const nlohmann::json& obj, std::string_view key, bool fallback,
                                  std::string_view where);
core::Result<const nlohmann::json*> array_member(const nlohmann::json& obj, std::string_view key,
                                                 std::string_view where);
core::Result<const nlohmann::json*> object_member(const nlohmann::json& obj, std::string_view key,
                                                  std::string_view where);
// kCorrupt unless `j` is an object.
core::Status expect_object(const nlohmann::json& j, std::string_view where);

// "history[3]"
std::string element_name(std::string_view array, std::size_t index);

// An intensity value must be a finite number >= 0 (g/kWh, or any unit
// before conversion).
core::Status check_intensity_value(double value, std::string_view field);

struct SeriesPoint {
  std::int64_t at_unix_s = 0;
  std::optional<double> value;  // nullopt: the API has no value for this step
  bool estimated = false;
};

// The point that describes time t in a series of steps of `step_s` seconds:
// the last point at or before t, provided t falls before the next point or,
// for the last point, before its end. Sorts `points` by time first (APIs
// send them sorted, but nothing here depends on it). nullopt if t lies
// outside the series.
std::optional<std::size_t> pick_point(std::vector<SeriesPoint>* points, std::int64_t t,
                                      std::int64_t step_s);

// "2024-05-01T12:00:00Z"
std::string format_utc(std::int64_t unix_s);
// "2024-05-01T12:00Z": the form the UK Carbon Intensity API takes in paths.
std::string format_utc_minute(std::int64_t unix_s);

// kInvalidArgument unless `unix_s` lies in years 1900..2999: a guard that
// keeps time arithmetic far from overflow. `source` prefixes the message.
core::Status check_time_range(std::string_view source, std::int64_t unix_s);

// Floor division for time buckets (correct for negative times too).
std::int64_t floor_div(std::int64_t a, std::int64_t b);

}  // namespace greenroute::carbon::detail
