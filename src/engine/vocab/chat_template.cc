// Chat template detection and rendering, following llama.cpp's
// llm_chat_detect_template / llm_chat_apply_template (src/llama-chat.cpp).
#include "greenroute/engine/vocab/chat_template.h"

#include <array>
#include <cctype>
#include <utility>

namespace greenroute::engine::vocab {
namespace {

using F = ChatTemplateFamily;

constexpr std::array<std::pair<std::string_view, F>, 17> kFamilies = {{
    {"chatml", F::kChatml},
    {"llama2", F::kLlama2},
    {"llama2-sys", F::kLlama2Sys},
    {"llama2-sys-bos", F::kLlama2SysBos},
    {"llama2-sys-strip", F::kLlama2SysStrip},
    {"mistral-v1", F::kMistralV1},
    {"mistral-v3", F::kMistralV3},
    {"mistral-v3-tekken", F::kMistralV3Tekken},
    {"mistral-v7", F::kMistralV7},
    {"mistral-v7-tekken", F::kMistralV7Tekken},
    {"phi3", F::kPhi3},
    {"phi4", F::kPhi4},
    {"falcon3", F::kFalcon3},
    {"glmedge", F::kGlmEdge},
    {"zephyr", F::kZephyr},
    {"gemma", F::kGemma},
    {"llama3", F::kLlama3},
}};

// Families llama.cpp knows by name that we do not render.
constexpr std::array<std::string_view, 27> kOtherNames = {
    "monarch", "orion", "openchat", "vicuna", "vicuna-orca", "deepseek", "deepseek2", "deepseek3",
    "command-r", "chatglm3", "chatglm4", "minicpm", "exaone3", "exaone4", "rwkv-world", "granite",
    "gigachat", "megrez", "yandex", "bailing", "llama4", "smolvlm", "hunyuan-moe", "hunyuan-dense",
    "kimi-k2", "dots1", "mistral-v3-tekken-tools"};

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

core::Status not_rendered(std::string_view family) {
  return core::unsupported("chat template family '" + std::string(family) +
                           "' is recognised (as llama.cpp does) but not rendered by greenroute");
}

// llm_chat_detect_template's substring tests, in its order. Returns the
// family, or a Status naming an unrendered family / kNotFound.
core::Result<F> detect_from_text(std::string_view t) {
  auto has = [&](std::string_view s) { return t.find(s) != std::string_view::npos; };
  if (has("<|im_start|>")) {
    if (has("<|im_sep|>")) return F::kPhi4;
    if (has("<end_of_utterance>")) return not_rendered("smolvlm");
    return F::kChatml;
  }
  if (t.rfind("mistral", 0) == 0 || has("[INST]")) {
    if (has("[SYSTEM_PROMPT]")) return F::kMistralV7;
    if (has("' [INST] ' + system_message") || has("[AVAILABLE_TOOLS]")) {
      if (has(" [INST]")) return F::kMistralV1;
      if (has("\"[INST]\"")) return F::kMistralV3Tekken;
      return F::kMistralV3;
    }
    if (has("content.strip()")) return F::kLlama2SysStrip;
    if (has("bos_token + '[INST]")) return F::kLlama2SysBos;
    if (has("<<SYS>>")) return F::kLlama2Sys;
    return F::kLlama2;
  }
  if (has("<|assistant|>") && has("<|end|>")) return F::kPhi3;
  if (has("[gMASK]<sop>")) return not_rendered("chatglm4");
  if (has("<|assistant|>") && has("<|user|>")) return has("</s>") ? F::kFalcon3 : F::kGlmEdge;
  if (has("<|{{ item['role'] }}|>") && has("<|begin_of_image|>")) return F::kGlmEdge;
  if (has("<|user|>") && has("<|endoftext|>")) return F::kZephyr;
  if (has("bos_token + message['role']")) return not_rendered("monarch");
  if (has("<start_of_turn>")) return F::kGemma;
  if (has("'\\n\\nAssistant: ' + eos_token")) return not_rendered("orion");
  if (has("GPT4 Correct ")) return not_rendered("openchat");
  if (has("USER: ") && has("ASSISTANT: ")) return not_rendered(has("SYSTEM: ") ? "vicuna-orca" : "vicuna");
  if (has("### Instruction:") && has("<|EOT|>")) return not_rendered("deepseek");
  if (has("<|START_OF_TURN_TOKEN|>") && has("<|USER_TOKEN|>")) return not_rendered("command-r");
  if (has("<|start_header_id|>") && has("<|end_header_id|>")) return F::kLlama3;
  return core::not_found("chat template not recognised");
}

void render_mistral_v1_v3(F family, std::span<const ChatMessage> messages, std::string& ss) {
  const std::string leading = family == F::kMistralV1 ? " " : "";
  const std::string trailing = family == F::kMistralV3Tekken ? "" : " ";
  const bool trim_assistant = family == F::kMistralV3;
  bool inside_turn = false;
  for (const ChatMessage& m : messages) {
    if (!inside_turn) {
      ss += leading + "[INST]" + trailing;
      inside_turn = true;
    }
    if (m.role == "system") {
      ss += m.content + "\n\n";
    } else if (m.role == "user") {
      ss += m.content + leading + "[/INST]";
    } else {
      ss += trailing + (trim_assistant ? trim(m.content) : m.content) + "</s>";
      inside_turn = false;
    }
  }
}

void render_llama2(F family, std::span<const ChatMessage> messages, std::string& ss) {
  const bool system_supported = family != F::kLlama2;
  const bool bos_inside_history = family == F::kLlama2SysBos;
  const bool strip = family == F::kLlama2SysStrip;
  bool inside_turn = true;  // the prompt's BOS is the tokenizer's job
  ss += "[INST] ";
  for (const ChatMessage& m : messages) {
    const std::string content = strip ? trim(m.content) : m.content;
    if (!inside_turn) {
      inside_turn = true;
      ss += bos_inside_history ? "<s>[INST] " : "[INST] ";
    }
    if (m.role == "system") {
      ss += system_supported ? "<<SYS>>\n" + content + "\n<</SYS>>\n\n" : content + "\n";
    } else if (m.role == "user") {
      ss += content + " [/INST]";
    } else {
      ss += content + "</s>";
      inside_turn = false;
    }
  }
}

void render_gemma(std::span<const ChatMessage> messages, bool add_ass, std::string& ss) {
  std::string system_prompt;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system_prompt += trim(m.content);  // gemma has no system turn: merged into the next user turn
      continue;
    }
    const std::string role = m.role == "assistant" ? "model" : m.role;
    ss += "<start_of_turn>" + role + "\n";
    if (!system_prompt.empty() && role != "model") {
      ss += system_prompt + "\n\n";
      system_prompt.clear();
    }
    ss += trim(m.content) + "<end_of_turn>\n";
  }
  if (add_ass) ss += "<start_of_turn>model\n";
}

}  // namespace

