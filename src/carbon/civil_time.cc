#include "carbon/civil_time.h"

#include <cctype>

namespace greenroute::carbon::detail {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Reads exactly `n` digits at s[*pos]; advances *pos.
bool read_digits(std::string_view s, std::size_t* pos, int n, int* out) {
  if (*pos + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[*pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<std::size_t>(n);
  *out = v;
  return true;
}

bool expect(std::string_view s, std::size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

std::optional<std::int64_t> parse_unix(std::string_view s) {
  std::size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) i = 1;
  if (i == s.size() || s.size() - i > 15) return std::nullopt;  // 15 digits: far past any date
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return negative ? -v : v;
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;  // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::int64_t to_unix(const CivilTime& t) {
  return days_from_civil(t.year, t.month, t.day) * kSecondsPerDay + t.hour * 3600 +
         t.minute * 60 + t.second;
}

CivilTime from_unix(std::int64_t unix_s) {
  const std::int64_t days = floor_div(unix_s, kSecondsPerDay);
  const std::int64_t secs = unix_s - days * kSecondsPerDay;
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  CivilTime t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs % 3600 / 60);
  t.second = static_cast<int>(secs % 60);
  return t;
}

std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  if (s.size() < 11 || s[4] != '-') return parse_unix(s);
  CivilTime t;
  std::size_t p = 0;
  if (!read_digits(s, &p, 4, &t.year) || !expect(s, &p, '-') ||
      !read_digits(s, &p, 2, &t.month) || !expect(s, &p, '-') ||
      !read_digits(s, &p, 2, &t.day)) {
    return std::nullopt;
  }
  if (p >= s.size() || (s[p] != 'T' && s[p] != ' ')) return std::nullopt;
  ++p;
  if (!read_digits(s, &p, 2, &t.hour) || !expect(s, &p, ':') ||
      !read_digits(s, &p, 2, &t.minute)) {
    return std::nullopt;
  }
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!read_digits(s, &p, 2, &t.second)) return std::nullopt;
    if (p < s.size() && s[p] == '.') {
      ++p;
      const std::size_t start = p;
      while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
      if (p == start) return std::nullopt;
    }
  }
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month) ||
      t.hour > 23 || t.minute > 59 || t.second > 59) {
    return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    ++p;
    int oh = 0;
    int om = 0;
    if (!read_digits(s, &p, 2, &oh)) return std::nullopt;
    if (p < s.size() && s[p] == ':') ++p;
    if (!read_digits(s, &p, 2, &om) || oh > 23 || om > 59) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (p != s.size()) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  return to_unix(t) - offset_s;
}

std::int64_t shift_into_year(std::int64_t unix_s, int year) {
  CivilTime t = from_unix(unix_s);
  t.year = year;
  if (t.month == 2 && t.day == 29 && !is_leap_year(year)) t.day = 28;
  return to_unix(t);
}

}  // namespace greenroute::carbon::detail
