#include "utf8.h"

#include "greenroute/core/check.h"

namespace greenroute::report::detail {

char32_t next_code_point(std::string_view text, std::size_t* pos) {
  GR_CHECK(*pos < text.size());
  const auto lead = static_cast<unsigned char>(text[*pos]);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min_cp = 0;  // below this the sequence is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min_cp = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min_cp = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min_cp = 0x10000;
  } else {
    ++*pos;  // a continuation byte without a lead, or 0xF8..0xFF
    return kInvalidCodePoint;
  }
  if (text.size() - *pos < length) {
    ++*pos;
    return kInvalidCodePoint;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(text[*pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return kInvalidCodePoint;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return kInvalidCodePoint;
  }
  *pos += length;
  return cp;
}

std::size_t code_point_count(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t pos = 0; pos < text.size(); ++n) next_code_point(text, &pos);
  return n;
}

}  // namespace greenroute::report::detail
