#include "vocab/unicode.h"

#include <unicode/uchar.h>

#include <array>
#include <unordered_map>

namespace greenroute::engine::vocab::unicode {
namespace {

// Unicode's White_Space property, as listed in llama.cpp's gen-unicode-data.py.
bool is_white_space(std::uint32_t cpt) {
  if (cpt >= 0x09 && cpt <= 0x0D) return true;
  if (cpt >= 0x2000 && cpt <= 0x200A) return true;
  switch (cpt) {
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028:
    case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return false;
  }
}

std::uint16_t category_flag(std::uint32_t cpt) {
  switch (u_charType(static_cast<UChar32>(cpt))) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER: case U_OTHER_LETTER:
      return kLetter;
    case U_NON_SPACING_MARK: case U_ENCLOSING_MARK: case U_COMBINING_SPACING_MARK:
      return kAccentMark;
    case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER: case U_OTHER_NUMBER:
      return kNumber;
    case U_SPACE_SEPARATOR: case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR:
      return kSeparator;
    case U_CONTROL_CHAR: case U_FORMAT_CHAR: case U_PRIVATE_USE_CHAR: case U_SURROGATE:
      return kControl;
    case U_DASH_PUNCTUATION: case U_START_PUNCTUATION: case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION: case U_OTHER_PUNCTUATION: case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return kPunctuation;
    case U_MATH_SYMBOL: case U_CURRENCY_SYMBOL: case U_MODIFIER_SYMBOL: case U_OTHER_SYMBOL:
      return kSymbol;
    default:
      return kUndefined;
  }
}

struct ByteMaps {
  std::array<std::string, 256> to_utf8;
  std::unordered_map<std::string, int> from_utf8;
  ByteMaps() {
    // Printable Latin-1 bytes map to themselves; the other 68 bytes map, in
    // order, to U+0100, U+0101, ... (GPT-2's bytes_to_unicode).
    auto printable = [](int b) {
      return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    std::uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const std::uint32_t cpt = printable(b) ? static_cast<std::uint32_t>(b) : next++;
      append_utf8(cpt, to_utf8[static_cast<std::size_t>(b)]);
      from_utf8.emplace(to_utf8[static_cast<std::size_t>(b)], b);
    }
  }
};

const ByteMaps& byte_maps() {
  static const ByteMaps maps;
  return maps;
}

}  // namespace

std::uint16_t flags(std::uint32_t cpt) {
  if (cpt > 0x10FFFF) return kUndefined;
  std::uint16_t f = category_flag(cpt);
  if (is_white_space(cpt)) f |= kWhitespace;
  return f;
}

std::size_t utf8_len(char lead) {
  static constexpr std::size_t kLookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLookup[static_cast<std::uint8_t>(lead) >> 4];
}

std::vector<std::uint32_t> cpts_from_utf8(std::string_view s) {
  std::vector<std::uint32_t> out;
  out.reserve(s.size());
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[i])); };
  auto cont = [&](std::size_t i) { return (byte(i) & 0xC0) == 0x80; };
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint32_t b0 = byte(i);
    if (!(b0 & 0x80)) {
      out.push_back(b0);
      i += 1;
    } else if (!(b0 & 0x40)) {
      out.push_back(0xFFFD);
      i += 1;
    } else if (!(b0 & 0x20)) {
      if (i + 1 >= s.size() || !cont(i + 1)) {
        out.push_back(0xFFFD);
        i += 1;
      } else {
        out.push_back(((b0 & 0x1F) << 6) | (byte(i + 1) & 0x3F));
        i += 2;
      }
    } else if (!(b0 & 0x10)) {
      if (i + 2 >= s.size() || !cont(i + 1) || !cont(i + 2)) {
        out.push_back(0xFFFD);
        i += 1;
      } else {
        out.push_back(((b0 & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F));
        i += 3;
      }
    } else if (!(b0 & 0x08)) {
      if (i + 3 >= s.size() || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
        out.push_back(0xFFFD);
        i += 1;
      } else {
        out.push_back(((b0 & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) | ((byte(i + 2) & 0x3F) << 6) |
                      (byte(i + 3) & 0x3F));
        i += 4;
      }
    } else {
      out.push_back(0xFFFD);
      i += 1;
    }
  }
  return out;
}

void append_utf8(std::uint32_t cpt, std::string& out) {
  if (cpt > 0x10FFFF) cpt = 0xFFFD;
  if (cpt <= 0x7F) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt <= 0x7FF) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0xFFFF) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

const std::string& byte_to_utf8(std::uint8_t byte) { return byte_maps().to_utf8[byte]; }

int utf8_to_byte(std::string_view utf8) {
  const auto& m = byte_maps().from_utf8;
  const auto it = m.find(std::string(utf8));
  return it == m.end() ? -1 : it->second;
}

}  // namespace greenroute::engine::vocab::unicode
