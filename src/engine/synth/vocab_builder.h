// Builds the tokenizer of a synthetic model: a SentencePiece ("llama") or
// byte-level BPE ("gpt2") vocabulary learned from the built-in corpus, with the
// family's special tokens at the family's ids, padded to the preset's size
// with visible word-salad fillers (fillers.h).
// Thread-compatible: plain functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/synth/synth.h"
#include "greenroute/engine/vocab/vocab_data.h"

namespace greenroute::engine::synth {

// llama.cpp's token types, as the tokenizer defines them.
using TokenType = vocab::TokenType;

struct SynthVocab {
  std::string model;                 // tokenizer.ggml.model: "llama" or "gpt2"
  std::string pre;                   // tokenizer.ggml.pre ("" for SPM)
  std::vector<std::string> tokens;
  std::vector<float> scores;         // SPM only
  std::vector<std::int32_t> types;   // TokenType values
  std::vector<std::string> merges;   // gpt2 only: "left right"
  std::int32_t bos = -1;
  std::int32_t eos = -1;
  std::optional<std::int32_t> eot;
  std::optional<std::int32_t> unk;
  std::optional<std::int32_t> pad;
  bool add_bos = false;
  bool add_eos = false;
  std::string chat_template;
  std::size_t n_learned = 0;         // pieces learned from the corpus (not fillers)
  std::size_t first_filler = 0;      // fillers (fillers.h) are ids [first_filler, first_filler + n_fillers)
  std::size_t n_fillers = 0;
};

// kInvalidArgument when the preset's n_vocab cannot hold the fixed tokens.
core::Result<SynthVocab> build_vocab(const SynthPreset& preset);

// GPT-2's byte -> printable code point map, as UTF-8 strings.
const std::vector<std::string>& gpt2_byte_symbols();

// The family's chat template (Jinja, as tokenizer.chat_template).
std::string chat_template_for(VocabFamily family);

}  // namespace greenroute::engine::synth
