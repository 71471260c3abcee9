// Synthetic models: llama.cpp-compatible GGUF files with the exact shapes of
// real models (or tiny test shapes) and seeded random weights, for `greenroute
// model synth`. They let benchmarks and tests run real-sized workloads without
// downloading weights: the compute and memory per token are those of the real
// model, the text is not.
//
// A file carries complete llama.cpp metadata (hyperparameters, a working
// tokenizer learned from a small built-in corpus, the family's special tokens
// and chat template, llama3 `rope_freqs` where the family has them) and says it
// is synthetic: `general.synthetic = true`, `greenroute.synth.preset`,
// `greenroute.synth.seed`. The same options always produce the same bytes.
//
// Thread contract: presets are immutable (thread-safe); write_synthetic_model()
// is reentrant and uses its own thread pool.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::synth {

enum class SynthArch { kLlama, kQwen2 };
// Tokenizer families: SentencePiece ("llama") or byte-level BPE ("gpt2").
enum class VocabKind { kSpm, kGpt2 };
// Which special tokens, fillers and chat template a vocabulary gets.
enum class VocabFamily { kLlama2, kLlama3, kQwen2, kSmolLm };

struct Llama3RopeScaling {
  float factor = 8.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  std::uint32_t original_context = 8192;
};

struct SynthPreset {
  std::string_view name;
  std::string_view description;   // one line for --help
  std::string_view model_name;     // general.name
  SynthArch arch = SynthArch::kLlama;
  VocabKind vocab_kind = VocabKind::kSpm;
  VocabFamily vocab_family = VocabFamily::kLlama2;
  std::string_view tokenizer_pre;  // tokenizer.ggml.pre (gpt2 vocabularies only)
  std::uint32_t n_vocab = 0;
  std::uint32_t n_ctx = 0;
  std::uint32_t n_embd = 0;
  std::uint32_t n_layer = 0;
  std::uint32_t n_head = 0;
  std::uint32_t n_head_kv = 0;
  std::uint32_t n_ff = 0;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied_embeddings = false;
  bool attn_bias = false;          // q/k/v biases (qwen2)
  std::optional<Llama3RopeScaling> llama3_rope;

  std::uint32_t head_dim() const { return n_embd / n_head; }
};

// All presets, in the order --help lists them.
std::span<const SynthPreset> synth_presets();
const SynthPreset* find_synth_preset(std::string_view name);
// "name  description" lines, one per preset, for --help.
std::string describe_synth_presets();

std::string_view arch_name(SynthArch arch);

struct SynthOptions {
  std::string preset = "tiny";
  // F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K. Norms (and biases, rope_freqs)
  // stay F32. A K-quant tensor whose rows are not a multiple of 256 falls back
  // to Q4_0 (for Q4_K) or Q8_0 (for Q6_K), as llama.cpp's quantize falls back.
  quant::GgmlType weight_type = quant::GgmlType::kQ8_0;
  std::uint64_t seed = 0;
  std::optional<std::uint32_t> n_layer;  // override (e.g. a 1-layer 1B-shape model)
  std::optional<std::uint32_t> n_ctx;    // override of the training context
  int n_threads = 0;                     // 0 = all cores
};

// Validates the options (unknown preset, unsupported type, zero overrides are
// kInvalidArgument) and writes the model to `path` atomically.
core::Status write_synthetic_model(const SynthOptions& options, const std::string& path);

}  // namespace greenroute::engine::synth
