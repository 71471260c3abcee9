// The preset table. Real-model figures are those of the models' Hugging Face
// config.json (hidden_size, intermediate_size, num_hidden_layers,
// num_attention_heads, num_key_value_heads, vocab_size,
// max_position_embeddings, rope_theta, rms_norm_eps, tie_word_embeddings,
// rope_scaling) as llama.cpp's convert_hf_to_gguf.py carries them over.
#include <array>
#include <sstream>

#include "greenroute/engine/synth/synth.h"

namespace greenroute::engine::synth {

namespace {

constexpr SynthPreset make_tiny() {
  SynthPreset p;
  p.name = "tiny";
  p.description = "test model: llama, SentencePiece vocab 512, 2 layers, 64 embd, 4 heads / 2 kv, untied";
  p.model_name = "greenroute tiny (synthetic)";
  p.arch = SynthArch::kLlama;
  p.vocab_kind = VocabKind::kSpm;
  p.vocab_family = VocabFamily::kLlama2;
  p.n_vocab = 512;
  p.n_ctx = 512;
  p.n_embd = 64;
  p.n_layer = 2;
  p.n_head = 4;
  p.n_head_kv = 2;
  p.n_ff = 160;
  p.rope_freq_base = 10000.0f;
  p.rms_eps = 1e-5f;
  p.tied_embeddings = false;
  return p;
}

constexpr SynthPreset make_tiny_bpe() {
  SynthPreset p = make_tiny();
  p.name = "tiny-bpe";
  p.description = "test model: qwen2 (NeoX RoPE, q/k/v biases), byte-level BPE vocab 512, tied";
  p.model_name = "greenroute tiny-bpe (synthetic)";
  p.arch = SynthArch::kQwen2;
  p.vocab_kind = VocabKind::kGpt2;
  p.vocab_family = VocabFamily::kQwen2;
  p.tokenizer_pre = "qwen2";
  p.rope_freq_base = 1000000.0f;
  p.rms_eps = 1e-6f;
  p.tied_embeddings = true;
  p.attn_bias = true;
  return p;
}

constexpr SynthPreset make_smollm2() {
  SynthPreset p;
  p.name = "smollm2-135m";
  p.description = "SmolLM2-135M shape: llama, 30 layers, 576 embd, 9 heads / 3 kv, ff 1536, vocab 49152";
  p.model_name = "SmolLM2 135M (synthetic)";
  p.arch = SynthArch::kLlama;
  p.vocab_kind = VocabKind::kGpt2;
  p.vocab_family = VocabFamily::kSmolLm;
  p.tokenizer_pre = "smollm";
  p.n_vocab = 49152;
  p.n_ctx = 8192;
  p.n_embd = 576;
  p.n_layer = 30;
  p.n_head = 9;
  p.n_head_kv = 3;
  p.n_ff = 1536;
  p.rope_freq_base = 100000.0f;
  p.rms_eps = 1e-5f;
  p.tied_embeddings = true;
  return p;
}

constexpr SynthPreset make_qwen25() {
  SynthPreset p;
  p.name = "qwen2.5-0.5b";
  p.description = "Qwen2.5-0.5B shape: qwen2, 24 layers, 896 embd, 14 heads / 2 kv, ff 4864, vocab 151936";
  p.model_name = "Qwen2.5 0.5B Instruct (synthetic)";
  p.arch = SynthArch::kQwen2;
  p.vocab_kind = VocabKind::kGpt2;
  p.vocab_family = VocabFamily::kQwen2;
  p.tokenizer_pre = "qwen2";
  p.n_vocab = 151936;
  p.n_ctx = 32768;
  p.n_embd = 896;
  p.n_layer = 24;
  p.n_head = 14;
  p.n_head_kv = 2;
  p.n_ff = 4864;
  p.rope_freq_base = 1000000.0f;
  p.rms_eps = 1e-6f;
  p.tied_embeddings = true;
  p.attn_bias = true;
  return p;
}

constexpr SynthPreset make_llama32() {
  SynthPreset p;
  p.name = "llama-3.2-1b";
  p.description = "Llama-3.2-1B shape: llama, 16 layers, 2048 embd, 32 heads / 8 kv, ff 8192, vocab 128256";
  p.model_name = "Llama 3.2 1B Instruct (synthetic)";
  p.arch = SynthArch::kLlama;
  p.vocab_kind = VocabKind::kGpt2;
  p.vocab_family = VocabFamily::kLlama3;
  p.tokenizer_pre = "llama-bpe";
  p.n_vocab = 128256;
  p.n_ctx = 131072;
  p.n_embd = 2048;
  p.n_layer = 16;
  p.n_head = 32;
  p.n_head_kv = 8;
  p.n_ff = 8192;
  p.rope_freq_base = 500000.0f;
  p.rms_eps = 1e-5f;
  p.tied_embeddings = true;
  p.llama3_rope = Llama3RopeScaling{32.0f, 1.0f, 4.0f, 8192};
  return p;
}

constexpr SynthPreset make_tinyllama() {
  SynthPreset p;
  p.name = "tinyllama-1.1b";
  p.description = "TinyLlama-1.1B shape: llama, 22 layers, 2048 embd, 32 heads / 4 kv, ff 5632, SPM vocab 32000";
  p.model_name = "TinyLlama 1.1B Chat v1.0 (synthetic)";
  p.arch = SynthArch::kLlama;
  p.vocab_kind = VocabKind::kSpm;
  p.vocab_family = VocabFamily::kLlama2;
  p.n_vocab = 32000;
  p.n_ctx = 2048;
  p.n_embd = 2048;
  p.n_layer = 22;
  p.n_head = 32;
  p.n_head_kv = 4;
  p.n_ff = 5632;
  p.rope_freq_base = 10000.0f;
  p.rms_eps = 1e-5f;
  p.tied_embeddings = false;
  return p;
}

constexpr std::array<SynthPreset, 6> kPresets = {
    make_tiny(), make_tiny_bpe(), make_smollm2(), make_qwen25(), make_llama32(), make_tinyllama(),
};

}  // namespace

std::span<const SynthPreset> synth_presets() { return kPresets; }

const SynthPreset* find_synth_preset(std::string_view name) {
  for (const SynthPreset& p : kPresets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string describe_synth_presets() {
  std::ostringstream out;
  for (const SynthPreset& p : kPresets) {
    out << "  " << p.name;
    for (std::size_t i = p.name.size(); i < 16; ++i) out << ' ';
    out << p.description << '\n';
  }
  return out.str();
}

std::string_view arch_name(SynthArch arch) {
  switch (arch) {
    case SynthArch::kLlama: return "llama";
    case SynthArch::kQwen2: return "qwen2";
  }
  return "llama";
}

}  // namespace greenroute::engine::synth
