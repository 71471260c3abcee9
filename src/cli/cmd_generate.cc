// `greenroute generate`: text for one prompt or a batch of prompts on the
// embedded engine, with per-sequence timing and, on request, log-probabilities.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "byte_size.h"
#include "cli_common.h"
#include "greenroute/core/clock.h"
#include "greenroute/engine/batch/generator.h"
#include "greenroute/engine/context/context.h"
#include "greenroute/engine/model/memory_model.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/vocab/chat_template.h"
#include "prompt_file.h"

namespace greenroute::cli {

namespace {

namespace batch = engine::batch;
namespace model = engine::model;
namespace sampling = engine::sampling;

struct GenerateOptions {
  std::string model_path;
  std::string prompt;
  std::string prompts_path;
  int batch = 4;
  int threads = 0;
  int max_tokens = 64;
  float temperature = 0.8f;
  int top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  float repeat_penalty = 1.0f;
  int repeat_last_n = 64;
  std::uint64_t seed = 0;
  std::vector<std::string> stop;
  int logprobs = 0;
  bool json = false;
  bool chat = false;
  std::string chat_template;
  bool ignore_eos = false;
  std::int64_t ctx = 0;
  std::string memory_limit;
  std::string kv_type = "f16";
};

// A prompt ready to run: its source spec and its tokens.
struct PreparedPrompt {
  PromptSpec spec;
  std::string display;  // what the user gave (or the templated chat)
  batch::GenerationRequest request;
};

std::string label(const PromptSpec& spec, std::size_t index) {
  return spec.line > 0 ? fmt::format("prompt on line {}", spec.line) : fmt::format("prompt {}", index + 1);
}

core::Result<PreparedPrompt> prepare(const model::Model& m, const GenerateOptions& o, PromptSpec spec,
                                     std::size_t index) {
  const engine::vocab::Tokenizer& tok = m.tokenizer();
  PreparedPrompt p;
  if (!spec.messages.empty()) {
    std::vector<engine::vocab::ChatMessage> msgs;
    for (const auto& msg : spec.messages) msgs.push_back({msg.role, msg.content});
    auto text = engine::vocab::apply_chat_template(tok.chat_template(), o.chat_template, msgs, /*add_assistant_prompt=*/true);
    if (!text.is_ok()) return text.status().with_context(label(spec, index));
    p.display = *text;
    // Templates that spell out BOS themselves must not get a second one.
    const bool template_has_bos =
        tok.bos() >= 0 && p.display.rfind(tok.token_text(tok.bos()), 0) == 0;
    p.request.prompt = tok.tokenize(p.display, /*add_special=*/!template_has_bos, /*parse_special=*/true);
  } else {
    p.display = spec.prompt;
    p.request.prompt = tok.tokenize(spec.prompt, /*add_special=*/true, /*parse_special=*/false);
  }
  const PromptOverrides& ov = spec.overrides;
  sampling::SamplingParams& s = p.request.sampling;
  s.temperature = ov.temperature.value_or(o.temperature);
  s.top_k = ov.top_k.value_or(o.top_k);
  s.top_p = ov.top_p.value_or(o.top_p);
  s.min_p = ov.min_p.value_or(o.min_p);
  s.repeat_penalty = ov.repeat_penalty.value_or(o.repeat_penalty);
  s.repeat_last_n = o.repeat_last_n;
  s.seed = ov.seed.value_or(o.seed + index);  // distinct streams per prompt unless pinned
  core::Status valid = s.validate();
  if (!valid.is_ok()) return valid.with_context(label(spec, index));
  p.request.max_tokens = ov.max_tokens.value_or(o.max_tokens);
  if (p.request.max_tokens < 1) return core::invalid_argument(label(spec, index) + ": max_tokens must be at least 1");
  p.request.stop = ov.stop.value_or(o.stop);
  p.request.logprobs = ov.logprobs.value_or(o.logprobs);
  p.request.ignore_eos = o.ignore_eos;
  p.spec = std::move(spec);
  return p;
}

nlohmann::json logprob_json(const engine::vocab::Tokenizer& tok, const batch::GenerationResult& r) {
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t i = 0; i < r.tokens.size() && i < r.logprobs.size(); ++i) {
    nlohmann::json e = {{"token", r.tokens[i]}, {"text", tok.token_to_piece(r.tokens[i], true)}, {"logprob", r.logprobs[i]}};
    nlohmann::json top = nlohmann::json::array();
    if (i < r.top_logprobs.size()) {
      for (const auto& t : r.top_logprobs[i]) {
        top.push_back({{"token", t.token}, {"text", tok.token_to_piece(t.token, true)}, {"logprob", t.logprob}});
      }
    }
    e["top_logprobs"] = std::move(top);
    arr.push_back(std::move(e));
  }
  return arr;
}

std::uint64_t peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;
}

