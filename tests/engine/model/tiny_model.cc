// Tiny llama-family GGUF models for tests (see tiny_model.h).
#include "engine/model/tiny_model.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <unistd.h>

#include <gtest/gtest.h>

#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::testing {
namespace {

class WeightGen {
 public:
  explicit WeightGen(std::uint64_t seed) : rng_(seed) {}
  std::vector<float> uniform(std::size_t n, float scale, float offset = 0.0f) {
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = offset + d(rng_);
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

std::vector<std::uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<std::uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

void add(gguf::GgufWriter& w, const TinyModelSpec& spec, const std::string& name,
         std::vector<std::uint64_t> shape, const std::vector<float>& data) {
  if (name == spec.omit_tensor) return;
  if (name == spec.q5_0_tensor) {
    // q5_0 blocks: 32 elements in 22 bytes; contents do not matter, the loader refuses the type.
    const std::size_t n = data.size();
    std::vector<std::uint8_t> bytes(n / 32 * 22, 0);
    ASSERT_TRUE(w.add_tensor(name, quant::GgmlType::kQ5_0, std::move(shape), std::move(bytes)).is_ok());
    return;
  }
  ASSERT_TRUE(w.add_tensor(name, quant::GgmlType::kF32, std::move(shape), f32_bytes(data)).is_ok());
}

void add_vocab(gguf::GgufWriter& w, std::int64_t n_vocab, std::int32_t eos_id) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81"};
  std::vector<float> scores = {0.0f, 0.0f, 0.0f, -1.0f};
  std::vector<std::int32_t> types = {2, 3, 3, 1};
  for (char c = 'a'; c <= 'z' && static_cast<std::int64_t>(tokens.size()) < n_vocab; ++c) {
    tokens.push_back(std::string(1, c));
    scores.push_back(-2.0f);
    types.push_back(1);
  }
  for (char c = 'a'; c <= 'z' && static_cast<std::int64_t>(tokens.size()) < n_vocab; ++c) {
    tokens.push_back("\xE2\x96\x81" + std::string(1, c));
    scores.push_back(-1.5f);
    types.push_back(1);
  }
  for (int i = 0; static_cast<std::int64_t>(tokens.size()) < n_vocab; ++i) {
    tokens.push_back("\xE2\x96\x81w" + std::to_string(i));
    scores.push_back(-3.0f - static_cast<float>(i) * 0.01f);
    types.push_back(1);
  }
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_float32_array("tokenizer.ggml.scores", scores);
  w.set_int32_array("tokenizer.ggml.token_type", types);
  w.set_uint32("tokenizer.ggml.bos_token_id", 1);
  w.set_uint32("tokenizer.ggml.eos_token_id", static_cast<std::uint32_t>(eos_id));
  w.set_uint32("tokenizer.ggml.unknown_token_id", 0);
}

}  // namespace

std::vector<std::uint8_t> tiny_model_bytes(const TinyModelSpec& spec) {
  gguf::GgufWriter w;
  const std::string arch = spec.arch_name_override.empty() ? std::string(model::architecture_name(spec.arch))
                                                           : spec.arch_name_override;
  const std::string p = arch + ".";
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  const auto u32 = [](std::int64_t v) { return static_cast<std::uint32_t>(v); };
  w.set_string("general.architecture", arch);
  w.set_string("general.name", "tiny-" + arch);
  w.set_uint32(p + "context_length", u32(spec.n_ctx_train));
  w.set_uint32(p + "embedding_length", u32(spec.n_embd));
  w.set_uint32(p + "block_count", u32(spec.n_layer));
  w.set_uint32(p + "feed_forward_length", u32(spec.n_ff));
  w.set_uint32(p + "attention.head_count", u32(spec.n_head));
  w.set_uint32(p + "attention.head_count_kv", u32(spec.n_head_kv));
  w.set_float32(p + "attention.layer_norm_rms_epsilon", spec.rms_eps);
  w.set_float32(p + "rope.freq_base", spec.rope_base);
  add_vocab(w, spec.n_vocab, spec.eos_id);

  WeightGen g(spec.seed);
  const std::int64_t hd = spec.n_embd / spec.n_head;
  const std::int64_t n_q = spec.n_head * hd;
  const std::int64_t n_kv = spec.n_head_kv * hd;
  const auto mat = [&](std::int64_t n_in, std::int64_t n_out) {
    return g.uniform(static_cast<std::size_t>(n_in * n_out), 1.7f / std::sqrt(static_cast<float>(n_in)));
  };
  add(w, spec, "token_embd.weight", {u(spec.n_embd), u(spec.n_vocab)},
      g.uniform(static_cast<std::size_t>(spec.n_embd * spec.n_vocab), 1.0f));
  add(w, spec, "output_norm.weight", {u(spec.n_embd)}, g.uniform(static_cast<std::size_t>(spec.n_embd), 0.2f, 1.0f));
  if (!spec.tied_output) add(w, spec, "output.weight", {u(spec.n_embd), u(spec.n_vocab)}, mat(spec.n_embd, spec.n_vocab));
  if (spec.rope_freqs) {
    std::vector<float> ff(static_cast<std::size_t>(hd / 2));
    for (std::size_t i = 0; i < ff.size(); ++i) ff[i] = 1.0f + static_cast<float>(i) * 0.75f;
    add(w, spec, "rope_freqs.weight", {u(hd / 2)}, ff);
  }
  for (std::int64_t il = 0; il < spec.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    add(w, spec, b + "attn_norm.weight", {u(spec.n_embd)}, g.uniform(static_cast<std::size_t>(spec.n_embd), 0.2f, 1.0f));
    add(w, spec, b + "attn_q.weight", {u(spec.n_embd), u(n_q)}, mat(spec.n_embd, n_q));
    add(w, spec, b + "attn_k.weight", {u(spec.n_embd), u(n_kv)}, mat(spec.n_embd, n_kv));
    add(w, spec, b + "attn_v.weight", {u(spec.n_embd), u(n_kv)}, mat(spec.n_embd, n_kv));
    if (spec.arch == model::Architecture::kQwen2) {
      add(w, spec, b + "attn_q.bias", {u(n_q)}, g.uniform(static_cast<std::size_t>(n_q), 0.3f));
      add(w, spec, b + "attn_k.bias", {u(n_kv)}, g.uniform(static_cast<std::size_t>(n_kv), 0.3f));
      add(w, spec, b + "attn_v.bias", {u(n_kv)}, g.uniform(static_cast<std::size_t>(n_kv), 0.3f));
    }
    add(w, spec, b + "attn_output.weight", {u(n_q), u(spec.n_embd)}, mat(n_q, spec.n_embd));
    add(w, spec, b + "ffn_norm.weight", {u(spec.n_embd)}, g.uniform(static_cast<std::size_t>(spec.n_embd), 0.2f, 1.0f));
    add(w, spec, b + "ffn_gate.weight", {u(spec.n_embd), u(spec.n_ff)}, mat(spec.n_embd, spec.n_ff));
    add(w, spec, b + "ffn_up.weight", {u(spec.n_embd), u(spec.n_ff)}, mat(spec.n_embd, spec.n_ff));
    add(w, spec, b + "ffn_down.weight", {u(spec.n_ff), u(spec.n_embd)}, mat(spec.n_ff, spec.n_embd));
  }
  return w.serialize();
}

std::string write_tiny_model(const TinyModelSpec& spec, const std::string& file_name) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("greenroute_tiny_models_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / file_name).string();
  const std::vector<std::uint8_t> bytes = tiny_model_bytes(spec);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return "";
  const std::size_t n = std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return n == bytes.size() ? path : "";
}

std::string stories260k_path() {
  const std::filesystem::path p = std::filesystem::path(GREENROUTE_SHARED_DATA_DIR) / "models" / "stories260K.gguf";
  return std::filesystem::exists(p) ? p.string() : "";
}

}  // namespace greenroute::engine::testing
