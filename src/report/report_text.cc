#include "report_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "greenroute/core/check.h"

namespace greenroute::report::detail {
namespace {

std::string drop_negative_zero(std::string s) {
  // "-0", "-0.0", "-0.00": a value that rounds to zero reads as zero.
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// Drops zeros after the decimal point, and the point itself if bare.
std::string trim_zeros(std::string s) {
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return drop_negative_zero(std::move(s));
}

}  // namespace

std::string fixed_text(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buf[512];  // "fixed" spells out all ~309 integer digits of the largest double
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
  GR_CHECK(ec == std::errc());
  return drop_negative_zero(std::string(buf, end));
}

std::string figure_text(double value, int significant) {
  if (!std::isfinite(value)) return "n/a";
  const double magnitude = std::fabs(value);
  if (magnitude == 0) return "0";
  if (magnitude < 1e-6) {
    char buf[64];
    const auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 1);
    GR_CHECK(ec == std::errc());
    return std::string(buf, end);
  }
  // Digits after the point that leave `significant` ones (none for large
  // values); trailing zeros say nothing here ("40", "2.5", not "40.0").
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const int decimals = std::max(0, significant - 1 - exponent);
  return trim_zeros(fixed_text(value, decimals));
}

std::string exact_text(double value) {
  if (!std::isfinite(value)) return "";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  GR_CHECK(ec == std::errc());
  return drop_negative_zero(std::string(buf, end));
}

std::string percent_text(double pct) {
  return (std::isfinite(pct) ? trim_zeros(fixed_text(pct, 1)) : "n/a") + "%";
}

std::string speedup_text(double speedup) {
  if (!std::isfinite(speedup) || speedup <= 0) return "n/a";
  if (speedup >= 1.005) return fixed_text(speedup, 2) + "x faster";
  if (speedup <= 1 / 1.005) return fixed_text(1 / speedup, 2) + "x slower";
  return "the same (" + fixed_text(speedup, 2) + "x)";
}

std::string EnergyProvenance::text() const {
  if (measured) return "measured (" + method + ")";
  if (estimated) return "estimated (" + method + ")";
  if (method.empty()) return "provenance not recorded";
  return "unlabelled: " + method;
}

std::string EnergyProvenance::footnote() const {
  if (measured) return "energy MEASURED by " + method;
  if (estimated) return "energy ESTIMATED by " + method;
  return "energy " + text();
}

EnergyProvenance energy_provenance(std::string_view label) {
  EnergyProvenance p;
  constexpr std::string_view kMeasured = "measured";
  constexpr std::string_view kEstimated = "estimated";
  auto method_after = [&](std::string_view kind) {
    std::string_view rest = label.substr(kind.size());
    if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
    return rest.empty() ? std::string("unnamed method") : std::string(rest);
  };
  if (label.starts_with(kMeasured)) {
    p.measured = true;
    p.method = method_after(kMeasured);
  } else if (label.starts_with(kEstimated)) {
    p.estimated = true;
    p.method = method_after(kEstimated);
  } else {
    p.method = std::string(label);
  }
  return p;
}

std::string file_slug(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    out += keep ? c : '-';
  }
  return out;
}

}  // namespace greenroute::report::detail
