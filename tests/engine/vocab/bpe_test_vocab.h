// A small byte-level BPE vocabulary for tests: the 256 GPT-2 byte tokens (id =
// byte value), a handful of merges, and three special tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/engine/vocab/vocab_data.h"

namespace greenroute::engine::vocab::testing {

// GPT-2's bytes_to_unicode, written out independently of the library's copy.
inline std::string gpt2_byte_char(int b) {
  const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  int cpt = b;
  if (!printable) {
    int n = 0;
    for (int c = 0; c < b; ++c) {
      const bool p = (c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
      n += !p;
    }
    cpt = 256 + n;
  }
  std::string s;
  if (cpt < 0x80) {
    s.push_back(static_cast<char>(cpt));
  } else {
    s.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    s.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
  return s;
}

// Merged tokens, in rank order; their ids follow the 256 byte tokens.
enum MergedId : std::int32_t {
  kSpaceT = 256,  // "Ġt"      <- "Ġ t"
  kHe,            // "he"      <- "h e"
  kSpaceThe,      // "Ġthe"    <- "Ġt he"
  k12,            // "12"      <- "1 2"
  k123,           // "123"     <- "12 3"
  kApostropheS,   // "'s"      <- "' s"
  kLl,            // "ll"      <- "l l"
  kEll,           // "ell"     <- "e ll" (never reached in "hello": "h e" ranks first)
  kHell,          // "hell"    <- "he ll"
  kHello,         // "hello"   <- "hell o"
  kEndOfText,     // "<|endoftext|>" CONTROL
  kImStart,       // "<|im_start|>" CONTROL
  kTool,          // "<tool>" USER_DEFINED
};

inline VocabData make_bpe_vocab(const std::string& pre) {
  VocabData d;
  d.model = "gpt2";
  d.pre = pre;
  for (int b = 0; b < 256; ++b) d.tokens.push_back(gpt2_byte_char(b));
  const std::string G = gpt2_byte_char(' ');  // "Ġ"
  const std::vector<std::pair<std::string, std::string>> merges = {
      {G, "t"}, {"h", "e"}, {G + "t", "he"}, {"1", "2"}, {"12", "3"},
      {"'", "s"}, {"l", "l"}, {"e", "ll"}, {"he", "ll"}, {"hell", "o"},
  };
  for (const auto& [l, r] : merges) {
    d.merges.push_back(l + " " + r);
    d.tokens.push_back(l + r);
  }
  d.tokens.push_back("<|endoftext|>");
  d.tokens.push_back("<|im_start|>");
  d.tokens.push_back("<tool>");
  d.token_types.assign(d.tokens.size(), 1);
  d.token_types[kEndOfText] = 3;
  d.token_types[kImStart] = 3;
  d.token_types[kTool] = 4;
  d.bos_id = kImStart;
  d.eos_id = kEndOfText;
  return d;
}

}  // namespace greenroute::engine::vocab::testing

namespace greenroute::engine::vocab::testing {

// The vocabulary behind data/bpe-pairs-*.out (see data/README.md): byte
// tokens, then every ordered byte pair as a merge (rank a*256+b), then
// <|endoftext|> as a CONTROL token used for BOS and EOS.
inline VocabData make_pair_vocab(const std::string& pre) {
  VocabData d;
  d.model = "gpt2";
  d.pre = pre;
  d.tokens.reserve(256 + 65536 + 1);
  d.merges.reserve(65536);
  for (int b = 0; b < 256; ++b) d.tokens.push_back(gpt2_byte_char(b));
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      d.merges.push_back(gpt2_byte_char(a) + " " + gpt2_byte_char(b));
      d.tokens.push_back(gpt2_byte_char(a) + gpt2_byte_char(b));
    }
  }
  d.tokens.push_back("<|endoftext|>");
  d.token_types.assign(d.tokens.size(), 1);
  d.token_types.back() = 3;
  d.bos_id = d.eos_id = static_cast<std::int32_t>(d.tokens.size() - 1);
  return d;
}

}  // namespace greenroute::engine::vocab::testing
