// Value names, array sizes and GgufFile's typed metadata getters.
#include <limits>
#include <string>

#include "greenroute/engine/gguf/gguf_file.h"
#include "gguf/gguf_format.h"

namespace greenroute::engine::gguf {

std::string_view value_type_name(ValueType type) {
  // The short names ggml's gguf uses in its dumps.
  switch (type) {
    case ValueType::kUint8: return "u8";
    case ValueType::kInt8: return "i8";
    case ValueType::kUint16: return "u16";
    case ValueType::kInt16: return "i16";
    case ValueType::kUint32: return "u32";
    case ValueType::kInt32: return "i32";
    case ValueType::kFloat32: return "f32";
    case ValueType::kBool: return "bool";
    case ValueType::kString: return "str";
    case ValueType::kArray: return "arr";
    case ValueType::kUint64: return "u64";
    case ValueType::kInt64: return "i64";
    case ValueType::kFloat64: return "f64";
  }
  return "unknown";
}

std::size_t ArrayValue::size() const {
  if (element_type == ValueType::kString) return strings.size();
  if (format::is_unsigned_int(element_type)) return uints.size();
  if (format::is_float(element_type)) return floats.size();
  return ints.size();
}

namespace {

core::Status missing(std::string_view key) { return core::not_found("key " + format::quote(key) + " not found"); }

core::Status wrong_type(std::string_view key, ValueType got, std::string_view expected) {
  return core::corrupt("key " + format::quote(key) + ": has type " + std::string(value_type_name(got)) +
                       ", expected " + std::string(expected));
}

}  // namespace

core::Result<std::string> GgufFile::get_string(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != ValueType::kString) return wrong_type(key, v->type, "str");
  return std::get<std::string>(v->data);
}

core::Result<std::uint64_t> GgufFile::get_uint(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (format::is_unsigned_int(v->type)) return std::get<std::uint64_t>(v->data);
  if (format::is_signed_int(v->type)) {
    const std::int64_t i = std::get<std::int64_t>(v->data);
    if (i < 0) {
      return core::corrupt("key " + format::quote(key) + ": value " + std::to_string(i) +
                           " is negative, expected an unsigned integer");
    }
    return static_cast<std::uint64_t>(i);
  }
  return wrong_type(key, v->type, "an integer");
}

core::Result<std::int64_t> GgufFile::get_int(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (format::is_signed_int(v->type)) return std::get<std::int64_t>(v->data);
  if (format::is_unsigned_int(v->type)) {
    const std::uint64_t u = std::get<std::uint64_t>(v->data);
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return core::corrupt("key " + format::quote(key) + ": value " + std::to_string(u) + " does not fit in int64");
    }
    return static_cast<std::int64_t>(u);
  }
  return wrong_type(key, v->type, "an integer");
}

core::Result<double> GgufFile::get_float(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (format::is_float(v->type)) return std::get<double>(v->data);
  if (format::is_unsigned_int(v->type)) return static_cast<double>(std::get<std::uint64_t>(v->data));
  if (format::is_signed_int(v->type)) return static_cast<double>(std::get<std::int64_t>(v->data));
  return wrong_type(key, v->type, "a number");
}

core::Result<bool> GgufFile::get_bool(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != ValueType::kBool) return wrong_type(key, v->type, "bool");
  return std::get<bool>(v->data);
}

core::Result<const ArrayValue*> GgufFile::get_array(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != ValueType::kArray) return wrong_type(key, v->type, "arr");
  return &std::get<ArrayValue>(v->data);
}

}  // namespace greenroute::engine::gguf