int run_generate(const GenerateOptions& o) {
  if (o.prompt.empty() == o.prompts_path.empty()) {
    return fail("give exactly one of --prompt TEXT or --prompts FILE.jsonl", kExitUsage);
  }
  std::vector<PromptSpec> specs;
  if (!o.prompt.empty()) {
    PromptSpec spec;
    if (o.chat) spec.messages.push_back({"user", o.prompt});
    else spec.prompt = o.prompt;
    specs.push_back(std::move(spec));
  } else {
    auto r = read_prompts_file(o.prompts_path);
    if (!r.is_ok()) return fail(r.status());
    specs = std::move(r).value();
  }
  std::uint64_t memory_limit = 0;
  if (!o.memory_limit.empty()) {
    auto l = parse_byte_size(o.memory_limit);
    if (!l.is_ok()) return fail(l.status());
    memory_limit = *l;
  }
  auto kv_type = engine::quant::parse_type_name(o.kv_type);
  if (!kv_type || (*kv_type != engine::quant::GgmlType::kF16 && *kv_type != engine::quant::GgmlType::kF32)) {
    return fail("--kv-type must be f16 or f32, got '" + o.kv_type + "'", kExitUsage);
  }

  core::SteadyClock clock;
  const double t_load0 = clock.now_ms();
  auto model_r = model::Model::load(o.model_path);
  if (!model_r.is_ok()) return fail(model_r.status());
  const model::Model& m = **model_r;
  const double load_ms = clock.now_ms() - t_load0;

  std::vector<PreparedPrompt> prompts;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto p = prepare(m, o, std::move(specs[i]), i);
    if (!p.is_ok()) return fail(p.status());
    prompts.push_back(std::move(p).value());
  }

  const int n_batch = std::min<int>(o.batch, static_cast<int>(prompts.size()));
  engine::context::ContextParams cp;
  cp.n_threads = o.threads;
  cp.n_ctx = o.ctx;
  cp.max_sequences = n_batch;
  cp.kv_type = *kv_type;
  cp.memory_limit_bytes = memory_limit;
  auto ctx_r = engine::context::Context::create(m, cp);
  if (!ctx_r.is_ok()) return fail(ctx_r.status());
  engine::context::Context& ctx = **ctx_r;

  // Refuse up front, with the figures, a batch the memory limit cannot hold.
  std::int64_t longest = 0;
  for (const auto& p : prompts) {
    const auto len = static_cast<std::int64_t>(p.request.prompt.size()) + p.request.max_tokens;
    if (static_cast<std::int64_t>(p.request.prompt.size()) >= ctx.params().n_ctx) {
      return fail(fmt::format("{}: {} tokens do not fit the context of {} tokens (use --ctx, up to the model's {})",
                              label(p.spec, static_cast<std::size_t>(&p - prompts.data())), p.request.prompt.size(),
                              ctx.params().n_ctx, m.config().n_ctx_train));
    }
    longest = std::max(longest, std::min(len, ctx.params().n_ctx));
  }
  const model::MemoryModel& mm = ctx.memory_model();
  core::Status fits = mm.check_fits(n_batch, longest, memory_limit);
  if (!fits.is_ok()) return fail(fits);

  std::vector<batch::GenerationRequest> requests;
  for (const auto& p : prompts) requests.push_back(p.request);
  batch::Generator gen(ctx, clock);
  const double t0 = clock.now_ms();
  auto results_r = gen.run_to_completion(std::move(requests), n_batch);
  if (!results_r.is_ok()) return fail(results_r.status());
  const double wall_ms = clock.now_ms() - t0;
  const auto& results = *results_r;

  const engine::vocab::Tokenizer& tok = m.tokenizer();
  std::int64_t total_generated = 0, total_prompt = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const auto& p = prompts[i];
    total_generated += static_cast<std::int64_t>(r.tokens.size());
    total_prompt += r.prompt_tokens;
    if (o.json) {
      nlohmann::json j = {{"index", i},
                          {"prompt", p.display},
                          {"prompt_tokens", r.prompt_tokens},
                          {"prompt_token_ids", p.request.prompt},
                          {"completion", r.text},
                          {"completion_tokens", r.tokens.size()},
                          {"token_ids", r.tokens},
                          {"finish_reason", batch::finish_reason_name(r.reason)},
                          {"ttft_ms", r.ttft_ms},
                          {"total_ms", r.total_ms}};
      if (p.request.logprobs > 0 || !r.logprobs.empty()) j["logprobs"] = logprob_json(tok, r);
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      fmt::print("── [{}] {}\n{}\n", i + 1, p.spec.messages.empty() ? p.display : p.spec.messages.back().content, r.text);
      fmt::print("   prompt {} tok · generated {} tok · TTFT {:.0f} ms · total {:.0f} ms · finish {}\n\n",
                 r.prompt_tokens, r.tokens.size(), r.ttft_ms, r.total_ms, batch::finish_reason_name(r.reason));
    }
  }
  if (!o.json) {
    fmt::print("{} prompts, batch {}, {} threads: {} prompt + {} generated tokens in {:.2f} s ({:.1f} generated tok/s); "
               "model load {:.0f} ms\n",
               results.size(), n_batch, ctx.params().n_threads, total_prompt, total_generated, wall_ms / 1000,
               wall_ms > 0 ? static_cast<double>(total_generated) * 1000.0 / wall_ms : 0.0, load_ms);
    fmt::print("memory: model predicts {} for {} x {} tokens (weights {}, KV {}/token/seq, compute {}){}; "
               "peak RSS {}\n",
               model::format_bytes(mm.bytes_for(n_batch, longest)), n_batch, longest,
               model::format_bytes(mm.weight_bytes), model::format_bytes(mm.kv_bytes_per_token),
               model::format_bytes(mm.compute_bytes()),
               memory_limit ? ", limit " + model::format_bytes(memory_limit) : std::string(),
               model::format_bytes(peak_rss_bytes()));
    if (m.config().synthetic) {
      fmt::print("note: {} is a synthetic model with random weights; its text is meaningless by design.\n", o.model_path);
    }
  }
  return kExitOk;
}

}  // namespace

