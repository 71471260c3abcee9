// Prompt files for `greenroute generate --prompts FILE.jsonl`.
//
// One JSON object per line (blank lines and lines starting with '#' are
// skipped). Each line is either a completion prompt or a chat:
//   {"prompt": "text"}
//   {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}
// and may override the command's sampling flags for that prompt alone:
//   max_tokens, temperature, top_k, top_p, min_p, repeat_penalty, seed,
//   stop (a string or a list of strings), logprobs.
// Optional metadata, kept but not acted on (the built-in bench set uses it):
//   id (a string or a number), category and length (strings).
// Parsing happens once, here at the edge; errors name the file, line and field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::cli {

struct PromptMessage {
  std::string role;
  std::string content;
};

struct PromptOverrides {
  std::optional<int> max_tokens;
  std::optional<float> temperature;
  std::optional<int> top_k;
  std::optional<float> top_p;
  std::optional<float> min_p;
  std::optional<float> repeat_penalty;
  std::optional<std::uint64_t> seed;
  std::optional<std::vector<std::string>> stop;
  std::optional<int> logprobs;
};

struct PromptSpec {
  std::string prompt;                   // set for completion prompts
  std::vector<PromptMessage> messages;  // set for chats (non-empty)
  PromptOverrides overrides;
  int line = 0;                         // 1-based line in the file (0 for --prompt)
  std::string id;                       // metadata; numbers are kept as their JSON text
  std::string category;
  std::string length;
};

// Parses JSONL text; `source` names it in error messages.
core::Result<std::vector<PromptSpec>> parse_prompts_jsonl(const std::string& text,
                                                         const std::string& source);
// Reads and parses a file.
core::Result<std::vector<PromptSpec>> read_prompts_file(const std::string& path);

}  // namespace greenroute::cli
