// greenroute side of `make bench`: times our engine on one GGUF file exactly
// as bench/llama_bench.mjs times llama.cpp, and writes one JSON result.
//
//   engine_bench run --model F.gguf --out R.json [--threads 2] [--prompt-tokens 128]
//                    [--decode-tokens 16] [--batches 1,4,8] [--runs 3]
//   engine_bench synth --preset P --type T --out F.gguf [--seed S]   (writes a model once)
//
// Timed (wall clock, median of --runs):
// - prefill: one sequence evaluates a --prompt-tokens prompt in one decode();
// - decode at batch B: B sequences, each holding a short prompt, take
//   --decode-tokens greedy steps; every step is ONE decode() over all B
//   sequences (what llama.cpp does with concurrent sequences); aggregate
//   tokens/s = B * steps / time.
// Prompt ids use the same formula as llama_bench.mjs (bench_token).
// Peak memory: getrusage ru_maxrss of this process after all runs, minus its
// value before the model was loaded.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenroute/engine/context/context.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/synth/synth.h"

namespace {

using greenroute::engine::context::Context;
using greenroute::engine::context::ContextParams;
using greenroute::engine::context::SequenceChunk;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kShortPrompt = 16;  // tokens each sequence holds before decode is timed

// Shared with llama_bench.mjs: ordinary ids in [100, 100 + span).
std::int32_t bench_token(std::int64_t n_vocab, int sequence, int position) {
  const std::int64_t span = std::min<std::int64_t>(5000, n_vocab - 200);
  return static_cast<std::int32_t>(100 + (static_cast<std::int64_t>(position) * 7919 + sequence * 104729) % span);
}

std::vector<std::int32_t> bench_prompt(std::int64_t n_vocab, int sequence, int length) {
  std::vector<std::int32_t> out;
  for (int i = 0; i < length; ++i) out.push_back(bench_token(n_vocab, sequence, i));
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::uint64_t max_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int fail(const std::string& message) {
  std::fprintf(stderr, "engine_bench: %s\n", message.c_str());
  return 2;
}

std::map<std::string, std::string> parse_flags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  return flags;
}

std::string flag(const std::map<std::string, std::string>& flags, const std::string& name, const std::string& def) {
  const auto it = flags.find(name);
  return it == flags.end() ? def : it->second;
}

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}

// Bytes one decode step must stream from memory for the weights: every tensor
// except the token embedding table, of which only the looked-up rows are read
// (unless it doubles as the output matrix).
std::uint64_t weight_bytes_per_step(const greenroute::engine::model::Model& model) {
  const auto& file = model.file();
  const bool tied = file.find_tensor("output.weight") == nullptr;
  std::uint64_t bytes = 0;
  for (const auto& t : file.tensors()) {
    if (t.name == "token_embd.weight" && !tied) continue;
    bytes += t.n_bytes;
  }
  return bytes;
}

int run_synth(const std::map<std::string, std::string>& flags) {
  greenroute::engine::synth::SynthOptions opts;
  opts.preset = flag(flags, "--preset", "llama-3.2-1b");
  const auto type = greenroute::engine::quant::parse_type_name(flag(flags, "--type", "q8_0"));
  if (!type) return fail("unknown --type");
  opts.weight_type = *type;
  opts.seed = std::stoull(flag(flags, "--seed", "1"));
  const std::string out = flag(flags, "--out", "");
  if (out.empty()) return fail("--out is required");
  const greenroute::core::Status st = greenroute::engine::synth::write_synthetic_model(opts, out);
  if (!st.is_ok()) return fail(st.to_string());
  return 0;
}

