#include "greenroute/carbon/time_text.h"

#include <fmt/format.h>

#include "civil_time.h"

namespace greenroute::carbon {

std::optional<std::int64_t> parse_utc_time(std::string_view text) {
  constexpr std::size_t kDateLength = 10;  // YYYY-MM-DD
  if (text.size() == kDateLength && text[4] == '-' && text[7] == '-') {
    return detail::parse_timestamp(std::string(text) + "T00:00:00Z");
  }
  return detail::parse_timestamp(text);
}

std::string format_utc_time(std::int64_t unix_s) {
  const detail::CivilTime t = detail::from_unix(unix_s);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", t.year, t.month, t.day, t.hour,
                     t.minute, t.second);
}

}  // namespace greenroute::carbon
