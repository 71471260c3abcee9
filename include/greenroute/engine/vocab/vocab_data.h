// VocabData: everything a tokenizer needs, as read from a GGUF file's
// tokenizer.ggml.* metadata (or built by hand in tests and synthetic models).
//
// load_vocab_data() applies llama.cpp's defaults (llama_vocab::impl::load):
//   - "llama" (SentencePiece): bos=1, eos=2, unk=0, add_bos=true,
//     add_space_prefix=true;
//   - "gpt2" (byte-level BPE): bos=eos=11, no unk, add_bos only for the
//     llama3 pre-tokenizer family, add_space_prefix=false;
// then lets tokenizer.ggml.{bos,eos,unknown,padding,eot}_token_id,
// add_bos_token, add_eos_token and add_space_prefix override them. A special
// id out of the vocabulary's range is ignored, as llama.cpp does.
//
// Thread contract: a plain value; load_vocab_data() is thread-safe (it only
// reads the immutable GgufFile).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::engine::gguf {
class GgufFile;
}

namespace greenroute::engine::vocab {

// tokenizer.ggml.token_type values (llama.h's llama_token_type).
enum class TokenType : std::int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct VocabData {
  std::string model;  // tokenizer.ggml.model: "llama" (SentencePiece) or "gpt2" (byte-level BPE)
  std::string pre;    // tokenizer.ggml.pre (BPE pre-tokenizer), empty for SentencePiece
  std::vector<std::string> tokens;
  std::vector<float> scores;             // empty, or one per token
  std::vector<std::int32_t> token_types; // empty (all normal), or one TokenType per token
  std::vector<std::string> merges;       // BPE only: "left right", rank = index
  std::int32_t bos_id = -1;
  std::int32_t eos_id = -1;
  std::int32_t unk_id = -1;
  std::int32_t pad_id = -1;
  std::int32_t eot_id = -1;  // -1: detected from the token texts (<|eot_id|>, <|im_end|>, ...)
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;
  std::string chat_template;  // tokenizer.chat_template, may be empty
};

// Reads the tokenizer keys. kNotFound when the file has no tokenizer,
// kUnsupported for a tokenizer model other than "llama"/"gpt2", kCorrupt for
// mistyped or inconsistent arrays.
core::Result<VocabData> load_vocab_data(const gguf::GgufFile& file);

}  // namespace greenroute::engine::vocab
