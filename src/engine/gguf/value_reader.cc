#include "gguf/value_reader.h"

#include <cstring>
#include <string>

#include "gguf/gguf_format.h"

namespace greenroute::engine::gguf {

namespace {

std::string key_prefix(std::string_view key) { return "key " + format::quote(key) + ": "; }

core::Status truncated(std::string_view key, std::string_view what, const ByteCursor& cur) {
  return core::corrupt(key_prefix(key) + "file ends inside its " + std::string(what) + " (at byte " +
                       std::to_string(cur.position()) + " of " + std::to_string(cur.size()) + ")");
}

// One fixed-size scalar, widened to the representation Value/ArrayValue use.
struct Scalar {
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0.0;
};

bool read_scalar(ByteCursor& cur, ValueType type, Scalar& out) {
  switch (type) {
    case ValueType::kUint8:
    case ValueType::kBool: {
      std::uint8_t v = 0;
      if (!cur.read_u8(v)) return false;
      out.u = v;
      out.i = v;
      return true;
    }
    case ValueType::kInt8: {
      std::uint8_t v = 0;
      if (!cur.read_u8(v)) return false;
      out.i = static_cast<std::int8_t>(v);
      return true;
    }
    case ValueType::kUint16: {
      std::uint16_t v = 0;
      if (!cur.read_u16(v)) return false;
      out.u = v;
      return true;
    }
    case ValueType::kInt16: {
      std::uint16_t v = 0;
      if (!cur.read_u16(v)) return false;
      out.i = static_cast<std::int16_t>(v);
      return true;
    }
    case ValueType::kUint32: {
      std::uint32_t v = 0;
      if (!cur.read_u32(v)) return false;
      out.u = v;
      return true;
    }
    case ValueType::kInt32: {
      std::uint32_t v = 0;
      if (!cur.read_u32(v)) return false;
      out.i = static_cast<std::int32_t>(v);
      return true;
    }
    case ValueType::kFloat32: {
      std::uint32_t bits = 0;
      if (!cur.read_u32(bits)) return false;
      float f = 0.0f;
      std::memcpy(&f, &bits, sizeof(f));
      out.f = f;
      return true;
    }
    case ValueType::kUint64:
      return cur.read_u64(out.u);
    case ValueType::kInt64: {
      std::uint64_t v = 0;
      if (!cur.read_u64(v)) return false;
      out.i = static_cast<std::int64_t>(v);
      return true;
    }
    case ValueType::kFloat64: {
      std::uint64_t bits = 0;
      if (!cur.read_u64(bits)) return false;
      std::memcpy(&out.f, &bits, sizeof(out.f));
      return true;
    }
    case ValueType::kString:
    case ValueType::kArray:
      return false;
  }
  return false;
}

core::Status check_bool(std::string_view key, const Scalar& s) {
  // The spec says any other byte is invalid (a broken writer or reader).
  if (s.u > 1) return core::corrupt(key_prefix(key) + "bool value " + std::to_string(s.u) + " is not 0 or 1");
  return core::Status::ok();
}

core::Status read_array(ByteCursor& cur, std::string_view key, ArrayValue& arr) {
  std::uint32_t raw_type = 0;
  if (!cur.read_u32(raw_type)) return truncated(key, "array element type", cur);
  if (!format::is_known_value_type(raw_type)) {
    return core::corrupt(key_prefix(key) + "array has unknown element type id " + std::to_string(raw_type));
  }
  const auto type = static_cast<ValueType>(raw_type);
  if (type == ValueType::kArray) {
    return core::unsupported(key_prefix(key) + "nested arrays (array of arrays) are not supported");
  }
  std::uint64_t count = 0;
  if (!cur.read_u64(count)) return truncated(key, "array length", cur);
  // Each element needs at least this many bytes, so a count that cannot fit
  // in what is left is rejected before anything is reserved for it.
  const std::uint64_t min_elem = format::scalar_size(type).value_or(8);
  if (count > cur.remaining() / min_elem) {
    return core::corrupt(key_prefix(key) + "array of " + std::to_string(count) + " " +
                         std::string(value_type_name(type)) + " elements cannot fit in the " +
                         std::to_string(cur.remaining()) + " bytes left in the file");
  }
  arr.element_type = type;
  const auto n = static_cast<std::size_t>(count);
  if (type == ValueType::kString) {
    arr.strings.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Inline rather than read_string() so the per-element message is only
      // built on failure (vocabularies hold many thousands of strings).
      std::uint64_t len = 0;
      std::string_view s;
      if (!cur.read_u64(len)) return truncated(key, "array element " + std::to_string(i) + " length", cur);
      if (!cur.read_bytes(len, s)) {
        return core::corrupt(key_prefix(key) + "array element " + std::to_string(i) + ": string length " +
                             std::to_string(len) + " exceeds the " + std::to_string(cur.remaining()) +
                             " bytes left in the file");
      }
      arr.strings.emplace_back(s);
    }
    return core::Status::ok();
  }
  if (format::is_unsigned_int(type)) {
    arr.uints.reserve(n);
  } else if (format::is_float(type)) {
    arr.floats.reserve(n);
  } else {
    arr.ints.reserve(n);
  }
  for (std::size_t i = 0; i < n; ++i) {
    Scalar s;
    if (!read_scalar(cur, type, s)) return truncated(key, "array elements", cur);
    if (format::is_unsigned_int(type)) {
      arr.uints.push_back(s.u);
    } else if (format::is_float(type)) {
      arr.floats.push_back(s.f);
    } else {
      if (type == ValueType::kBool) {
        GR_RETURN_IF_ERROR(check_bool(key, s).with_context("array element " + std::to_string(i)));
      }
      arr.ints.push_back(s.i);
    }
  }
  return core::Status::ok();
}

}  // namespace

core::Status read_string(ByteCursor& cur, std::string_view what, std::string_view& out) {
  std::uint64_t len = 0;
  if (!cur.read_u64(len)) {
    return core::corrupt(std::string(what) + ": file ends inside the string length (at byte " +
                         std::to_string(cur.position()) + ")");
  }
  if (!cur.read_bytes(len, out)) {
    return core::corrupt(std::string(what) + ": string length " + std::to_string(len) + " exceeds the " +
                         std::to_string(cur.remaining()) + " bytes left in the file");
  }
  return core::Status::ok();
}

core::Status read_value(ByteCursor& cur, ValueType type, std::string_view key, Value& out) {
  out.type = type;
  switch (type) {
    case ValueType::kString: {
      std::string_view s;
      GR_RETURN_IF_ERROR(read_string(cur, "key " + format::quote(key) + " value", s));
      out.data = std::string(s);
      return core::Status::ok();
    }
    case ValueType::kArray: {
      ArrayValue arr;
      GR_RETURN_IF_ERROR(read_array(cur, key, arr));
      out.data = std::move(arr);
      return core::Status::ok();
    }
    default:
      break;
  }
  Scalar s;
  if (!read_scalar(cur, type, s)) return truncated(key, std::string(value_type_name(type)) + " value", cur);
  if (type == ValueType::kBool) {
    GR_RETURN_IF_ERROR(check_bool(key, s));
    out.data = s.u == 1;
  } else if (format::is_unsigned_int(type)) {
    out.data = s.u;
  } else if (format::is_signed_int(type)) {
    out.data = s.i;
  } else {
    out.data = s.f;
  }
  return core::Status::ok();
}

}  // namespace greenroute::engine::gguf
