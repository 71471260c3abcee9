#include "gguf/value_writer.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "gguf/gguf_format.h"

namespace greenroute::engine::gguf {

namespace {

core::Status bad_value(std::string_view key, const std::string& why) {
  return core::invalid_argument("key " + format::quote(key) + ": " + why);
}

// Inclusive range an integer of `type` can hold.
bool fits_unsigned(ValueType type, std::uint64_t v) {
  const std::uint64_t bytes = format::scalar_size(type).value_or(8);
  return bytes >= 8 || v < (std::uint64_t{1} << (8 * bytes));
}

bool fits_signed(ValueType type, std::int64_t v) {
  const std::uint64_t bytes = format::scalar_size(type).value_or(8);
  if (bytes >= 8) return true;
  const std::int64_t lim = std::int64_t{1} << (8 * bytes - 1);
  return v >= -lim && v < lim;
}

core::Status validate_scalar(std::string_view key, const Value& v) {
  const std::string tname(value_type_name(v.type));
  if (format::is_unsigned_int(v.type)) {
    if (!std::holds_alternative<std::uint64_t>(v.data)) return bad_value(key, tname + " value must hold a uint64");
    if (!fits_unsigned(v.type, std::get<std::uint64_t>(v.data))) return bad_value(key, "value does not fit in " + tname);
  } else if (format::is_signed_int(v.type)) {
    if (!std::holds_alternative<std::int64_t>(v.data)) return bad_value(key, tname + " value must hold an int64");
    if (!fits_signed(v.type, std::get<std::int64_t>(v.data))) return bad_value(key, "value does not fit in " + tname);
  } else if (format::is_float(v.type)) {
    if (!std::holds_alternative<double>(v.data)) return bad_value(key, tname + " value must hold a double");
  } else if (v.type == ValueType::kBool) {
    if (!std::holds_alternative<bool>(v.data)) return bad_value(key, "bool value must hold a bool");
  } else if (v.type == ValueType::kString) {
    if (!std::holds_alternative<std::string>(v.data)) return bad_value(key, "str value must hold a string");
  } else {
    return bad_value(key, "unknown value type id " + std::to_string(static_cast<std::uint32_t>(v.type)));
  }
  return core::Status::ok();
}

core::Status validate_array(std::string_view key, const ArrayValue& a) {
  const ValueType t = a.element_type;
  if (t == ValueType::kArray) return bad_value(key, "nested arrays are not supported");
  if (!format::is_known_value_type(static_cast<std::uint32_t>(t))) {
    return bad_value(key, "unknown array element type id " + std::to_string(static_cast<std::uint32_t>(t)));
  }
  const std::string tname(value_type_name(t));
  // Exactly one of the element vectors may be used: the one for the type.
  const bool uses_strings = t == ValueType::kString;
  const bool uses_uints = format::is_unsigned_int(t);
  const bool uses_floats = format::is_float(t);
  const bool uses_ints = !uses_strings && !uses_uints && !uses_floats;
  if ((!uses_strings && !a.strings.empty()) || (!uses_uints && !a.uints.empty()) ||
      (!uses_floats && !a.floats.empty()) || (!uses_ints && !a.ints.empty())) {
    return bad_value(key, "array of " + tname + " has elements in the wrong vector");
  }
  for (std::size_t i = 0; i < a.uints.size(); ++i) {
    if (!fits_unsigned(t, a.uints[i])) return bad_value(key, "array element " + std::to_string(i) + " does not fit in " + tname);
  }
  for (std::size_t i = 0; i < a.ints.size(); ++i) {
    const bool ok = t == ValueType::kBool ? (a.ints[i] == 0 || a.ints[i] == 1) : fits_signed(t, a.ints[i]);
    if (!ok) return bad_value(key, "array element " + std::to_string(i) + " does not fit in " + tname);
  }
  return core::Status::ok();
}

void put_le(ByteSink& sink, std::uint64_t v, std::size_t bytes) {
  std::uint8_t buf[8];
  for (std::size_t i = 0; i < bytes; ++i) buf[i] = static_cast<std::uint8_t>(v >> (8 * i));
  sink.append(buf, bytes);
}

void put_string(ByteSink& sink, std::string_view s) {
  put_le(sink, s.size(), 8);
  sink.append(s.data(), s.size());
}

// Raw little-endian bits of a scalar of `type`; the number comes in whichever
// representation the type uses.
void put_scalar(ByteSink& sink, ValueType type, std::uint64_t u, std::int64_t i, double f) {
  const std::size_t bytes = static_cast<std::size_t>(format::scalar_size(type).value_or(8));
  if (type == ValueType::kFloat32) {
    const auto ff = static_cast<float>(f);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &ff, sizeof(bits));
    put_le(sink, bits, 4);
  } else if (type == ValueType::kFloat64) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &f, sizeof(bits));
    put_le(sink, bits, 8);
  } else if (format::is_unsigned_int(type)) {
    put_le(sink, u, bytes);
  } else {
    put_le(sink, static_cast<std::uint64_t>(i), bytes);  // two's complement, truncated to the width
  }
}