int run_bench(const std::map<std::string, std::string>& flags) {
  const std::string model_path = flag(flags, "--model", "");
  const std::string out_path = flag(flags, "--out", "");
  if (model_path.empty() || out_path.empty()) return fail("--model and --out are required");
  const int threads = std::stoi(flag(flags, "--threads", "2"));
  const int prompt_tokens = std::stoi(flag(flags, "--prompt-tokens", "128"));
  const int decode_tokens = std::stoi(flag(flags, "--decode-tokens", "16"));
  const std::vector<int> batches = parse_list(flag(flags, "--batches", "1,4,8"));
  const int runs = std::stoi(flag(flags, "--runs", "3"));
  const int max_batch = *std::max_element(batches.begin(), batches.end());

  const std::uint64_t baseline = max_rss_bytes();
  const auto load_start = Clock::now();
  auto model = greenroute::engine::model::Model::load(model_path);
  if (!model.is_ok()) return fail(model.status().to_string());
  const double load_s = seconds_since(load_start);
  const std::int64_t n_vocab = (*model)->config().n_vocab;
  if (n_vocab <= 300) return fail("vocabulary too small for the bench prompts");

  ContextParams params;
  params.n_threads = threads;
  params.n_ctx = std::max(prompt_tokens, kShortPrompt + decode_tokens) + 16;
  params.max_sequences = max_batch;
  params.max_batch_tokens = std::max(prompt_tokens, max_batch);
  auto ctx = Context::create(**model, params);
  if (!ctx.is_ok()) return fail(ctx.status().to_string());
  Context& c = **ctx;
  std::vector<float> logits;

  // Prefill.
  std::vector<double> prefill_runs;
  const std::vector<std::int32_t> long_prompt = bench_prompt(n_vocab, 0, prompt_tokens);
  for (int r = 0; r < runs; ++r) {
    auto seq = c.add_sequence();
    if (!seq.is_ok()) return fail(seq.status().to_string());
    const SequenceChunk chunk{*seq, long_prompt};
    const auto t0 = Clock::now();
    const auto st = c.decode(std::span<const SequenceChunk>(&chunk, 1), logits);
    prefill_runs.push_back(seconds_since(t0));
    c.remove_sequence(*seq);
    if (!st.is_ok()) return fail(st.to_string());
  }
  const double prefill_s = median(prefill_runs);
  json result{{"engine", "greenroute"},
              {"model", model_path},
              {"threads", threads},
              {"load_s", load_s},
              {"weight_bytes_per_step", weight_bytes_per_step(**model)},
              {"prefill",
               {{"tokens", prompt_tokens}, {"seconds", prefill_s}, {"tokens_per_s", prompt_tokens / prefill_s},
                {"runs", prefill_runs}}},
              {"decode", json::array()}};

  // Decode at each batch size.
  for (const int batch : batches) {
    std::vector<double> decode_runs;
    for (int r = 0; r < runs; ++r) {
      std::vector<int> seqs;
      std::vector<std::vector<std::int32_t>> prompts;
      std::vector<SequenceChunk> chunks;
      for (int s = 0; s < batch; ++s) {
        auto seq = c.add_sequence();
        if (!seq.is_ok()) return fail(seq.status().to_string());
        seqs.push_back(*seq);
        prompts.push_back(bench_prompt(n_vocab, s + 1, kShortPrompt));
      }
      // Hold all but the last prompt token, untimed (one batched decode).
      for (int s = 0; s < batch; ++s) {
        chunks.push_back({seqs[s], std::span<const std::int32_t>(prompts[s].data(), kShortPrompt - 1)});
      }
      if (auto st = c.decode(chunks, logits); !st.is_ok()) return fail(st.to_string());
      std::vector<std::int32_t> next(static_cast<std::size_t>(batch));
      for (int s = 0; s < batch; ++s) next[s] = prompts[s].back();
      const auto t0 = Clock::now();
      for (int step = 0; step < decode_tokens; ++step) {
        chunks.clear();
        for (int s = 0; s < batch; ++s) chunks.push_back({seqs[s], std::span<const std::int32_t>(&next[s], 1)});
        if (auto st = c.decode(chunks, logits); !st.is_ok()) return fail(st.to_string());
        // Greedy pick per sequence, as llama_bench.mjs samples at temperature 0.
        for (int s = 0; s < batch; ++s) {
          const float* row = logits.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(n_vocab);
          next[s] = static_cast<std::int32_t>(std::max_element(row, row + n_vocab) - row);
        }
      }
      decode_runs.push_back(seconds_since(t0));
      for (int s : seqs) c.remove_sequence(s);
    }
    const double s = median(decode_runs);
    const int tokens = batch * decode_tokens;
    result["decode"].push_back(
        {{"batch", batch}, {"tokens", tokens}, {"seconds", s}, {"tokens_per_s", tokens / s}, {"runs", decode_runs}});
  }
  result["peak_rss_bytes"] = max_rss_bytes() - baseline;
  result["baseline_rss_bytes"] = baseline;
  std::ofstream(out_path) << result.dump(2);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail("usage: engine_bench run|synth --flag value ...");
  const std::string command = argv[1];
  const auto flags = parse_flags(argc, argv, 2);
  try {
    if (command == "run") return run_bench(flags);
    if (command == "synth") return run_synth(flags);
  } catch (const std::exception& e) {  // std::stoi on a bad flag value
    return fail(std::string("bad flag value: ") + e.what());
  }
  return fail("unknown command " + command);
}
