#include "byte_size.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace greenroute::cli {

core::Result<std::uint64_t> parse_byte_size(std::string_view text) {
  std::string s(text);
  auto bad = [&] {
    return core::invalid_argument("'" + s + "' is not a byte size (examples: 1073741824, 512MiB, 2GiB, 1.5G)");
  };
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return bad();
  std::string number = s.substr(0, i);
  std::string unit = s.substr(i);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value)) return bad();
  double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb") mult = 1e3;
  else if (unit == "m" || unit == "mb") mult = 1e6;
  else if (unit == "g" || unit == "gb") mult = 1e9;
  else if (unit == "t" || unit == "tb") mult = 1e12;
  else if (unit == "ki" || unit == "kib") mult = 1024.0;
  else if (unit == "mi" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "gi" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else if (unit == "ti" || unit == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
  else return bad();
  double bytes = value * mult;
  if (bytes < 1 || bytes > 1.8e19) return core::invalid_argument("byte size '" + s + "' is out of range");
  return static_cast<std::uint64_t>(bytes);
}

}  // namespace greenroute::cli
