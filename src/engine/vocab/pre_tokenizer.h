// BPE pre-tokenizers: split text into the pieces BPE merges within, by hand
// over code points (no std::regex), as llama.cpp's unicode_regex_split does
// with its custom GPT-2 and Llama-3 splitters. The Qwen2 pattern differs from
// Llama-3's only in \p{N} (one digit per piece); SmolLM's first isolates each
// \p{N} code point, then applies the GPT-2 pattern to what lies between.
//
// Thread contract: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenroute/engine/vocab/tokenizer.h"

namespace greenroute::engine::vocab {

// What llama.cpp's vocabulary loader derives from tokenizer.ggml.pre.
struct PreTokenizerInfo {
  std::string_view name;
  PreTokenizer pre;
  bool ignore_merges;  // a whole piece that is a token is taken as is
  bool clean_spaces;   // detokenize undoes " ," " 's" ...
  bool add_bos;        // llama.cpp's default for add_bos_token
};

// nullptr for a pre-tokenizer we do not implement.
const PreTokenizerInfo* find_pre_tokenizer(std::string_view name);

// The pieces, as UTF-8 (invalid input bytes already replaced by U+FFFD).
std::vector<std::string> split_words(std::string_view text, PreTokenizer pre);

// split_words() with each piece's bytes mapped through GPT-2's byte-to-unicode
// table: the strings BPE merges operate on.
std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer pre);

}  // namespace greenroute::engine::vocab
