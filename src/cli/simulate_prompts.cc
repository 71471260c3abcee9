#include "simulate_prompts.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "bench_prompts.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/vocab/chat_template.h"
#include "greenroute/engine/vocab/tokenizer.h"
#include "greenroute/engine/vocab/vocab_data.h"

namespace greenroute::cli {
namespace {

constexpr double kEstimatedBytesPerToken = 4.0;

// The text a model would see: a chat rendered with the tokenizer's template
// (chatml when it has none), a completion prompt as it is.
core::Result<std::string> prompt_text(const PromptSpec& spec, const engine::vocab::Tokenizer* tok) {
  if (spec.messages.empty()) return spec.prompt;
  std::vector<engine::vocab::ChatMessage> messages;
  for (const PromptMessage& m : spec.messages) messages.push_back({m.role, m.content});
  if (tok == nullptr) {
    std::string text;
    for (const auto& m : messages) text += m.content + "\n";
    return text;
  }
  return engine::vocab::apply_chat_template(tok->chat_template(), "chatml", messages, /*add_assistant_prompt=*/true);
}

}  // namespace

core::Result<PromptLengths> prompt_lengths(const std::string& prompts, const std::string& tokenizer_path) {
  auto set = prompts == "builtin" ? builtin_prompt_set() : read_prompt_set(prompts);
  if (!set.is_ok()) return core::invalid_argument("--prompts: " + set.status().message());

  std::unique_ptr<engine::gguf::GgufFile> file;
  std::unique_ptr<engine::vocab::Tokenizer> tok;
  PromptLengths out;
  if (!tokenizer_path.empty()) {
    auto opened = engine::gguf::GgufFile::open(tokenizer_path);
    if (!opened.is_ok()) return core::invalid_argument("--tokenizer " + tokenizer_path + ": " + opened.status().message());
    file = std::move(opened).value();
    auto vocab = engine::vocab::load_vocab_data(*file);
    if (!vocab.is_ok()) return core::invalid_argument("--tokenizer " + tokenizer_path + ": " + vocab.status().message());
    auto made = engine::vocab::Tokenizer::create(std::move(vocab).value());
    if (!made.is_ok()) return core::invalid_argument("--tokenizer " + tokenizer_path + ": " + made.status().message());
    tok = std::move(made).value();
    out.how = "counted by the tokenizer of " + tokenizer_path;
  } else {
    out.how = fmt::format("ESTIMATED at {:g} bytes of text per token (no --tokenizer)", kEstimatedBytesPerToken);
  }

  bool all_max_tokens = true;
  for (std::size_t i = 0; i < set->prompts.size(); ++i) {
    const PromptSpec& spec = set->prompts[i];
    auto text = prompt_text(spec, tok.get());
    if (!text.is_ok()) {
      return core::invalid_argument(fmt::format("--prompts {}: prompt {}: {}", prompts, i + 1, text.status().message()));
    }
    int n = 0;
    if (tok) {
      const bool chat = !spec.messages.empty();
      // Templates that spell out BOS themselves must not get a second one (as `generate` does).
      const bool template_has_bos = chat && tok->bos() >= 0 && text->rfind(tok->token_text(tok->bos()), 0) == 0;
      n = static_cast<int>(tok->tokenize(*text, /*add_special=*/!template_has_bos, /*parse_special=*/chat).size());
    } else {
      n = static_cast<int>(static_cast<double>(text->size()) / kEstimatedBytesPerToken + 0.5);
    }
    out.prompt_tokens.push_back(std::max(n, 1));
    if (spec.overrides.max_tokens && *spec.overrides.max_tokens >= 1) {
      out.output_tokens.push_back(*spec.overrides.max_tokens);
    } else {
      all_max_tokens = false;
    }
  }
  if (!all_max_tokens) out.output_tokens.clear();
  return out;
}

}  // namespace greenroute::cli
