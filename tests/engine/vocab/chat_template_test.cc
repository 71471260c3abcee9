// Chat templates: detection from template text as llama.cpp's
// llm_chat_detect_template, and each family's rendering of one
// system + user + assistant + user conversation, written out by hand.
#include <gtest/gtest.h>

#include "greenroute/engine/vocab/chat_template.h"

namespace greenroute::engine::vocab {
namespace {

const std::vector<ChatMessage> kChat = {
    {"system", "You are helpful."},
    {"user", "Hi"},
    {"assistant", "Hello!"},
    {"user", "How are you?"},
};

std::string render(std::string_view tmpl, std::string_view fallback = "") {
  auto r = apply_chat_template(tmpl, fallback, kChat, /*add_assistant_prompt=*/true);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : std::string();
}

TEST(ChatTemplate, ChatmlFromQwenStyleTemplate) {
  EXPECT_EQ(render("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                   "'<|im_end|>' + '\\n'}}{% endfor %}"),
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, Llama2WithSystem) {
  EXPECT_EQ(render("{% if messages[0]['role'] == 'system' %}<<SYS>>\\n{% endif %}[INST] {{ content }} [/INST]"),
            "[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST]Hello!</s>[INST] How are you? [/INST]");
}

TEST(ChatTemplate, Llama2WithoutSystemViaFallback) {
  EXPECT_EQ(render("", "llama2"), "[INST] You are helpful.\nHi [/INST]Hello!</s>[INST] How are you? [/INST]");
}

TEST(ChatTemplate, Llama3) {
  EXPECT_EQ(render("{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"),
            "<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Zephyr) {
  EXPECT_EQ(render("{{ '<|user|>\\n' + message['content'] + '<|endoftext|>' }}"),
            "<|system|>\nYou are helpful.<|endoftext|>\n<|user|>\nHi<|endoftext|>\n"
            "<|assistant|>\nHello!<|endoftext|>\n<|user|>\nHow are you?<|endoftext|>\n<|assistant|>\n");
}

TEST(ChatTemplate, TinyLlamaTemplateIsDetectedAsLlamaCppDoes) {
  // TinyLlama-1.1B-Chat's template names <|user|> and <|assistant|> and no
  // literal </s>: llama.cpp's heuristics classify it as glmedge.
  const std::string tinyllama =
      "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + "
      "eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + "
      "eos_token }}\n{% endif %}\n{% endfor %}";
  auto family = detect_chat_template(tinyllama);
  ASSERT_TRUE(family.is_ok());
  EXPECT_EQ(*family, ChatTemplateFamily::kGlmEdge);
  EXPECT_EQ(render(tinyllama),
            "<|system|>\nYou are helpful.<|user|>\nHi<|assistant|>\nHello!<|user|>\nHow are you?<|assistant|>");
}

TEST(ChatTemplate, MistralVariants) {
  EXPECT_EQ(render("{{ '[SYSTEM_PROMPT]' }}{{ '[INST]' }}"),
            "[SYSTEM_PROMPT] You are helpful.[/SYSTEM_PROMPT][INST] Hi[/INST] Hello!</s>[INST] How are you?[/INST]");
  EXPECT_EQ(render("", "mistral-v7-tekken"),
            "[SYSTEM_PROMPT]You are helpful.[/SYSTEM_PROMPT][INST]Hi[/INST]Hello!</s>[INST]How are you?[/INST]");
  EXPECT_EQ(render("{{ ' [INST] ' + system_message }}"),
            " [INST] You are helpful.\n\nHi [/INST] Hello!</s> [INST] How are you? [/INST]");
  EXPECT_EQ(render("{{ '[AVAILABLE_TOOLS]' }}{{ '[INST]' }}"),
            "[INST] You are helpful.\n\nHi[/INST] Hello!</s>[INST] How are you?[/INST]");
  EXPECT_EQ(render("{{ '[AVAILABLE_TOOLS]' }}{{ \"[INST]\" }}"),
            "[INST]You are helpful.\n\nHi[/INST]Hello!</s>[INST]How are you?[/INST]");
}

TEST(ChatTemplate, Gemma) {
  EXPECT_EQ(render("{{ '<start_of_turn>' + role + '\\n' }}"),
            "<start_of_turn>user\nYou are helpful.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
            "<start_of_turn>user\nHow are you?<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatTemplate, Phi3) {
  EXPECT_EQ(render("{{ '<|user|>' }}{{ '<|end|>' }}{{ '<|assistant|>' }}"),
            "<|system|>\nYou are helpful.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n"
            "<|user|>\nHow are you?<|end|>\n<|assistant|>\n");
}

TEST(ChatTemplate, NoAssistantPrompt) {
  auto r = apply_chat_template("chatml", "", std::span(kChat).first(2), false);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, UnknownTemplates) {
  auto none = apply_chat_template("{{ messages }}", "", kChat, true);
  ASSERT_FALSE(none.is_ok());
  EXPECT_EQ(none.status().code(), core::StatusCode::kUnsupported);
  EXPECT_NE(none.status().message().find("fallback"), std::string::npos);
  EXPECT_EQ(render("{{ messages }}", "chatml").substr(0, 12), "<|im_start|>");
  auto empty = apply_chat_template("", "", kChat, true);
  EXPECT_EQ(empty.status().code(), core::StatusCode::kUnsupported);
  auto bad_fallback = apply_chat_template("", "nope", kChat, true);
  EXPECT_EQ(bad_fallback.status().code(), core::StatusCode::kUnsupported);
  // Recognised by llama.cpp but not rendered here: say which.
  auto vicuna = apply_chat_template("USER: {{ x }} ASSISTANT: ", "", kChat, true);
  ASSERT_FALSE(vicuna.is_ok());
  EXPECT_NE(vicuna.status().message().find("vicuna"), std::string::npos);
  EXPECT_EQ(chat_template_family_name(ChatTemplateFamily::kMistralV3Tekken), "mistral-v3-tekken");
}

}  // namespace
}  // namespace greenroute::engine::vocab
