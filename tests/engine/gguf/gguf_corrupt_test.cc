// Malformed GGUF input: a table of corruptions, every truncation of a small
// valid file, and deterministic random mutations. Each must be a clean error
// (with the right code, naming the key or tensor), never a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_test_util.h"

namespace greenroute::engine::gguf {
namespace {

using core::StatusCode;
using testing::Bytes;

constexpr std::uint32_t kF32 = 0;
constexpr std::uint32_t kQ4_0 = 2;

// A v3 file with one extra kv (already encoded, counted by n_extra_kv) and one tensor.
std::vector<std::uint8_t> one_tensor(std::string_view name, const std::vector<std::uint64_t>& shape,
                                     std::uint32_t type, std::uint64_t offset, std::uint64_t data_bytes,
                                     const Bytes& extra_kv = Bytes(), std::uint64_t n_extra_kv = 0,
                                     std::uint64_t alignment = 32) {
  Bytes b;
  b.header(3, 1, 1 + n_extra_kv).kv_str("general.architecture", "llama");
  b.raw(std::string_view(reinterpret_cast<const char*>(extra_kv.get().data()), extra_kv.get().size()));
  b.tensor(name, shape, type, offset).data(data_bytes, alignment);
  return b.get();
}

struct CorruptCase {
  std::string label;
  std::vector<std::uint8_t> bytes;
  StatusCode code;
  std::vector<std::string> mentions;  // substrings the message must contain
};

std::vector<CorruptCase> corrupt_cases() {
  std::vector<CorruptCase> c;
  const std::uint64_t kHuge = std::uint64_t{1} << 62;
  c.push_back({"bad magic", Bytes().raw("GGML").u32(3).u64(0).u64(0).get(), StatusCode::kCorrupt, {"magic", "GGML"}});
  c.push_back({"too small", Bytes().raw("GG").get(), StatusCode::kCorrupt, {"too small"}});
  c.push_back({"version 0", Bytes().header(0, 0, 0).get(), StatusCode::kCorrupt, {"version 0"}});
  c.push_back({"version 9", Bytes().header(9, 0, 0).get(), StatusCode::kUnsupported, {"version 9"}});
  c.push_back({"huge n_kv", Bytes().header(3, 0, kHuge).get(), StatusCode::kCorrupt, {"n_kv", std::to_string(kHuge)}});
  c.push_back({"max n_kv", Bytes().header(3, 0, ~std::uint64_t{0}).get(), StatusCode::kCorrupt, {"n_kv"}});
  c.push_back({"huge n_tensors", Bytes().header(3, kHuge, 0).get(), StatusCode::kCorrupt, {"n_tensors"}});
  c.push_back({"n_tensors and n_kv together too many",
               Bytes().header(3, 2, 2).kv_u32("a", 1).kv_u32("b", 2).get(), StatusCode::kCorrupt, {"n_tensors"}});
  c.push_back({"huge key length", Bytes().header(3, 0, 1).u64(kHuge).raw("k").u32(4).u32(0).get(),
               StatusCode::kCorrupt, {"metadata entry #0 key", "string length"}});
  c.push_back({"huge string value length", Bytes().header(3, 0, 1).str("name").u32(8).u64(kHuge).raw("abc").get(),
               StatusCode::kCorrupt, {"'name'", "string length"}});
  c.push_back({"huge array length", Bytes().header(3, 0, 1).str("arr").u32(9).u32(4).u64(kHuge).u32(1).get(),
               StatusCode::kCorrupt, {"'arr'", std::to_string(kHuge)}});
  c.push_back({"huge string array length",
               Bytes().header(3, 0, 1).str("toks").u32(9).u32(8).u64(~std::uint64_t{0}).str("a").get(),
               StatusCode::kCorrupt, {"'toks'"}});
  c.push_back({"huge string in array", Bytes().header(3, 0, 1).str("toks").u32(9).u32(8).u64(2).str("a").u64(kHuge).get(),
               StatusCode::kCorrupt, {"'toks'", "element 1"}});
  c.push_back({"bad value type", Bytes().header(3, 0, 1).str("v").u32(13).u32(0).get(), StatusCode::kCorrupt,
               {"'v'", "13"}});
  c.push_back({"bad array element type", Bytes().header(3, 0, 1).str("a").u32(9).u32(99).u64(0).u32(0).get(),
               StatusCode::kCorrupt, {"'a'", "99"}});
  c.push_back({"nested array", Bytes().header(3, 0, 1).str("nest").u32(9).u32(9).u64(1).u32(4).u64(0).get(),
               StatusCode::kUnsupported, {"'nest'", "nested"}});
  c.push_back({"bool not 0/1", Bytes().header(3, 0, 1).str("flag").u32(7).u8(2).get(), StatusCode::kCorrupt,
               {"'flag'", "bool"}});
  c.push_back({"bool array not 0/1", Bytes().header(3, 0, 1).str("flags").u32(9).u32(7).u64(2).u8(1).u8(5).get(),
               StatusCode::kCorrupt, {"'flags'", "bool"}});
  c.push_back({"duplicate key", Bytes().header(3, 0, 2).kv_u32("dup.key", 1).kv_u32("dup.key", 2).get(),
               StatusCode::kCorrupt, {"'dup.key'", "duplicate"}});
  c.push_back({"alignment not power of two", one_tensor("t", {8}, kF32, 0, 32, Bytes().kv_u32("general.alignment", 48), 1),
               StatusCode::kCorrupt, {"general.alignment", "48"}});
  c.push_back({"alignment zero", one_tensor("t", {8}, kF32, 0, 32, Bytes().kv_u32("general.alignment", 0), 1),
               StatusCode::kCorrupt, {"general.alignment"}});
  c.push_back({"alignment wrong type",
               one_tensor("t", {8}, kF32, 0, 32, Bytes().str("general.alignment").u32(10).u64(32), 1),
               StatusCode::kCorrupt, {"general.alignment", "u64"}});
  c.push_back({"bad tensor type", one_tensor("blk.0.attn_q.weight", {8}, 99, 0, 32), StatusCode::kCorrupt,
               {"'blk.0.attn_q.weight'", "99"}});
  c.push_back({"retired tensor type 4", one_tensor("old", {32}, 4, 0, 32), StatusCode::kCorrupt, {"'old'", "type id 4"}});
  c.push_back({"n_dims 0", one_tensor("t0", {}, kF32, 0, 32), StatusCode::kCorrupt, {"'t0'", "n_dims 0"}});
  c.push_back({"n_dims 5", one_tensor("t5", {1, 1, 1, 1, 1}, kF32, 0, 32), StatusCode::kCorrupt, {"'t5'", "n_dims 5"}});
  c.push_back({"zero dim", one_tensor("tz", {4, 0}, kF32, 0, 32), StatusCode::kCorrupt, {"'tz'", "dimension 1 is 0"}});
  c.push_back({"dims overflow", one_tensor("big", {1ull << 32, 1ull << 32}, kF32, 0, 32), StatusCode::kCorrupt,
               {"'big'", "overflow"}});
  c.push_back({"dim above int64", one_tensor("big1", {1ull << 63}, kF32, 0, 32), StatusCode::kCorrupt,
               {"'big1'", "overflow"}});
  c.push_back({"bytes overflow", one_tensor("bytes", {1ull << 61, 2}, kF32, 0, 32), StatusCode::kCorrupt,
               {"'bytes'", "overflow"}});
  c.push_back({"row not multiple of block", one_tensor("q", {33}, kQ4_0, 0, 64), StatusCode::kCorrupt,
               {"'q'", "row length 33", "block size 32"}});
  c.push_back({"misaligned offset", one_tensor("mis", {8}, kF32, 8, 64), StatusCode::kCorrupt,
               {"'mis'", "offset 8", "alignment 32"}});
  c.push_back({"tensor past end", one_tensor("blk.0.attn_q.weight", {8, 2}, kF32, 0, 63), StatusCode::kCorrupt,
               {"'blk.0.attn_q.weight'", "[offset 0, 64 bytes] extends past end of file"}});
  c.push_back({"offset past end", one_tensor("far", {8}, kF32, 1024, 64), StatusCode::kCorrupt,
               {"'far'", "offset 1024"}});
  c.push_back({"offset overflows", one_tensor("wrap", {8}, kF32, ~std::uint64_t{31}, 64), StatusCode::kCorrupt,
               {"'wrap'", "past end"}});
  c.push_back({"empty tensor name", one_tensor("", {8}, kF32, 0, 32), StatusCode::kCorrupt, {"tensor info #0", "empty"}});
  c.push_back({"tensor name too long", one_tensor(std::string(64, 'n'), {8}, kF32, 0, 32), StatusCode::kCorrupt,
               {"nnnn", "64 bytes"}});
  {
    Bytes b;
    b.header(3, 2, 0).tensor("same", {8}, kF32, 0).tensor("same", {8}, kF32, 32).data(64);
    c.push_back({"duplicate tensor", b.get(), StatusCode::kCorrupt, {"'same'", "duplicate"}});
  }
  c.push_back({"file ends inside dimensions", Bytes().header(3, 1, 0).str("dims").u32(4).u64(8).u64(1).u64(0).get(),
               StatusCode::kCorrupt, {"'dims'", "dimensions"}});
  c.push_back({"truncated value", Bytes().header(3, 0, 1).str("u64key").u32(10).u32(0).u8(0).get(), StatusCode::kCorrupt,
               {"'u64key'"}});
  c.push_back({"non-printable key is escaped", Bytes().header(3, 0, 1).str(std::string("k\x01", 2)).u32(77).u32(0).get(),
               StatusCode::kCorrupt, {"'k\\x01'"}});
  return c;
}

TEST(GgufCorrupt, TableOfCases) {
  for (const CorruptCase& c : corrupt_cases()) {
    SCOPED_TRACE(c.label);
    auto r = GgufFile::from_memory(c.bytes);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().to_string();
    for (const std::string& m : c.mentions) {
      EXPECT_NE(r.status().message().find(m), std::string::npos)
          << "message '" << r.status().message() << "' lacks '" << m << "'";
    }
  }
}

// Reads every value and every tensor byte of a parsed file, so ASan sees any
// out-of-bounds pointer the parser might have let through.
std::uint64_t touch_everything(const GgufFile& f) {
  std::uint64_t sum = 0;
  for (const KeyValue& kv : f.metadata()) {
    sum += kv.key.size() + static_cast<std::uint64_t>(kv.value.type);
    if (const auto* a = std::get_if<ArrayValue>(&kv.value.data)) {
      sum += a->size();
      for (const std::string& s : a->strings) sum += s.size();
    } else if (const auto* s = std::get_if<std::string>(&kv.value.data)) {
      sum += s->size();
    }
  }
  for (const TensorInfo& t : f.tensors()) {
    const std::uint8_t* p = f.tensor_data(t);
    for (std::uint64_t i = 0; i < t.n_bytes; ++i) sum += p[i];
  }
  return sum;
}

TEST(GgufCorrupt, EveryTruncationFailsCleanly) {
  const std::vector<std::uint8_t> full = testing::small_valid_file();
  auto whole = GgufFile::from_memory(full);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  // Past the last tensor's data only padding remains; dropping it is harmless.
  std::uint64_t needed = whole.value()->data_offset();
  for (const TensorInfo& t : whole.value()->tensors()) needed = std::max(needed, whole.value()->data_offset() + t.offset + t.n_bytes);
  for (std::size_t n = 0; n < full.size(); ++n) {
    // A fresh heap copy of exactly n bytes, so ASan flags any read past it.
    std::vector<std::uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = GgufFile::from_memory(prefix);
    if (n < needed) {
      ASSERT_FALSE(r.is_ok()) << "prefix of " << n << " bytes parsed";
      EXPECT_TRUE(r.status().code() == StatusCode::kCorrupt) << n << ": " << r.status().to_string();
    } else {
      ASSERT_TRUE(r.is_ok()) << n << ": " << r.status().to_string();
      touch_everything(*r.value());
    }
  }
}

TEST(GgufCorrupt, RandomMutationsNeverCrash) {
  const std::vector<std::uint8_t> full = testing::small_valid_file();
  core::Rng rng(20240611);
  int accepted = 0;
  constexpr int kMutations = 4000;
  for (int iter = 0; iter < kMutations; ++iter) {
    std::vector<std::uint8_t> m = full;
    const int flips = 1 + static_cast<int>(rng.next_u64() % 4);
    for (int k = 0; k < flips; ++k) {
      const std::size_t pos = rng.next_u64() % m.size();
      if (rng.next_u64() % 4 == 0) {
        // Extreme bytes stress the size and count fields harder than bit flips.
        m[pos] = (rng.next_u64() % 2) ? 0xff : 0x00;
      } else {
        m[pos] ^= static_cast<std::uint8_t>(1u << (rng.next_u64() % 8));
      }
    }
    auto r = GgufFile::from_memory(m);
    if (r.is_ok()) {
      ++accepted;
      touch_everything(*r.value());
    } else {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  // Flips inside tensor data or string bytes are legitimately still valid.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, kMutations);
}

}  // namespace
}  // namespace greenroute::engine::gguf
