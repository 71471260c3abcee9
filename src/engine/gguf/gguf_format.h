// Private pieces of the GGUF format shared by the reader and the writer:
// constants, value-type facts, overflow-checked arithmetic, the tensor shape
// rules, and quoting of untrusted names for error messages.
//
// Thread-safe: stateless functions and constants.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::gguf::format {

inline constexpr std::uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32
inline constexpr std::uint32_t kWriteVersion = 3;
inline constexpr std::uint64_t kDefaultAlignment = 32;
inline constexpr std::string_view kAlignmentKey = "general.alignment";
// ggml tensors have at most 4 dimensions (GGML_MAX_DIMS).
inline constexpr std::uint32_t kMaxDims = 4;
// ggml keeps names in a NUL-terminated char[64] (GGML_MAX_NAME).
inline constexpr std::uint64_t kMaxTensorNameLength = 63;
// Smallest possible encodings, used to reject counts that cannot fit in the
// file before anything is allocated for them.
inline constexpr std::uint64_t kMinKvBytes = 8 + 4 + 1;               // empty key, type, 1-byte value
inline constexpr std::uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, 1 dim, type, offset

// True for the 13 type ids GGUF defines.
bool is_known_value_type(std::uint32_t raw);
// Encoded size of a fixed-size scalar type; nullopt for string and array.
std::optional<std::uint64_t> scalar_size(ValueType type);
bool is_unsigned_int(ValueType type);
bool is_signed_int(ValueType type);
bool is_float(ValueType type);

// a*b or a+b, or nullopt when the u64 result would overflow.
std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b);
std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b);

// "'name'" with non-printable bytes escaped and long names shortened, so an
// error message stays readable whatever bytes a file holds.
std::string quote(std::string_view s);
// "[a, b, c]"
std::string shape_string(std::span<const std::uint64_t> shape);

struct TensorSize {
  std::uint64_t n_elements = 0;
  std::uint64_t n_bytes = 0;
};
// Validates a tensor shape for `type` (1..4 dims, each > 0 and within int64,
// element count and byte size without overflow, row length a multiple of the
// block size) and returns its sizes. Errors are kCorrupt naming `what`.
core::Result<TensorSize> tensor_size(std::string_view what, quant::GgmlType type,
                                     std::span<const std::uint64_t> shape);

}  // namespace greenroute::engine::gguf::format
