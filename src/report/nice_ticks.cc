#include "greenroute/report/nice_ticks.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "greenroute/core/check.h"

namespace greenroute::report {
namespace {

constexpr double kMaxMagnitude = 1e300;
// Bounds the tick count, and keeps tick indices far inside the integers a
// double holds exactly.
constexpr int kMaxTargetCount = 1000;
// A span below this fraction of the values' magnitude would need more digits
// than a label can carry (and than a double holds): treat it as one value.
constexpr double kNarrowestRelativeSpan = 1e-9;
// Slack when rounding the ends out to multiples of the step, so 0.3 / 0.1 =
// 2.9999999999999996 still counts as 3 and adds no spare tick.
constexpr double kStepSlack = 1e-9;

// 10^e. Powers up to 10^22 are exact doubles, so a tick k * m / 10^-e is the
// double nearest its decimal value ("0.3", not 0.30000000000000004).
double pow10(int e) {
  if (e >= 0 && e <= 22) {
    double p = 1.0;
    for (int i = 0; i < e; ++i) p *= 10.0;
    return p;
  }
  if (e < 0 && e >= -22) return 1.0 / pow10(-e);
  return std::pow(10.0, e);
}

// floor(log10(v)) for v > 0, corrected where log10 rounds across a power.
int decimal_exponent(double v) {
  int e = static_cast<int>(std::floor(std::log10(v)));
  if (pow10(e + 1) <= v) ++e;
  if (pow10(e) > v) --e;
  return e;
}

// m * 10^e computed as exactly as a double allows.
double scaled(double m, int e) {
  return e >= 0 ? m * pow10(e) : m / pow10(-e);
}

std::string chars(double value, std::chars_format format, int precision) {
  char buf[512];  // "fixed" spells out all ~309 integer digits of the largest double
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, format, precision);
  GR_CHECK(ec == std::errc());
  return std::string(buf, end);
}

// "2.500" -> "2.5", "3.000" -> "3"; digits before the point stay.
void drop_trailing_zeros(std::string* s) {
  if (s->find('.') == std::string::npos) return;
  while (s->back() == '0') s->pop_back();
  if (s->back() == '.') s->pop_back();
}

std::string scientific_label(double value, int exponent) {
  const int digits = std::clamp(decimal_exponent(std::fabs(value)) - exponent, 0, 15);
  std::string s = chars(value, std::chars_format::scientific, digits);
  const std::size_t e_pos = s.find('e');
  std::string mantissa = s.substr(0, e_pos);
  drop_trailing_zeros(&mantissa);
  // "e-07" -> "e-7", "e+21" -> "e21".
  std::string power = s.substr(e_pos + 1);
  const bool negative = power[0] == '-';
  power.erase(0, 1);
  while (power.size() > 1 && power[0] == '0') power.erase(0, 1);
  return mantissa + (negative ? "e-" : "e") + power;
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int target_count) {
  GR_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi);
  GR_CHECK(std::fabs(lo) <= kMaxMagnitude && std::fabs(hi) <= kMaxMagnitude);
  GR_CHECK(target_count >= 1 && target_count <= kMaxTargetCount);
  const double magnitude = std::max(std::fabs(lo), std::fabs(hi));
  if (hi - lo <= magnitude * kNarrowestRelativeSpan) {
    const double mid = lo / 2 + hi / 2;
    if (mid == 0.0) {
      lo = 0.0, hi = 1.0;
    } else {
      lo = mid - std::fabs(mid) / 10, hi = mid + std::fabs(mid) / 10;
    }
  }

  // The smallest step m x 10^e, m in {1, 2, 5}, of at least span / target.
  const double raw_step = (hi - lo) / target_count;
  int e = decimal_exponent(raw_step);
  double m = 10.0;
  for (double candidate : {1.0, 2.0, 5.0}) {
    if (scaled(candidate, e) >= raw_step * (1 - kStepSlack)) {
      m = candidate;
      break;
    }
  }
  if (m == 10.0) m = 1.0, ++e;

  Ticks t;
  t.step = scaled(m, e);
  t.exponent = e;
  const double k_lo = std::floor(lo / t.step + kStepSlack);
  const double k_hi = std::ceil(hi / t.step - kStepSlack);
  const auto intervals = std::max<std::int64_t>(1, static_cast<std::int64_t>(k_hi - k_lo));
  for (std::int64_t i = 0; i <= intervals; ++i) {
    t.values.push_back(scaled((k_lo + static_cast<double>(i)) * m, e));
  }
  t.lo = t.values.front();
  t.hi = t.values.back();
  return t;
}

std::string format_tick(double value, int exponent) {
  if (!std::isfinite(value)) return chars(value, std::chars_format::general, 6);
  const double abs = std::fabs(value);
  if (abs == 0 || abs < pow10(exponent) * 1e-6) return "0";
  // Below steps of 1e-4 plain decimals grow too long to read; values from 1
  // on still read best in full ("1.00002").
  if ((exponent < -4 && abs < 1) || abs >= 1e21) return scientific_label(value, exponent);
  if (abs < 1000) {
    std::string s = chars(value, std::chars_format::fixed, std::clamp(-exponent, 0, 15));
    drop_trailing_zeros(&s);
    return s == "-0" ? "0" : s;
  }
  static constexpr const char* kSuffixes[] = {"k", "M", "G", "T", "P", "E"};
  int prefix = std::min(18, decimal_exponent(abs) / 3 * 3);
  for (;;) {
    std::string s = chars(value / pow10(prefix), std::chars_format::fixed,
                          std::clamp(prefix - exponent, 0, 15));
    // A value off the step can round up to "1000k": say "1M" instead.
    const std::size_t int_digits = std::min(s.find('.'), s.size()) - (value < 0 ? 1 : 0);
    if (int_digits > 3 && prefix < 18) {
      prefix += 3;
      continue;
    }
    drop_trailing_zeros(&s);
    return s + kSuffixes[prefix / 3 - 1];
  }
}

}  // namespace greenroute::report
