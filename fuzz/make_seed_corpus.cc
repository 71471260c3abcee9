// Writes a handful of small valid GGUF files (the fuzzer's seed corpus) into
// the directory given as argv[1]: empty, metadata-only, every value type,
// several tensor types and alignments, and a GGUF v2 variant.
#include <cstdio>
#include <string>
#include <vector>

#include "greenroute/engine/gguf/gguf_file.h"

namespace gguf = greenroute::engine::gguf;
namespace quant = greenroute::engine::quant;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 31 + seed);
  return v;
}

bool save(const std::string& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const std::string path = dir + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

gguf::GgufWriter all_value_types() {
  gguf::GgufWriter w;
  w.set("u8", gguf::Value{gguf::ValueType::kUint8, std::uint64_t{200}});
  w.set("i8", gguf::Value{gguf::ValueType::kInt8, std::int64_t{-5}});
  w.set("u16", gguf::Value{gguf::ValueType::kUint16, std::uint64_t{60000}});
  w.set("i16", gguf::Value{gguf::ValueType::kInt16, std::int64_t{-300}});
  w.set_uint32("u32", 123456);
  w.set_int32("i32", -123456);
  w.set_float32("f32", 0.5f);
  w.set_bool("bool", true);
  w.set_string("str", "hello");
  w.set_uint64("u64", 1ull << 40);
  w.set("i64", gguf::Value{gguf::ValueType::kInt64, std::int64_t{-(1ll << 40)}});
  w.set("f64", gguf::Value{gguf::ValueType::kFloat64, 2.5});
  gguf::ArrayValue bools;
  bools.element_type = gguf::ValueType::kBool;
  bools.ints = {0, 1, 1};
  w.set("bools", gguf::Value{gguf::ValueType::kArray, bools});
  w.set_string_array("strs", {"a", "", "xyz"});
  w.set_float32_array("floats", {1.0f, -1.0f});
  w.set_int32_array("ints", {1, -2, 3});
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = true;
  ok &= save(dir, "empty.gguf", gguf::GgufWriter().serialize());
  ok &= save(dir, "values.gguf", all_value_types().serialize());
  {
    gguf::GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_uint32("llama.block_count", 1);
    w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a"});
    ok &= w.add_tensor("token_embd.weight", quant::GgmlType::kF32, {4, 4}, pattern(64, 1)).is_ok();
    ok &= w.add_tensor("output_norm.weight", quant::GgmlType::kF16, {4}, pattern(8, 2)).is_ok();
    ok &= w.add_tensor("blk.0.attn_q.weight", quant::GgmlType::kQ8_0, {32, 2}, pattern(68, 3)).is_ok();
    ok &= w.add_tensor("blk.0.ffn_up.weight", quant::GgmlType::kQ4_0, {32, 1, 1, 2}, pattern(36, 4)).is_ok();
    ok &= save(dir, "tiny_llama.gguf", w.serialize());
  }
  {
    gguf::GgufWriter w;
    w.set_alignment(64);
    ok &= w.add_tensor("k", quant::GgmlType::kQ4_K, {256}, pattern(144, 5)).is_ok();
    ok &= w.add_tensor("b", quant::GgmlType::kBF16, {3}, pattern(6, 6)).is_ok();
    ok &= save(dir, "align64.gguf", w.serialize());
  }
  {
    // v2 has v3's layout: only the version field differs.
    gguf::GgufWriter w;
    w.set_string("general.name", "v2");
    ok &= w.add_tensor("t", quant::GgmlType::kI32, {2, 2}, pattern(16, 7)).is_ok();
    std::vector<std::uint8_t> bytes = w.serialize();
    bytes[4] = 2;
    ok &= save(dir, "v2.gguf", bytes);
  }
  if (!ok) {
    std::fprintf(stderr, "failed to write the seed corpus to %s\n", dir.c_str());
    return 1;
  }
  return 0;
}
