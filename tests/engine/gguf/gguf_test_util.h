// Helpers for GGUF tests: a little-endian byte builder for hand-made (often
// deliberately broken) files, and a small valid file made by GgufWriter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/engine/gguf/gguf_file.h"

namespace greenroute::engine::gguf::testing {

class Bytes {
 public:
  Bytes& u8(std::uint8_t v) { return le(v, 1); }
  Bytes& u16(std::uint16_t v) { return le(v, 2); }
  Bytes& u32(std::uint32_t v) { return le(v, 4); }
  Bytes& u64(std::uint64_t v) { return le(v, 8); }
  Bytes& raw(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& str(std::string_view s) { return u64(s.size()).raw(s); }
  // GGUF header: magic, version, n_tensors, n_kv.
  Bytes& header(std::uint32_t version, std::uint64_t n_tensors, std::uint64_t n_kv) {
    return raw("GGUF").u32(version).u64(n_tensors).u64(n_kv);
  }
  Bytes& kv_u32(std::string_view key, std::uint32_t v) { return str(key).u32(4).u32(v); }
  Bytes& kv_str(std::string_view key, std::string_view v) { return str(key).u32(8).str(v); }
  Bytes& tensor(std::string_view name, const std::vector<std::uint64_t>& shape, std::uint32_t type,
                std::uint64_t offset) {
    str(name).u32(static_cast<std::uint32_t>(shape.size()));
    for (std::uint64_t d : shape) u64(d);
    return u32(type).u64(offset);
  }
  // Zero padding up to a multiple of `alignment`, then `n` data bytes.
  Bytes& data(std::uint64_t n, std::uint64_t alignment = 32) {
    while (b_.size() % alignment != 0) b_.push_back(0);
    for (std::uint64_t i = 0; i < n; ++i) b_.push_back(static_cast<std::uint8_t>(i * 7 + 1));
    return *this;
  }
  const std::vector<std::uint8_t>& get() const { return b_; }

 private:
  Bytes& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<std::uint8_t> b_;
};

// A small valid file with several value types, arrays and two tensors.
inline std::vector<std::uint8_t> small_valid_file() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_uint32("llama.block_count", 2);
  w.set_float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_bool("general.flag", true);
  w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "a", "bc"});
  w.set_float32_array("tokenizer.ggml.scores", {0.0f, -1.5f, 2.25f});
  w.set_int32_array("tokenizer.ggml.token_type", {2, 1, 1});
  std::vector<std::uint8_t> f32(4 * 2 * 4);
  for (std::size_t i = 0; i < f32.size(); ++i) f32[i] = static_cast<std::uint8_t>(i);
  (void)w.add_tensor("tok_embd.weight", quant::GgmlType::kF32, {4, 2}, f32);
  std::vector<std::uint8_t> q8(34, 0x11);
  (void)w.add_tensor("output.weight", quant::GgmlType::kQ8_0, {32}, q8);
  return w.serialize();
}

}  // namespace greenroute::engine::gguf::testing