void register_generate_command(CLI::App& root, std::vector<Command>& commands) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = root.add_subcommand("generate", "Generate text for one prompt or a batch of prompts on the embedded engine");
  cmd->footer(
      "Prints each completion with its prompt tokens, generated tokens, time to first token and total time,\n"
      "then the batch's throughput and memory (the memory model's prediction and the peak RSS).\n"
      "--prompts takes JSONL: one {\"prompt\": \"...\"} or {\"messages\": [{\"role\": ..., \"content\": ...}]} per line;\n"
      "a line may override max_tokens, temperature, top_k, top_p, min_p, repeat_penalty, seed, stop, logprobs.\n"
      "Exit status: 0 ok, 1 the work failed (bad model file, does not fit), 2 bad flags or prompt file.");
  cmd->add_option("--model,-m", o->model_path, "GGUF model file")->required();
  cmd->add_option("--prompt,-p", o->prompt, "One prompt");
  cmd->add_option("--prompts", o->prompts_path, "JSONL file of prompts");
  cmd->add_flag("--chat", o->chat, "Wrap --prompt in the model's chat template as a user message");
  cmd->add_option("--chat-template", o->chat_template,
                  "Chat template family for models whose file has none (chatml, llama2, llama3, zephyr, gemma, ...)");
  cmd->add_option("--batch,-b", o->batch, "Sequences decoded together (continuous batching)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--threads,-t", o->threads, "Compute threads (default: all cores)")->check(CLI::Range(0, 512));
  cmd->add_option("--max-tokens,-n", o->max_tokens, "Tokens to generate per prompt")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temperature", o->temperature, "Sampling temperature; 0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", o->top_k, "Keep the k most likely tokens; 0 = off")->capture_default_str();
  cmd->add_option("--top-p", o->top_p, "Nucleus sampling mass; 1 = off")->capture_default_str();
  cmd->add_option("--min-p", o->min_p, "Drop tokens below min_p x the top probability; 0 = off")->capture_default_str();
  cmd->add_option("--repeat-penalty", o->repeat_penalty, "Penalty on recent tokens; 1 = off")->capture_default_str();
  cmd->add_option("--repeat-last-n", o->repeat_last_n, "How many recent tokens the penalty sees")
      ->capture_default_str()->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--seed", o->seed, "Random seed (prompt i uses seed + i unless its line sets one)")->capture_default_str();
  cmd->add_option("--stop", o->stop, "Stop string (repeatable); it is not included in the output");
  cmd->add_option("--logprobs", o->logprobs, "Report the top-K log-probabilities of each generated token")
      ->check(CLI::Range(0, 20));
  cmd->add_flag("--ignore-eos", o->ignore_eos, "Keep generating past end-of-generation tokens");
  cmd->add_flag("--json", o->json, "One JSON object per prompt (with token ids) instead of text");
  cmd->add_option("--ctx", o->ctx, "Context length per sequence (default: min(training context, 4096))")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory-limit", o->memory_limit,
                  "Refuse a batch whose weights + KV + compute would exceed this (e.g. 2GiB)");
  cmd->add_option("--kv-type", o->kv_type, "KV cache precision: f16 (as llama.cpp) or f32")->capture_default_str();
  commands.push_back({cmd, [o] { return run_generate(*o); }});
}

}  // namespace greenroute::cli