void put_value(ByteSink& sink, const Value& v) {
  switch (v.type) {
    case ValueType::kString:
      put_string(sink, std::get<std::string>(v.data));
      return;
    case ValueType::kBool:
      put_le(sink, std::get<bool>(v.data) ? 1 : 0, 1);
      return;
    case ValueType::kArray: {
      const ArrayValue& a = std::get<ArrayValue>(v.data);
      put_le(sink, static_cast<std::uint32_t>(a.element_type), 4);
      put_le(sink, a.size(), 8);
      for (const std::string& s : a.strings) put_string(sink, s);
      for (std::uint64_t u : a.uints) put_scalar(sink, a.element_type, u, 0, 0.0);
      for (std::int64_t i : a.ints) put_scalar(sink, a.element_type, 0, i, 0.0);
      for (double f : a.floats) put_scalar(sink, a.element_type, 0, 0, f);
      return;
    }
    default:
      break;
  }
  if (format::is_unsigned_int(v.type)) {
    put_scalar(sink, v.type, std::get<std::uint64_t>(v.data), 0, 0.0);
  } else if (format::is_signed_int(v.type)) {
    put_scalar(sink, v.type, 0, std::get<std::int64_t>(v.data), 0.0);
  } else {
    put_scalar(sink, v.type, 0, 0, std::get<double>(v.data));
  }
}

void put_padding(ByteSink& sink, std::uint64_t written, std::uint64_t alignment) {
  static constexpr std::uint8_t kZeros[256] = {};
  std::uint64_t pad = (alignment - written % alignment) % alignment;
  while (pad > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(pad, sizeof(kZeros)));
    sink.append(kZeros, n);
    pad -= n;
  }
}

// Counts what passes through, so padding can be computed without a seekable sink.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& inner) : inner_(inner) {}
  void append(const void* data, std::size_t n) override {
    inner_.append(data, n);
    count_ += n;
  }
  std::uint64_t count() const { return count_; }

 private:
  ByteSink& inner_;
  std::uint64_t count_ = 0;
};

}  // namespace

core::Status validate_metadata(const std::vector<KeyValue>& kv, std::uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return core::invalid_argument("alignment " + std::to_string(alignment) + " is not a non-zero power of two");
  }
  for (std::size_t i = 0; i < kv.size(); ++i) {
    const KeyValue& e = kv[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (kv[j].key == e.key) return bad_value(e.key, "duplicate key");
    }
    if (e.value.type == ValueType::kArray) {
      if (!std::holds_alternative<ArrayValue>(e.value.data)) return bad_value(e.key, "arr value must hold an ArrayValue");
      GR_RETURN_IF_ERROR(validate_array(e.key, std::get<ArrayValue>(e.value.data)));
    } else {
      GR_RETURN_IF_ERROR(validate_scalar(e.key, e.value));
    }
    if (e.key == format::kAlignmentKey &&
        (e.value.type != ValueType::kUint32 || std::get<std::uint64_t>(e.value.data) != alignment)) {
      return bad_value(e.key, "must be a u32 equal to the writer's alignment " + std::to_string(alignment));
    }
  }
  return core::Status::ok();
}

void emit_gguf(ByteSink& out, const std::vector<KeyValue>& kv, std::span<const TensorRecord> tensors,
               std::uint32_t alignment) {
  CountingSink sink(out);
  put_le(sink, format::kMagic, 4);
  put_le(sink, format::kWriteVersion, 4);
  put_le(sink, tensors.size(), 8);
  put_le(sink, kv.size(), 8);
  for (const KeyValue& e : kv) {
    put_string(sink, e.key);
    put_le(sink, static_cast<std::uint32_t>(e.value.type), 4);
    put_value(sink, e.value);
  }
  std::uint64_t offset = 0;
  for (const TensorRecord& t : tensors) {
    put_string(sink, t.name);
    put_le(sink, t.shape.size(), 4);
    for (std::uint64_t d : t.shape) put_le(sink, d, 8);
    put_le(sink, static_cast<std::uint32_t>(t.type), 4);
    put_le(sink, offset, 8);
    offset += (t.data.size() + alignment - 1) / alignment * alignment;
  }
  // Like ggml's writer, a file without tensors ends right after its header.
  if (!tensors.empty()) put_padding(sink, sink.count(), alignment);
  for (const TensorRecord& t : tensors) {
    sink.append(t.data.data(), t.data.size());
    put_padding(sink, t.data.size(), alignment);
  }
}

}  // namespace greenroute::engine::gguf
