#include "gguf/gguf_format.h"

#include <cstdio>
#include <limits>

namespace greenroute::engine::gguf::format {

bool is_known_value_type(std::uint32_t raw) { return raw <= static_cast<std::uint32_t>(ValueType::kFloat64); }

std::optional<std::uint64_t> scalar_size(ValueType type) {
  switch (type) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUint16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return std::nullopt;
  }
  return std::nullopt;
}

bool is_unsigned_int(ValueType type) {
  return type == ValueType::kUint8 || type == ValueType::kUint16 || type == ValueType::kUint32 ||
         type == ValueType::kUint64;
}

bool is_signed_int(ValueType type) {
  return type == ValueType::kInt8 || type == ValueType::kInt16 || type == ValueType::kInt32 ||
         type == ValueType::kInt64;
}

bool is_float(ValueType type) { return type == ValueType::kFloat32 || type == ValueType::kFloat64; }

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 96;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  out += "'";
  if (s.size() > kMaxShown) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string shape_string(std::span<const std::uint64_t> shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

core::Result<TensorSize> tensor_size(std::string_view what, quant::GgmlType type,
                                     std::span<const std::uint64_t> shape) {
  const std::string prefix = "tensor " + quote(what) + ": ";
  if (shape.empty() || shape.size() > kMaxDims) {
    return core::corrupt(prefix + "n_dims " + std::to_string(shape.size()) + " is outside 1.." +
                         std::to_string(kMaxDims));
  }
  // ggml stores dimensions as int64, so anything above INT64_MAX is invalid too.
  constexpr auto kMaxElements = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t n_elements = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) {
      return core::corrupt(prefix + "dimension " + std::to_string(i) + " is 0 (shape " + shape_string(shape) + ")");
    }
    const auto product = checked_mul(n_elements, shape[i]);
    if (!product || *product > kMaxElements) {
      return core::corrupt(prefix + "element count of shape " + shape_string(shape) + " overflows");
    }
    n_elements = *product;
  }
  const quant::TypeTraits& tr = quant::traits(type);
  if (shape[0] % tr.block_size != 0) {
    return core::corrupt(prefix + "row length " + std::to_string(shape[0]) + " is not a multiple of the " +
                         std::string(tr.name) + " block size " + std::to_string(tr.block_size));
  }
  const auto bytes = checked_mul(n_elements / tr.block_size, tr.type_size);
  if (!bytes || *bytes > kMaxElements) {
    return core::corrupt(prefix + "byte size of shape " + shape_string(shape) + " as " + std::string(tr.name) +
                         " overflows");
  }
  return TensorSize{n_elements, *bytes};
}

}  // namespace greenroute::engine::gguf::format
