// UTF-8 decoding for the report writers: counting characters to size text,
// and finding what must not reach an XML file. Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace greenroute::report::detail {

// Marks a byte sequence that is not well-formed UTF-8 (overlong, a surrogate,
// above U+10FFFF, truncated or a stray continuation byte).
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the code point starting at text[*pos] and advances *pos past it;
// for ill-formed input, returns kInvalidCodePoint and advances by one byte.
// Precondition: *pos < text.size().
char32_t next_code_point(std::string_view text, std::size_t* pos);

// The number of code points; each ill-formed byte counts as one.
std::size_t code_point_count(std::string_view text);

}  // namespace greenroute::report::detail
