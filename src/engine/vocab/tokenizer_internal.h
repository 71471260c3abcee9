// Private pieces shared by the Tokenizer's implementation files.
//
// Thread contract: plain data and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "greenroute/engine/vocab/tokenizer.h"

namespace greenroute::engine::vocab {

// A piece of the input after special-token partitioning: either a special
// token's id or a span of raw text still to tokenize.
struct Tokenizer::Fragment {
  bool is_token;
  std::int32_t token;
  std::size_t offset;
  std::size_t length;
};

// SentencePiece's whitespace escape: ' ' -> U+2581 (LOWER ONE EIGHTH BLOCK).
inline constexpr std::string_view kEscapedSpace = "\xe2\x96\x81";

std::string escape_spaces(std::string_view text);
std::string unescape_spaces(std::string_view text);

}  // namespace greenroute::engine::vocab
