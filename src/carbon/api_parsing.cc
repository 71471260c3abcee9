#include "carbon/api_parsing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "carbon/civil_time.h"

namespace greenroute::carbon::detail {
namespace {

std::string field_name(std::string_view where, std::string_view key) {
  std::string out(where);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string_view type_name(const nlohmann::json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "of an unknown type";
}

// The member, or kCorrupt naming the missing field (or the enclosing value,
// if it is not an object at all).
core::Result<const nlohmann::json*> find_member(const nlohmann::json& obj, std::string_view key,
                                                std::string_view where) {
  if (!obj.is_object()) {
    return core::corrupt("'" + (where.empty() ? std::string("response") : std::string(where)) +
                         "' is " + std::string(type_name(obj)) + ", expected an object");
  }
  const auto it = obj.find(key);
  if (it == obj.end()) return core::corrupt("field '" + field_name(where, key) + "' is missing");
  return &*it;
}

core::Status wrong_type(std::string_view where, std::string_view key, const nlohmann::json& j,
                        std::string_view expected) {
  return core::corrupt("field '" + field_name(where, key) + "' is " + std::string(type_name(j)) +
                       ", expected " + std::string(expected));
}

}  // namespace

core::Status expect_object(const nlohmann::json& j, std::string_view where) {
  if (j.is_object()) return core::Status::ok();
  return core::corrupt("'" + (where.empty() ? std::string("response") : std::string(where)) +
                       "' is " + std::string(type_name(j)) + ", expected an object");
}

core::Result<double> number_member(const nlohmann::json& obj, std::string_view key,
                                   std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (!m->is_number()) return wrong_type(where, key, *m, "a number");
  return m->get<double>();
}

core::Result<std::optional<double>> nullable_number_member(const nlohmann::json& obj,
                                                           std::string_view key,
                                                           std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (m->is_null()) return std::optional<double>();
  if (!m->is_number()) return wrong_type(where, key, *m, "a number or null");
  return std::optional<double>(m->get<double>());
}

core::Result<std::string> string_member(const nlohmann::json& obj, std::string_view key,
                                        std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (!m->is_string()) return wrong_type(where, key, *m, "a string");
  return m->get<std::string>();
}

core::Result<std::int64_t> time_member(const nlohmann::json& obj, std::string_view key,
                                       std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (!m->is_string()) return wrong_type(where, key, *m, "a string");
  // A reference into the document rather than a moved-out copy: GCC 12 warns
  // (falsely) about the copy's small-string buffer at -O2.
  const std::string& text = m->get_ref<const std::string&>();
  // parse_timestamp also takes unix seconds; an API time must be ISO-8601.
  const std::optional<std::int64_t> t =
      text.size() < 11 || text[4] != '-' ? std::nullopt : parse_timestamp(text);
  if (!t) {
    return core::corrupt("field '" + field_name(where, key) + "' is not an ISO-8601 time: '" +
                         text.substr(0, 40) + "'");
  }
  return *t;
}

core::Result<bool> bool_member_or(const nlohmann::json& obj, std::string_view key, bool fallback,
                                  std::string_view where) {
  GR_RETURN_IF_ERROR(expect_object(obj, where));
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return wrong_type(where, key, *it, "a boolean");
  return it->get<bool>();
}

core::Result<const nlohmann::json*> array_member(const nlohmann::json& obj, std::string_view key,
                                                 std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (!m->is_array()) return wrong_type(where, key, *m, "an array");
  return m;
}

core::Result<const nlohmann::json*> object_member(const nlohmann::json& obj, std::string_view key,
                                                  std::string_view where) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* m, find_member(obj, key, where));
  if (!m->is_object()) return wrong_type(where, key, *m, "an object");
  return m;
}

std::string element_name(std::string_view array, std::size_t index) {
  return std::string(array) + "[" + std::to_string(index) + "]";
}

core::Status check_intensity_value(double value, std::string_view field) {
  if (std::isfinite(value) && value >= 0.0) return core::Status::ok();
  return core::corrupt("field '" + std::string(field) + "' is " + std::to_string(value) +
                       ", expected a value >= 0");
}

std::optional<std::size_t> pick_point(std::vector<SeriesPoint>* points, std::int64_t t,
                                      std::int64_t step_s) {
  std::vector<SeriesPoint>& pts = *points;
  std::stable_sort(pts.begin(), pts.end(), [](const SeriesPoint& a, const SeriesPoint& b) {
    return a.at_unix_s < b.at_unix_s;
  });
  const auto after =
      std::upper_bound(pts.begin(), pts.end(), t,
                       [](std::int64_t v, const SeriesPoint& p) { return v < p.at_unix_s; });
  if (after == pts.begin()) return std::nullopt;  // t precedes the first point
  const auto i = static_cast<std::size_t>(std::distance(pts.begin(), after)) - 1;
  if (i + 1 == pts.size() && t >= pts[i].at_unix_s + std::max<std::int64_t>(step_s, 1)) {
    return std::nullopt;  // past the end of the last step
  }
  return i;
}

std::string format_utc(std::int64_t unix_s) {
  const CivilTime t = from_unix(unix_s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

std::string format_utc_minute(std::int64_t unix_s) {
  const CivilTime t = from_unix(unix_s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02dZ", t.year, t.month, t.day, t.hour,
                t.minute);
  return buf;
}

core::Status check_time_range(std::string_view source, std::int64_t unix_s) {
  constexpr std::int64_t kYear1900 = -2208988800;
  constexpr std::int64_t kYear3000 = 32503680000;
  if (unix_s >= kYear1900 && unix_s < kYear3000) return core::Status::ok();
  return core::invalid_argument(std::string(source) + ": time " + std::to_string(unix_s) +
                                " (unix seconds) is outside years 1900..2999");
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace greenroute::carbon::detail
