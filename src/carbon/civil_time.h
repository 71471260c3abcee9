// UTC calendar arithmetic for the trace readers: no locale, no time zone
// database, no libc time functions (timegm is not portable and mktime uses the
// process's TZ). Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace greenroute::carbon::detail {

struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(int year, int month, int day);
bool is_leap_year(int year);
std::int64_t to_unix(const CivilTime& t);
CivilTime from_unix(std::int64_t unix_s);

// Accepts unix seconds ("1640995200", optional leading '-') or ISO-8601 in
// UTC: "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]" followed by nothing, "Z", or an
// offset "+HH:MM"/"-HH:MM"/"+HHMM" which is applied. Fractions of a second
// are truncated. Returns nullopt for anything else, including impossible
// dates (2021-02-29) and times (24:00).
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// Maps `unix_s` into calendar year `year` keeping month, day and time of day,
// so seasonality and the daily cycle line up. Feb 29 maps to Feb 28 when
// `year` is not a leap year.
std::int64_t shift_into_year(std::int64_t unix_s, int year);

}  // namespace greenroute::carbon::detail
