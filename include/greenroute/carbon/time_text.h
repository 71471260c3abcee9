// UTC times as users type and read them: the command line and config files
// take unix seconds or ISO-8601, and every printed time is ISO-8601 UTC.
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace greenroute::carbon {

// Unix seconds ("1640995200") or ISO-8601 "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]"
// with nothing (UTC), "Z" or an offset after it; a bare date "YYYY-MM-DD" is
// its midnight UTC. nullopt for anything else, impossible dates included.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

// "2024-05-01T12:00:00Z".
std::string format_utc_time(std::int64_t unix_s);

}  // namespace greenroute::carbon
