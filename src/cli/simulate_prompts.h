// Prompt lengths for `greenroute simulate --prompts`: a prompt set (a file in
// any format bench_prompts.h reads, or "builtin" for the built-in 120) becomes
// the workload's prompt-length list (LengthKind::kList, drawn uniformly), so
// simulated requests have the lengths of real prompts.
//
// Token counts come from a model's tokenizer (--tokenizer: any GGUF file with
// a vocabulary, weights not needed; chats rendered with its chat template,
// else chatml) and are then exact for that model; without one they are
// ESTIMATED at 4 bytes of UTF-8 text per token (English text under the
// Llama-family tokenizers averages about that), and `how` says so. When every
// prompt of the set sets max_tokens, those become the output-length list too.
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::cli {

struct PromptLengths {
  std::vector<int> prompt_tokens;  // one per prompt, >= 1
  std::vector<int> output_tokens;  // one per prompt when every prompt set max_tokens, else empty
  std::string how;                 // "counted by <tokenizer>" or "ESTIMATED at 4 bytes per token"
};

// kInvalidArgument (naming the file, line and field) for a prompt set or a
// tokenizer file that cannot be read.
core::Result<PromptLengths> prompt_lengths(const std::string& prompts, const std::string& tokenizer_path);

}  // namespace greenroute::cli
