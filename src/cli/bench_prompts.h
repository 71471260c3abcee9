// Prompt sets for `greenroute bench`: the built-in set, and --prompts files in
// three formats, told apart by their content (not their name):
//
//   greenroute JSONL   one {"prompt": ...} or {"messages": [...]} object per
//                      line, exactly as for `greenroute generate` (see
//                      prompt_file.h), with optional id/category/length.
//   MT-bench JSONL     one {"question_id", "category", "turns": [...]} object
//                      per line (FastChat's question.jsonl); the prompt is the
//                      first turn. Other keys ("reference", ...) are ignored.
//   ShareGPT JSON      a JSON array of {"id", "conversations": [{"from",
//                      "value"}, ...]}; the prompt is the first turn whose
//                      "from" is "human" (or "user"). The same records one per
//                      line (ShareGPT JSONL) are accepted too. Conversations
//                      with no non-empty human turn are skipped and counted,
//                      since raw ShareGPT dumps contain some.
//
// Detection: after an optional UTF-8 byte-order mark and whitespace, a '['
// means a ShareGPT JSON array. Otherwise the text is JSONL and its first
// record (the first line that is not blank or a '#' comment) decides: a
// "turns" key means MT-bench, "conversations" means ShareGPT JSONL, "prompt"
// or "messages" means greenroute JSONL. Every later record must be of the same
// kind. Errors name the source and the line (JSONL) or the entry index
// (JSON array) and, where the record has one, its id.
//
// MT-bench and ShareGPT prompts are plain completion prompts (PromptSpec
// prompt, no overrides); a caller that wants a chat wraps them as a user
// message. Their id and category (MT-bench) are kept in PromptSpec.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"
#include "prompt_file.h"

namespace greenroute::cli {

namespace embedded {
// The bytes of data/bench_prompts.jsonl, compiled in by
// cmake/EmbedTextFile.cmake (generated bench_prompts_jsonl.cc).
std::string_view bench_prompts_jsonl();
}  // namespace embedded

enum class PromptSetFormat { kGreenrouteJsonl, kMtBenchJsonl, kShareGptJson, kShareGptJsonl };

// "greenroute JSONL", "MT-bench JSONL", "ShareGPT JSON", "ShareGPT JSONL".
const char* prompt_set_format_name(PromptSetFormat format);

struct PromptSet {
  PromptSetFormat format = PromptSetFormat::kGreenrouteJsonl;
  std::vector<PromptSpec> prompts;  // never empty in a successful result
  // ShareGPT conversations left out for want of a non-empty human turn.
  std::size_t skipped = 0;
};

// How the built-in set names itself in error messages.
inline constexpr const char* kBuiltinPromptSource = "<built-in bench prompts>";

// Detects the format of `text` and parses it; `source` names it in errors.
core::Result<PromptSet> parse_prompt_set(const std::string& text, const std::string& source);

// Reads and parses a file (any of the formats above).
core::Result<PromptSet> read_prompt_set(const std::string& path);

// The built-in set: 120 prompts, 24 in each category (qa, summarisation, code,
// reasoning, creative), each with an id and a length class (short, medium,
// long). Fails only if the embedded data is broken (a build bug).
core::Result<PromptSet> builtin_prompt_set();

}  // namespace greenroute::cli
