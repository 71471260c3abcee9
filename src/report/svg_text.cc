#include "svg_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "greenroute/core/check.h"
#include "utf8.h"

namespace greenroute::report::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_xml_char(char32_t cp) {
  if (cp == kInvalidCodePoint) return false;
  if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
  return cp != 0xFFFE && cp != 0xFFFF;
}

std::string chars(double value, std::chars_format format, int precision) {
  char buf[512];  // "fixed" spells out all ~309 integer digits of the largest double
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, format, precision);
  GR_CHECK(ec == std::errc());
  return std::string(buf, end);
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(text, &pos);
    if (!is_xml_char(cp)) {
      out += kReplacement;
      continue;
    }
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out.append(text.substr(start, pos - start));
        break;
    }
  }
  return out;
}

std::string svg_number(double value) {
  GR_CHECK(std::isfinite(value));
  std::string s = chars(value, std::chars_format::fixed, 2);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string value_text(double value) {
  return chars(value, std::chars_format::general, 6);
}

}  // namespace greenroute::report::detail