std::string_view chat_template_family_name(ChatTemplateFamily family) {
  for (const auto& [name, f] : kFamilies) {
    if (f == family) return name;
  }
  return "unknown";
}

core::Result<ChatTemplateFamily> detect_chat_template(std::string_view source) {
  for (const auto& [name, f] : kFamilies) {
    if (source == name) return f;
  }
  for (const std::string_view name : kOtherNames) {
    if (source == name) return not_rendered(name);
  }
  return detect_from_text(source);
}

std::string render_chat(ChatTemplateFamily family, std::span<const ChatMessage> messages, bool add_ass) {
  std::string ss;
  switch (family) {
    case F::kChatml:
      for (const ChatMessage& m : messages) ss += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      if (add_ass) ss += "<|im_start|>assistant\n";
      break;
    case F::kMistralV7:
    case F::kMistralV7Tekken: {
      const std::string sp = family == F::kMistralV7 ? " " : "";
      for (const ChatMessage& m : messages) {
        if (m.role == "system") {
          ss += "[SYSTEM_PROMPT]" + sp + m.content + "[/SYSTEM_PROMPT]";
        } else if (m.role == "user") {
          ss += "[INST]" + sp + m.content + "[/INST]";
        } else {
          ss += sp + m.content + "</s>";
        }
      }
      break;
    }
    case F::kMistralV1:
    case F::kMistralV3:
    case F::kMistralV3Tekken:
      render_mistral_v1_v3(family, messages, ss);
      break;
    case F::kLlama2:
    case F::kLlama2Sys:
    case F::kLlama2SysBos:
    case F::kLlama2SysStrip:
      render_llama2(family, messages, ss);
      break;
    case F::kPhi3:
      for (const ChatMessage& m : messages) ss += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
      if (add_ass) ss += "<|assistant|>\n";
      break;
    case F::kPhi4:
      for (const ChatMessage& m : messages) ss += "<|im_start|>" + m.role + "<|im_sep|>" + m.content + "<|im_end|>";
      if (add_ass) ss += "<|im_start|>assistant<|im_sep|>";
      break;
    case F::kFalcon3:
      for (const ChatMessage& m : messages) ss += "<|" + m.role + "|>\n" + m.content + "\n";
      if (add_ass) ss += "<|assistant|>\n";
      break;
    case F::kGlmEdge:
      for (const ChatMessage& m : messages) ss += "<|" + m.role + "|>\n" + m.content;
      if (add_ass) ss += "<|assistant|>";
      break;
    case F::kZephyr:
      for (const ChatMessage& m : messages) ss += "<|" + m.role + "|>\n" + m.content + "<|endoftext|>\n";
      if (add_ass) ss += "<|assistant|>\n";
      break;
    case F::kGemma:
      render_gemma(messages, add_ass, ss);
      break;
    case F::kLlama3:
      for (const ChatMessage& m : messages) {
        ss += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + trim(m.content) + "<|eot_id|>";
      }
      if (add_ass) ss += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
  }
  return ss;
}

core::Result<std::string> apply_chat_template(std::string_view template_source, std::string_view fallback_family,
                                              std::span<const ChatMessage> messages, bool add_assistant_prompt) {
  if (!template_source.empty()) {
    core::Result<F> detected = detect_chat_template(template_source);
    if (detected.is_ok()) return render_chat(*detected, messages, add_assistant_prompt);
    if (detected.status().code() != core::StatusCode::kNotFound) return detected.status().with_context("chat template");
    if (fallback_family.empty()) {
      return core::unsupported("the model's chat template matches no family llama.cpp detects, and no fallback "
                               "template family was given");
    }
  }
  if (fallback_family.empty()) {
    return core::unsupported("the model has no chat template and no fallback template family was given");
  }
  core::Result<F> fallback = detect_chat_template(fallback_family);
  if (!fallback.is_ok()) {
    return core::unsupported("unknown chat template family '" + std::string(fallback_family) + "'");
  }
  return render_chat(*fallback, messages, add_assistant_prompt);
}

}  // namespace greenroute::engine::vocab
