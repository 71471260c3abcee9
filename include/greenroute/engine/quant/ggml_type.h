// Tensor element types, numbered as in ggml/GGUF, and their block layout.
//
// A quantized tensor row of n elements is n / block_size blocks of type_size
// bytes each. The table covers every type GGUF files may name, so a reader can
// size any tensor; `supported` marks those greenroute's kernels compute with.
// Thread-safe: immutable data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace greenroute::engine::quant {

enum class GgmlType : std::uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
};

struct TypeTraits {
  GgmlType type;
  std::string_view name;      // as ggml names it: "f32", "q4_K", ...
  std::uint32_t block_size;   // elements per block (1 for plain types)
  std::uint32_t type_size;    // bytes per block
  bool supported;             // greenroute can compute with weights of this type
};

// Traits of a raw type id as found in a file; nullopt if the id is unknown.
std::optional<TypeTraits> type_traits(std::uint32_t raw_type);
// Traits of a known type (always present).
const TypeTraits& traits(GgmlType type);

std::string_view type_name(GgmlType type);
// Parses "f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k" (case-insensitive).
std::optional<GgmlType> parse_type_name(std::string_view name);

// Bytes of a row of n elements; n must be a multiple of the block size
// (callers validate that first with is_valid_row_length).
std::size_t row_bytes(GgmlType type, std::uint64_t n);
bool is_valid_row_length(GgmlType type, std::uint64_t n);

}  // namespace greenroute::engine::quant
