// Chat templates: turn a conversation into the prompt text a model was tuned
// on, as llama.cpp's llama_chat_apply_template does (src/llama-chat.cpp): the
// template family is detected from the GGUF tokenizer.chat_template text by
// the same substring heuristics (llm_chat_detect_template) and rendered by
// hand-written code, not by a Jinja interpreter.
//
// Families rendered: chatml (Qwen2, SmolLM), llama2 and its -sys, -sys-bos,
// -sys-strip variants, mistral-v1, -v3, -v3-tekken, -v7, -v7-tekken, phi3,
// phi4, falcon3, glmedge, zephyr, gemma, llama3. Other families llama.cpp
// detects are reported by name as kUnsupported.
//
// Thread contract: free functions over their arguments; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"

namespace greenroute::engine::vocab {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" (other roles are passed through where the family does)
  std::string content;
};

enum class ChatTemplateFamily {
  kChatml,
  kLlama2,
  kLlama2Sys,
  kLlama2SysBos,
  kLlama2SysStrip,
  kMistralV1,
  kMistralV3,
  kMistralV3Tekken,
  kMistralV7,
  kMistralV7Tekken,
  kPhi3,
  kPhi4,
  kFalcon3,
  kGlmEdge,
  kZephyr,
  kGemma,
  kLlama3,
};

// llama.cpp's name of a family ("chatml", "llama2-sys", "mistral-v7", ...).
std::string_view chat_template_family_name(ChatTemplateFamily family);

// `source` is either a family name (as llama.cpp accepts, e.g. "chatml") or a
// Jinja template text. kUnsupported (with the detected family's name when
// llama.cpp knows it) if it is not one we render, kNotFound if nothing matches.
core::Result<ChatTemplateFamily> detect_chat_template(std::string_view source);

// Renders with the family detected from `template_source`; when that is empty
// or unrecognised, with `fallback_family` (a family name; empty = none).
// add_assistant_prompt appends the opening of the assistant's turn.
core::Result<std::string> apply_chat_template(std::string_view template_source,
                                              std::string_view fallback_family,
                                              std::span<const ChatMessage> messages,
                                              bool add_assistant_prompt);

// Renders with a known family.
std::string render_chat(ChatTemplateFamily family, std::span<const ChatMessage> messages,
                        bool add_assistant_prompt);

}  // namespace greenroute::engine::vocab
