// Code-point helpers for the tokenizers, with llama.cpp's exact semantics
// (src/unicode.cpp): its lenient UTF-8 decoder, its category flags (Unicode
// general categories, here from ICU, plus the White_Space set) and GPT-2's
// byte-to-unicode mapping.
//
// Thread contract: pure functions; the byte maps are built once, thread-safely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace greenroute::engine::vocab::unicode {

// Category flags, one bit each as llama.cpp's unicode_cpt_flags. A code point
// of the Unicode range has exactly one category bit (kUndefined for
// unassigned ones), plus kWhitespace when it is White_Space. 0 means "no code
// point" (past the end of a piece).
inline constexpr std::uint16_t kUndefined = 0x0001;
inline constexpr std::uint16_t kNumber = 0x0002;       // \p{N}
inline constexpr std::uint16_t kLetter = 0x0004;       // \p{L}
inline constexpr std::uint16_t kSeparator = 0x0008;    // \p{Z}
inline constexpr std::uint16_t kAccentMark = 0x0010;   // \p{M}
inline constexpr std::uint16_t kPunctuation = 0x0020;  // \p{P}
inline constexpr std::uint16_t kSymbol = 0x0040;       // \p{S}
inline constexpr std::uint16_t kControl = 0x0080;      // \p{C}
inline constexpr std::uint16_t kWhitespace = 0x0100;   // \s

std::uint16_t flags(std::uint32_t cpt);

// Bytes in the UTF-8 sequence a lead byte announces (1 for continuation and
// invalid bytes), from its high nibble only: llama.cpp's unicode_len_utf8.
std::size_t utf8_len(char lead);

// llama.cpp's unicode_cpts_from_utf8: an invalid or truncated sequence yields
// U+FFFD and resumes at the next byte. Overlong forms and surrogates are
// decoded as they come, as llama.cpp does.
std::vector<std::uint32_t> cpts_from_utf8(std::string_view utf8);

// Appends the UTF-8 encoding of cpt; a value past U+10FFFF (which the lenient
// decoder can produce from F5..F7 lead bytes) is written as U+FFFD.
void append_utf8(std::uint32_t cpt, std::string& out);

// GPT-2's reversible byte <-> printable code point mapping.
const std::string& byte_to_utf8(std::uint8_t byte);
// The byte a mapped code point (as UTF-8) stands for, or -1.
int utf8_to_byte(std::string_view utf8);

}  // namespace greenroute::engine::vocab::unicode
